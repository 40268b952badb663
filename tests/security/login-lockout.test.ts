/**
 * 12.12: sign-in lockout, tried as an attacker would. Requests come from different loopback addresses
 * (127.0.0.2, 127.0.0.3, ...), which the server sees as different clients, like machines on a network.
 */
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { build, PASSWORD, type TestApp } from '../helper.ts';

let t: TestApp | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

/** POST /api/auth/login from a given local address; the status and the message. */
function loginFrom(
  app: TestApp,
  from: string,
  username: string,
  password: string,
): Promise<{ status: number; message: string }> {
  const url = new URL('/api/auth/login', app.url);
  const body = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      {
        method: 'POST',
        localAddress: from,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, message: (JSON.parse(text) as { message?: string }).message ?? '' });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const ATTACKER = '127.0.0.2';
const ANNA_AT_WORK = '127.0.0.3';

async function guess(app: TestApp, from: string, username: string, times: number): Promise<number[]> {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) statuses.push((await loginFrom(app, from, username, `guess-${i}-wrong`)).status);
  return statuses;
}

describe('sign-in lockout', () => {
  it('shuts out the guessing address, never the owner signing in from elsewhere, round after round', async () => {
    t = await build({ listen: true });
    await t.user('anna', 'konserthus', 'submitter');
    // Five guesses every 15 minutes, for a working day: anna is never kept out.
    for (let round = 0; round < 32; round++) {
      expect(await guess(t, ATTACKER, 'anna', 5)).toEqual([401, 401, 401, 401, 429]);
      expect((await loginFrom(t, ATTACKER, 'anna', PASSWORD)).status).toBe(429);
      expect((await loginFrom(t, ANNA_AT_WORK, 'anna', PASSWORD)).status).toBe(200);
      t.clock.advance(15 * 60_000 + 1);
    }
  }, 60_000);

  it('answers a name that does not exist exactly as one that does: no account is revealed', async () => {
    t = await build({ listen: true });
    await t.user('anna', 'konserthus', 'submitter');
    const known = await guess(t, ATTACKER, 'anna', 6);
    const unknown = await guess(t, ATTACKER, 'anna.k', 6);
    expect(unknown).toEqual(known);
    const a = await loginFrom(t, ATTACKER, 'anna', 'x');
    const b = await loginFrom(t, ATTACKER, 'anna.k', 'x');
    expect(b.status).toBe(a.status);
    expect(b.message).toBe(a.message);
    expect(a.message).toMatch(/too many failed sign-ins .* ask an admin to unlock/);
    expect(a.message).not.toMatch(/anna/);
  }, 30_000);

  it('slows a guessing attack spread over many addresses, and the owner still gets in', async () => {
    t = await build({ listen: true });
    await t.user('anna', 'konserthus', 'submitter');
    for (let n = 10; n < 16; n++) expect((await guess(t, `127.0.0.${n}`, 'anna', 5)).at(-1)).toBe(429);
    const started = performance.now();
    expect((await loginFrom(t, ANNA_AT_WORK, 'anna', PASSWORD)).status).toBe(200);
    // Six addresses shut out: each attempt on "anna" now waits (2 s) before it is answered.
    expect(performance.now() - started).toBeGreaterThanOrEqual(1900);
  }, 60_000);

  it('an admin sees the lock and unlocks the account for every address', async () => {
    t = await build({ listen: true });
    await t.user('anna', 'konserthus', 'submitter');
    await guess(t, ATTACKER, 'anna', 5);
    await guess(t, '127.0.0.4', 'anna', 5);
    const admin = await t.login('admin', 'admin-password-for-tests');
    const anna = (
      (await admin.get('/api/users')).body.items as { id: number; username: string; lockedUntil: string | null }[]
    ).find((u) => u.username === 'anna');
    expect(anna?.lockedUntil).toBe(new Date(t.clock.now() + 15 * 60_000).toISOString());
    expect((await admin.patch(`/api/users/${anna?.id}`, { unlock: true })).body.lockedUntil).toBeNull();
    expect((await loginFrom(t, ATTACKER, 'anna', PASSWORD)).status).toBe(200);
    expect((await loginFrom(t, '127.0.0.4', 'anna', PASSWORD)).status).toBe(200);
  }, 30_000);
});

import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../src/auth/password.ts';
import { ADMIN_PASSWORD, build, PASSWORD, type TestApp } from '../helper.ts';

let t: TestApp | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const cookieOf = (res: { headers: Headers }) => res.headers.get('set-cookie') ?? '';

describe('passwords', () => {
  it('are scrypt hashes with their own salt, checked in constant time, never stored as given', async () => {
    const a = await hashPassword(PASSWORD);
    const b = await hashPassword(PASSWORD);
    expect(a).toMatch(/^scrypt\$15\$8\$3\$[\w-]{22}\$[\w-]{43}$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword(PASSWORD, a)).toBe(true);
    expect(await verifyPassword(`${PASSWORD}!`, a)).toBe(false);
    expect(await verifyPassword(PASSWORD, 'md5$abc')).toBe(false);
  });
});

describe('first start', () => {
  it('creates admin from SKYLT_ADMIN_PASSWORD, printing nothing', async () => {
    t = await build();
    expect(t.printed).toEqual([]);
    expect((await t.anonymous().post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD })).status).toBe(
      200,
    );
  });

  it('without it, generates a password into a file only its owner can read, prints only where it is, and requires a change at first sign-in; a restart prints nothing', async () => {
    t = await build({ env: { SKYLT_ADMIN_PASSWORD: '' } });
    expect(t.printed).toHaveLength(1);
    const path = /\n {4}(\S+)\n/.exec(t.printed[0] ?? '')?.[1] ?? '';
    expect(path).toBe(join(t.dataDir, 'first-admin-password.txt'));
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const password = readFileSync(path, 'utf8').trim().split('\n').at(-1) ?? '';
    expect(password).toHaveLength(20);
    // The notice (stdout, which is the log under systemd and Docker) never carries the password itself.
    expect(t.printed[0]).not.toContain(password);
    const admin = await t.login('admin', password);
    expect((await admin.get('/api/auth/me')).body).toMatchObject({
      username: 'admin',
      role: 'admin',
      organisation: 'kommun',
      mustChangePassword: true,
    });
    // Until the admin chose their own password, nothing changes.
    const refused = await admin.post('/api/users', { username: 'anna', organisation: 'konserthus', role: 'submitter' });
    expect(refused.status).toBe(403);
    expect(refused.body.message).toMatch(/choose your own password first/);
    expect((await admin.post('/api/auth/password', { currentPassword: password, newPassword: password })).status).toBe(
      400,
    );
    expect((await admin.post('/api/auth/password', { currentPassword: password, newPassword: PASSWORD })).status).toBe(
      204,
    );
    expect((await admin.get('/api/auth/me')).body.mustChangePassword).toBe(false);
    expect(
      (await admin.post('/api/users', { username: 'anna', organisation: 'konserthus', role: 'submitter' })).status,
    ).toBe(201);
    const db = new Database(join(t.dataDir, 'skylt.db'), { readonly: true });
    const stored = db.prepare("SELECT password_hash FROM users WHERE username = 'admin'").pluck().get() as string;
    db.close();
    expect(stored).not.toContain(password);

    const dataDir = t.dataDir;
    await t.app.close();
    await t.runtime.stop();
    t = await build({ env: { SKYLT_DATA_DIR: dataDir, SKYLT_ADMIN_PASSWORD: '' } });
    expect(t.printed).toEqual([]);
  });
});

describe('sessions', () => {
  it('use an HttpOnly, SameSite=Strict cookie, Secure when configured, kept server-side and ended by logout', async () => {
    t = await build();
    const login = await t.anonymous().post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    const cookie = cookieOf(login);
    expect(cookie).toMatch(/^skylt_session=[\w-]{43};/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).not.toMatch(/Secure/);
    // Only a hash of the cookie is stored: a copy of the database opens no session.
    const db = new Database(join(t.dataDir, 'skylt.db'), { readonly: true });
    const hashes = db.prepare('SELECT id_hash FROM sessions').pluck().all() as string[];
    db.close();
    const value = cookie.split(';')[0]?.split('=')[1] ?? '';
    expect(hashes.some((h) => h.includes(value))).toBe(false);

    const admin = t.client({ cookie: cookie.split(';')[0], csrf: login.body.csrfToken });
    expect((await admin.get('/api/users')).status).toBe(200);
    expect((await admin.post('/api/auth/logout')).status).toBe(204);
    expect((await admin.get('/api/users')).status).toBe(401);
    await t.close();

    t = await build({ env: { SKYLT_COOKIE_SECURE: 'always' } });
    const secure = await t.anonymous().post('/api/auth/login', { username: 'admin', password: ADMIN_PASSWORD });
    expect(cookieOf(secure)).toMatch(/Secure/);
  });

  it('expire after SKYLT_SESSION_HOURS', async () => {
    t = await build({ env: { SKYLT_SESSION_HOURS: '1' } });
    const admin = await t.login('admin', ADMIN_PASSWORD);
    t.clock.advance(59 * 60_000);
    expect((await admin.get('/api/auth/me')).status).toBe(200);
    t.clock.advance(2 * 60_000);
    expect((await admin.get('/api/users')).status).toBe(401);
    // Who am I, asked with the ended session: nobody (200 with null, so the login page logs no error).
    const me = await admin.get('/api/auth/me');
    expect([me.status, me.body]).toEqual([200, null]);
  });

  it('13.4: a live session can be kept for another full length (POST /api/auth/refresh); an ended one cannot', async () => {
    t = await build({ env: { SKYLT_SESSION_HOURS: '1' } });
    const admin = await t.login('admin', ADMIN_PASSWORD);
    t.clock.advance(55 * 60_000);
    const kept = await admin.post('/api/auth/refresh');
    expect(kept.status).toBe(200);
    expect(kept.body.expiresAt).toBe(new Date(t.clock.now() + 3600_000).toISOString());
    expect(cookieOf(kept)).toMatch(/Max-Age=3600/);
    expect((await admin.get('/api/auth/me')).body.expiresAt).toBe(kept.body.expiresAt);
    // Past the first end, the session lives on to the new one, and then ends.
    t.clock.advance(30 * 60_000);
    expect((await admin.get('/api/auth/me')).status).toBe(200);
    t.clock.advance(31 * 60_000);
    expect((await admin.post('/api/auth/refresh')).status).toBe(401);
    expect((await admin.get('/api/auth/me')).body).toBeNull();
    // Without the CSRF token it is refused like any change.
    const other = await t.login('admin', ADMIN_PASSWORD);
    expect((await other.request('POST', '/api/auth/refresh', {}, { csrf: false })).status).toBe(403);
  });

  it('need the CSRF token for every change made with the cookie, not for reads, and not for API tokens', async () => {
    t = await build();
    const admin = await t.login('admin', ADMIN_PASSWORD);
    const body = { username: 'anna', organisation: 'konserthus', role: 'submitter', password: PASSWORD };
    const without = await admin.request('POST', '/api/users', body, { csrf: false });
    expect(without.status).toBe(403);
    expect(without.body.message).toMatch(/CSRF/);
    const wrong = await admin.request('POST', '/api/users', body, {
      csrf: false,
      headers: { 'x-csrf-token': 'x'.repeat(43) },
    });
    expect(wrong.status).toBe(403);
    expect((await admin.get('/api/users')).body.total).toBe(1);
    // A form may send it as a field instead of the header.
    expect(
      (await admin.request('POST', '/api/users', { ...body, _csrf: admin.auth.csrf }, { csrf: false })).status,
    ).toBe(201);
    const token = t.token('integration', 'kommun', 'admin');
    expect((await token.post('/api/users', { ...body, username: 'bert' })).status).toBe(201);
  });

  it('login is rate-limited per client address', async () => {
    t = await build({ env: { SKYLT_LOGIN_RATE_LIMIT: '3' } });
    const anon = t.anonymous();
    const statuses = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await anon.post('/api/auth/login', { username: 'nobody', password: 'wrong-password' })).status);
    expect(statuses).toEqual([401, 401, 401, 429]);
  });

  it('an account locks after repeated failures, even for the right password, until an admin unlocks it', async () => {
    t = await build({ env: { SKYLT_LOGIN_LOCKOUT: '3' } });
    await t.user('anna', 'konserthus', 'submitter');
    const anon = t.anonymous();
    const failures = [];
    for (let i = 0; i < 3; i++)
      failures.push((await anon.post('/api/auth/login', { username: 'anna', password: 'not-her-password' })).status);
    // The third failure says at once that this address is now shut out.
    expect(failures).toEqual([401, 401, 429]);
    const locked = await anon.post('/api/auth/login', { username: 'anna', password: PASSWORD });
    expect(locked.status).toBe(429);
    expect(locked.body.message).toMatch(/too many failed sign-ins .* ask an admin to unlock/);
    const admin = await t.login('admin', ADMIN_PASSWORD);
    const users = (await admin.get('/api/users')).body.items as {
      id: number;
      username: string;
      lockedUntil: string | null;
    }[];
    const anna = users.find((u) => u.username === 'anna');
    expect(anna?.lockedUntil).not.toBeNull();
    expect((await admin.patch(`/api/users/${anna?.id}`, { unlock: true })).status).toBe(200);
    expect((await anon.post('/api/auth/login', { username: 'anna', password: PASSWORD })).status).toBe(200);
    // The lock also runs out by itself (15 minutes).
    for (let i = 0; i < 3; i++) await anon.post('/api/auth/login', { username: 'anna', password: 'not-her-password' });
    expect((await anon.post('/api/auth/login', { username: 'anna', password: PASSWORD })).status).toBe(429);
    t.clock.advance(15 * 60_000 + 1);
    expect((await anon.post('/api/auth/login', { username: 'anna', password: PASSWORD })).status).toBe(200);
  });

  it('disabling a user ends their sessions at once; the last admin cannot be disabled', async () => {
    t = await build();
    const anna = await t.user('anna', 'konserthus', 'submitter');
    expect((await anna.get('/api/items')).status).toBe(200);
    const admin = await t.login('admin', ADMIN_PASSWORD);
    const id =
      (await anna.get('/api/auth/me')).status === 200
        ? ((await admin.get('/api/users')).body.items as { id: number; username: string }[]).find(
            (u) => u.username === 'anna',
          )?.id
        : null;
    const disabled = await admin.patch(`/api/users/${id}`, { disabled: true });
    expect(disabled.body).toMatchObject({ username: 'anna', disabled: true });
    expect((await anna.get('/api/items')).status).toBe(401);
    const again = await t.anonymous().post('/api/auth/login', { username: 'anna', password: PASSWORD });
    expect(again.status).toBe(403);
    expect(again.body.message).toMatch(/disabled/);
    const last = await admin.patch('/api/users/1', { disabled: true });
    expect(last.status).toBe(409);
    expect(last.body.message).toMatch(/last active admin/);
  });

  it('a communicator must belong to Vara kommun; a bad user is refused naming the field', async () => {
    t = await build();
    const admin = await t.login('admin', ADMIN_PASSWORD);
    const res = await admin.post('/api/users', { username: 'kurt', organisation: 'konserthus', role: 'communicator' });
    expect(res.status).toBe(400);
    expect(res.body.issues).toEqual([{ field: 'role', message: expect.stringMatching(/Vara kommun/) }]);
    const short = await admin.post('/api/users', {
      username: 'kurt',
      organisation: 'konserthus',
      role: 'submitter',
      password: 'short',
    });
    expect(short.body.issues).toEqual([{ field: 'password', message: 'at least 12 characters' }]);
    const generated = await admin.post('/api/users', {
      username: 'kurt',
      organisation: 'konserthus',
      role: 'submitter',
    });
    expect(generated.status).toBe(201);
    expect(generated.body.generatedPassword).toHaveLength(20);
    expect(generated.body.user).not.toHaveProperty('passwordHash');
    expect(
      (await admin.post('/api/users', { username: 'KURT', organisation: 'kommun', role: 'submitter' })).status,
    ).toBe(409);
  });

  it('changing my password ends my other sessions', async () => {
    t = await build();
    const one = await t.user('anna', 'konserthus', 'submitter');
    const two = await t.login('anna');
    const wrong = await one.post('/api/auth/password', {
      currentPassword: 'not-my-password',
      newPassword: 'a-new-long-password',
    });
    expect(wrong.status).toBe(403);
    expect(
      (await one.post('/api/auth/password', { currentPassword: PASSWORD, newPassword: 'a-new-long-password' })).status,
    ).toBe(204);
    expect((await one.get('/api/auth/me')).status).toBe(200);
    expect((await two.get('/api/items')).status).toBe(401);
    expect((await two.get('/api/auth/me')).body).toBeNull();
    expect((await t.anonymous().post('/api/auth/login', { username: 'anna', password: PASSWORD })).status).toBe(401);
    expect((await t.login('anna', 'a-new-long-password')).name).toBe('anna');
  });
});

describe('API tokens', () => {
  it('are shown once, stored hashed, scoped to an organisation and a role, and stop working when revoked or expired', async () => {
    t = await build();
    const admin = await t.login('admin', ADMIN_PASSWORD);
    const created = await admin.post('/api/tokens', {
      name: 'konserthus-webb',
      organisation: 'konserthus',
      role: 'submitter',
    });
    expect(created.status).toBe(201);
    const token = created.body.token as string;
    expect(token).toMatch(/^skylt_[0-9a-f]{12}_[\w-]{43}$/);
    expect(token.startsWith(created.body.prefix)).toBe(true);
    const listed = await admin.get('/api/tokens');
    expect(JSON.stringify(listed.body)).not.toContain(token);
    const db = new Database(join(t.dataDir, 'skylt.db'), { readonly: true });
    const row = JSON.stringify(db.prepare('SELECT * FROM api_tokens').all());
    db.close();
    expect(row).not.toContain(token.slice('skylt_'.length + 13));

    const web = t.client({ bearer: token });
    const me = await web.get('/api/auth/me');
    expect(me.body).toMatchObject({
      kind: 'token',
      username: 'token:konserthus-webb',
      organisation: 'konserthus',
      role: 'submitter',
      csrfToken: null,
    });
    expect((await web.get('/api/items')).status).toBe(200);
    expect((await web.get('/api/playlist/draft')).status).toBe(403);

    const forged = t.client({ bearer: `${token.slice(0, -4)}AAAA` });
    expect((await forged.get('/api/items')).status).toBe(401);
    expect((await admin.delete(`/api/tokens/${created.body.id}`)).body.revokedAt).not.toBeNull();
    const revoked = await web.get('/api/items');
    expect(revoked.status).toBe(401);
    expect(revoked.body.message).toMatch(/invalid, expired or revoked/);
    expect((await admin.delete(`/api/tokens/${created.body.id}`)).status).toBe(409);

    const soon = await admin.post('/api/tokens', {
      name: 'short-lived',
      organisation: 'kommun',
      role: 'communicator',
      expiresAt: '2026-12-01T10:00:00Z',
    });
    const shortLived = t.client({ bearer: soon.body.token });
    expect((await shortLived.get('/api/playlist/draft')).status).toBe(200);
    t.clock.advance(60 * 60_000);
    expect((await shortLived.get('/api/playlist/draft')).status).toBe(401);
  });

  it('cannot sign out or change a password: those are for people', async () => {
    t = await build();
    const token = t.token('ops', 'kommun', 'admin');
    expect((await token.post('/api/auth/logout')).status).toBe(403);
    expect((await token.post('/api/auth/password', { currentPassword: 'x', newPassword: 'y' })).status).toBe(403);
  });
});

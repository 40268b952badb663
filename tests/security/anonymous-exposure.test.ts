/**
 * 12.13: an anonymous caller learns nothing about where the signs and the crisis feeds are reached. The public
 * views (health, readiness, the sign list, metrics, the API description) are fetched over real HTTP with links of
 * every kind configured and failing (so their error texts carry addresses too); signed-in staff still see them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type TestApp } from '../helper.ts';
import { signFile } from '../resilience/sign-rig.ts';
import { waitFor } from '../signs/helpers.ts';

// Nothing listens on these: the links and feeds fail, and their errors name where they tried.
const TCP_LINK = 'tcp://127.0.0.1:9';
const SERIAL_DEVICE = '/dev/serial/by-id/usb-FTDI_sign-south-if00-port0';
const FEED_URL = 'http://127.0.0.1:9/v3-secret-feed-key';
const SECRETS = ['127.0.0.1:9', 'usb-FTDI_sign-south', 'v3-secret-feed-key'];

let t: TestApp;
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'skylt-exposure-'));
  const signs = join(dir, 'signs.json');
  writeFileSync(signs, JSON.stringify(signFile({ north: TCP_LINK, south: `serial:${SERIAL_DEVICE}?baud=115200` })));
  t = await build({
    env: { SKYLT_CONFIG: signs, SKYLT_KRISINFO_URL: FEED_URL, SKYLT_FEED_POLL_SECONDS: '0.05' },
  });
  // Both links have failed once and the feed has failed: every error text that could carry an address is there.
  await waitFor(
    'link and feed errors',
    async () => {
      const h = (await (await t.login('admin', 'admin-password-for-tests')).get('/api/health')).body;
      return h.signs.every((s: { link: { lastError: string | null } }) => s.link.lastError) && h.feeds[0]?.lastError;
    },
    10_000,
  );
}, 30_000);
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const leaks = (text: string) => SECRETS.filter((s) => text.includes(s));

describe('what an anonymous caller sees', () => {
  for (const path of ['/api/health', '/api/ready', '/api/signs', '/metrics', '/docs/json']) {
    it(`${path} names no link address or feed URL`, async () => {
      const res = await t.anonymous().get(path);
      expect(res.status === 200 || (path === '/api/ready' && res.status === 503)).toBe(true);
      expect(leaks(res.bytes.toString('utf8'))).toEqual([]);
    });
  }

  it('still says whether each sign is connected, and that a feed fails', async () => {
    const h = (await t.anonymous().get('/api/health')).body;
    expect(
      h.signs.map((s: { id: string; link: { up: boolean; address: unknown } }) => [s.id, s.link.up, s.link.address]),
    ).toEqual([
      ['E20-N', false, null],
      ['E20-S', false, null],
    ]);
    expect(h.feeds[0].url).toBeNull();
    expect(h.feeds[0].lastError.message).toMatch(/address hidden/);
  });

  it('signed-in staff see where the links and feeds go', async () => {
    const submitter = await t.user('ks.staff', 'konserthus', 'submitter');
    const h = (await submitter.get('/api/health')).body;
    expect(h.signs.map((s: { link: { address: string } }) => s.link.address)).toEqual([
      expect.stringContaining('127.0.0.1:9'),
      expect.stringContaining(SERIAL_DEVICE),
    ]);
    expect(h.feeds[0].url).toContain('v3-secret-feed-key');
    const signs = (await submitter.get('/api/signs')).body;
    expect(signs.map((s: { link: string }) => s.link)).toEqual([TCP_LINK, `serial:${SERIAL_DEVICE}?baud=115200`]);
  });
});

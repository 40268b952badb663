import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type TestApp } from '../helper.ts';

/**
 * Issue 13.14: each request is logged once, and the UI's files go out compressed (br or gzip) with validators, so a
 * reload costs a 304. Through app.inject with the real app and a real pino logger writing into memory.
 */
describe('serving the UI and logging requests', () => {
  let t: TestApp;
  let app: FastifyInstance;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    t = await build({ logger: pino({ level: 'debug' }, { write: (s: string) => lines.push(JSON.parse(s)) }) });
    app = t.app;
  });
  afterAll(async () => {
    await t.close();
  });

  it('logs each request once, with method, path, status, time and who asked', async () => {
    lines.length = 0;
    const login = await app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'admin', password: 'admin-password-for-tests' },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0] ?? '';
    await app.inject({ url: '/api/items', headers: { cookie } });
    await app.inject({ url: '/no-such-page' });
    await app.inject({ url: '/assets/css/skylt.css' });
    const requests = lines.filter((l) => l.part === 'http');
    expect(requests.map((l) => l.msg)).toEqual(['request', 'request', 'request', 'request']);
    expect(requests.map((l) => [l.method, l.url, l.status])).toEqual([
      ['POST', '/api/auth/login', 200],
      ['GET', '/api/items', 200],
      ['GET', '/no-such-page', 404],
      ['GET', '/assets/css/skylt.css', 200],
    ]);
    expect(requests[1]).toMatchObject({ user: 'admin', level: 30, ms: expect.any(Number) });
    // The UI's own files are at debug level: a page load does not bury the API calls.
    expect(requests[3]?.level).toBe(20);
    expect(new Set(requests.map((l) => l.reqId)).size).toBe(4);
  });

  it('compresses the UI (br or gzip), revalidates it by ETag, and keeps pictures a day', async () => {
    const file = readFileSync(join(process.cwd(), 'src/web/assets/js/pages/playlist.js'));
    const br = await app.inject({ url: '/assets/js/pages/playlist.js', headers: { 'accept-encoding': 'br, gzip' } });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toMatch(/accept-encoding/i);
    expect(brotliDecompressSync(br.rawPayload).equals(file)).toBe(true);
    expect(br.rawPayload.length).toBeLessThan(file.length / 2);
    expect(br.headers['cache-control']).toBe('no-cache');
    const etag = String(br.headers.etag);
    expect(etag).toMatch(/^W\/".+"$/);
    const again = await app.inject({
      url: '/assets/js/pages/playlist.js',
      headers: { 'accept-encoding': 'br', 'if-none-match': etag },
    });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);

    const gz = await app.inject({ url: '/spellista', headers: { 'accept-encoding': 'gzip' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.rawPayload).toString()).toContain('<title>Spellista – Skylt</title>');
    expect(gz.headers['content-security-policy']).toContain("default-src 'self'");

    const plain = await app.inject({ url: '/assets/css/skylt.css' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    const icon = await app.inject({ url: '/assets/img/favicon.svg', headers: { 'accept-encoding': 'gzip' } });
    expect(icon.headers['cache-control']).toBe('public, max-age=86400');
    // Sign frames are PNG (already compressed) and outside the UI plugin: sent as they are.
    const frame = await app.inject({ url: '/api/signs/E20-N/frame.png', headers: { 'accept-encoding': 'br' } });
    expect(frame.headers['content-encoding']).toBeUndefined();
  });
});

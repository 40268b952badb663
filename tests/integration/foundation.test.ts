import { afterEach, describe, expect, it } from 'vitest';
import { frameToRgba } from '../../src/render/frame.ts';
import { renderItemForSign } from '../../src/render/sign-page.ts';
import { build, type TestApp } from '../helper.ts';
import { waitFor } from '../signs/helpers.ts';
import { decodePng } from './app-helpers.ts';

let t: TestApp | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

async function health(app: TestApp) {
  const res = await app.anonymous().get('/api/health');
  expect(res.status).toBe(200);
  return res.body as {
    status: string;
    version: string;
    uptimeSeconds: number;
    signs: Array<{
      id: string;
      link: { up: boolean };
      showing: { priority: string; itemId: string; slot: number; since: string } | null;
    }>;
  };
}

/** What a person sees at /api/signs/{id}/frame.png, compared pixel for pixel with the page Skylt rendered. */
async function signShowsItem(app: TestApp, signId: string, itemId: string): Promise<boolean> {
  const res = await app.anonymous().get(`/api/signs/${signId}/frame.png`);
  expect(res.headers.get('content-type')).toBe('image/png');
  const png = decodePng(res.bytes);
  const sign = app.runtime.signs.get(signId);
  const item = app.runtime.playlistFile.items.find((i) => i.id === itemId);
  if (!sign || !item) throw new Error('unknown sign or item');
  const expected = frameToRgba(renderItemForSign(item, sign.surface));
  return png.width === sign.config.width && Buffer.from(png.rgba).equals(Buffer.from(expected));
}

describe('Skylt on its embedded defaults', () => {
  it('plays the fallback loop on both virtual signs, page after page, each held for its dwell', async () => {
    t = await build();
    const app = t;
    const [first, second, third] = app.runtime.playlistFile.items;
    if (!first || !second || !third) throw new Error('default playlist needs three pages');

    await waitFor('both signs confirmed the first page', async () => {
      await app.runtime.tick();
      const h = await health(app);
      return h.signs.every((s) => s.showing?.itemId === first.id);
    });
    for (const id of ['E20-N', 'E20-S']) expect(await signShowsItem(app, id, first.id)).toBe(true);

    // Just before the dwell ends the page is still up; at the dwell it changes.
    app.clock.advance(first.dwellSeconds * 1000 - 1);
    await app.runtime.tick();
    expect(await signShowsItem(app, 'E20-N', first.id)).toBe(true);
    app.clock.advance(1);
    await app.runtime.tick();
    for (const id of ['E20-N', 'E20-S']) expect(await signShowsItem(app, id, second.id)).toBe(true);

    app.clock.advance(second.dwellSeconds * 1000);
    await app.runtime.tick();
    expect(await signShowsItem(app, 'E20-S', third.id)).toBe(true);
    app.clock.advance(third.dwellSeconds * 1000);
    await app.runtime.tick();
    expect(await signShowsItem(app, 'E20-N', first.id)).toBe(true);

    const h = await health(app);
    expect(h.status).toBe('ok');
    expect(h.version).toBe('test');
    expect(h.signs.map((s) => s.id)).toEqual(['E20-N', 'E20-S']);
    for (const s of h.signs) {
      expect(s.link.up).toBe(true);
      expect(s.showing).toMatchObject({ priority: 'fallback', itemId: first.id });
      expect(Date.parse(s.showing?.since ?? '')).toBe(app.clock.now());
    }
  });

  it('keeps showing the page when the controller keeps refreshing its lease past the lease length', async () => {
    t = await build({ env: { SKYLT_PLAYLIST: 'tests/fixtures/one-page.json' } });
    const app = t;
    await waitFor('page up', async () => {
      await app.runtime.tick();
      return app.runtime.signs.get('E20-N')?.controller.showing();
    });
    for (let s = 0; s < 120; s += 5) {
      app.clock.advance(5000);
      await app.runtime.tick();
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await signShowsItem(app, 'E20-N', 'only-page')).toBe(true);
    expect(app.runtime.signs.get('E20-N')?.link.virtualSign?.status().showingPriority).toBe(1);
  });

  it('serves the OpenAPI description at /docs', async () => {
    t = await build();
    const res = await t.anonymous().get('/docs/json');
    expect(res.status).toBe(200);
    const doc = res.body as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/health', '/api/signs/{id}/frame.png']));
    expect((await t.anonymous().get('/docs')).status).toBe(200);
  });

  it('answers an unknown sign with a 404 that names the signs there are', async () => {
    t = await build();
    const res = await t.anonymous().get('/api/signs/E6-X/frame.png');
    expect(res.status).toBe(404);
    expect(res.body.message).toContain('E20-N, E20-S');
  });
});

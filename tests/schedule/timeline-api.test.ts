import { afterEach, describe, expect, it } from 'vitest';
import { build, T0, type TestApp } from '../helper.ts';
import { concert, info } from '../workflow/helpers.ts';

/**
 * GET /api/schedule/timeline over real HTTP: when each published item airs next, computed by the rotation engine,
 * and then checked against what the virtual signs actually play.
 */
let t: TestApp;
afterEach(async () => {
  await t?.close();
});

const HOUR = 3_600_000;

async function published(items: Record<string, unknown>[]) {
  t = await build();
  const kajsa = await t.user('kajsa', 'konserthus', 'submitter');
  const maria = await t.user('maria', 'kommun', 'communicator');
  const ids: string[] = [];
  for (const body of items) {
    const by = (body.content as { kind: string }).kind === 'event' ? kajsa : maria;
    const created = await by.post('/api/items', { ...body, submit: true });
    if (created.status !== 201) throw new Error(JSON.stringify(created.body));
    const ok = await maria.post(`/api/items/${created.body.item.id}/approve`, { revision: 1, addToDraft: true });
    if (ok.status !== 200) throw new Error(JSON.stringify(ok.body));
    ids.push(created.body.item.id);
  }
  expect((await maria.post('/api/playlist/publish')).status).toBe(201);
  return { kajsa, maria, ids };
}

describe('GET /api/schedule/timeline', () => {
  it('predicts the order in which the sign then plays the published items', async () => {
    const { kajsa, ids } = await published([
      concert(),
      info(['Julmarknad', 'Vara torg']),
      info(['Biblioteket', 'öppet till 19'], { dwellSeconds: 15 }),
    ]);
    const res = await kajsa.get('/api/schedule/timeline?sign=E20-N&hours=1');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ revision: '1', bucketMinutes: 60, from: new Date(T0).toISOString() });
    expect(res.body.items.map((i: { title: string }) => i.title).sort()).toEqual(
      ['Biblioteket / öppet till 19', 'Julkonsert', 'Julmarknad / Vara torg'].sort(),
    );
    const sign = res.body.signs[0];
    expect(sign.id).toBe('E20-N');
    for (const id of ids) {
      const entry = sign.items.find((i: { itemId: string }) => i.itemId === id);
      expect(entry.nextAt, id).not.toBeNull();
      expect(Date.parse(entry.nextAt) - T0).toBeLessThan(60_000);
      expect(entry.plays).toBeGreaterThan(50);
    }
    const predicted = sign.pages.slice(0, 8).map((p: { itemId: string }) => p.itemId);

    // Play the signs a quarter of a second at a time and note each scheduled page E20-N confirms (a page is a new
    // confirmation: the same item twice in a row is two pages).
    const played: string[] = [];
    const controller = t.runtime.signs.get('E20-N')?.controller;
    let confirmed = 0;
    controller?.on('played', (e) => {
      if (e.priority === 'scheduled') confirmed++;
    });
    let seen = 0;
    for (let i = 0; i < 4 * 200 && played.length < 8; i++) {
      await t.runtime.tick();
      await new Promise((r) => setImmediate(r));
      const current = t.runtime.scheduling.signs.get('E20-N')?.rotation?.current;
      if (current && confirmed > seen) {
        seen = confirmed;
        played.push(current.itemId);
      }
      t.clock.advance(250);
    }
    expect(played).toEqual(predicted);
  });

  it('says when an item opens later and when it first airs; a week is summed in 6-hour buckets', async () => {
    const opensSoon = new Date(T0 + 2 * HOUR).toISOString();
    const opensLater = new Date(T0 + 9 * 24 * HOUR).toISOString();
    const { maria, ids } = await published([
      info(['Julmarknad', 'Vara torg']),
      info(['Luciatåg', 'Vara kyrka'], { window: { from: opensSoon } }),
      info(['Nyårsfirande', 'Vara torg'], { window: { from: opensLater } }),
    ]);
    const day = (await maria.get('/api/schedule/timeline?sign=E20-S')).body.signs[0];
    const [always, soon, later] = ids.map((id) => day.items.find((i: { itemId: string }) => i.itemId === id));
    expect(always.nextAt).toBe(new Date(T0).toISOString());
    expect(Date.parse(soon.nextAt) - Date.parse(opensSoon)).toBeGreaterThanOrEqual(0);
    expect(Date.parse(soon.nextAt) - Date.parse(opensSoon)).toBeLessThanOrEqual(10_000);
    expect(later).toMatchObject({ nextAt: null, plays: 0, whyNot: 'opens-later', opensAt: opensLater });
    expect(day.buckets).toHaveLength(24);
    expect(day.buckets[0].items.map((x: { itemId: string }) => x.itemId)).toEqual([always.itemId]);

    const week = (await maria.get('/api/schedule/timeline?sign=E20-S&hours=168')).body;
    expect(week.bucketMinutes).toBe(360);
    expect(week.signs[0].buckets).toHaveLength(28);
    // Both signs when none is named; each answers for itself.
    expect((await maria.get('/api/schedule/timeline?hours=2')).body.signs.map((s: { id: string }) => s.id)).toEqual([
      'E20-N',
      'E20-S',
    ]);
  });

  it('shows a running "Visa nu" override as time the loop waits, and refuses bad periods clearly', async () => {
    const { maria, ids } = await published([info(['Julmarknad', 'Vara torg'])]);
    const show = await maria.post('/api/overrides', { itemId: ids[0], minutes: 30, signs: ['E20-N'] });
    expect(show.status).toBe(201);
    const tl = (await maria.get('/api/schedule/timeline?sign=E20-N&hours=2&bucketMinutes=30')).body.signs[0];
    expect(tl.buckets.map((b: { overrideSeconds: number }) => b.overrideSeconds)).toEqual([1800, 0, 0, 0]);

    const past = await maria.get(
      `/api/schedule/timeline?from=${encodeURIComponent(new Date(T0 - HOUR).toISOString())}`,
    );
    expect(past.status).toBe(400);
    expect(past.body.message).toMatch(/the timeline looks ahead/);
    expect((await maria.get('/api/schedule/timeline?sign=E20-X')).status).toBe(404);
    expect((await maria.get('/api/schedule/timeline?hours=500')).status).toBe(400);
    expect((await t.anonymous().get('/api/schedule/timeline')).status).toBe(401);
  });
});

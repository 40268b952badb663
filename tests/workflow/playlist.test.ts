import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { PlaylistFile } from '../../src/domain/playlist.ts';
import { build, type Client, type TestApp } from '../helper.ts';
import { concert, info, saveDraft, signShows } from './helpers.ts';

let t: TestApp | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

async function setup() {
  t = await build();
  const kajsa = await t.user('kajsa', 'konserthus', 'submitter');
  const maria = await t.user('maria', 'kommun', 'communicator');
  const approved = async (client: Client, body: unknown) => {
    const created = (await client.post('/api/items', body)).body.item;
    const id = created.id as string;
    await client.post(`/api/items/${id}/submit`);
    const res = await maria.post(`/api/items/${id}/approve`, { revision: created.revision });
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    return id;
  };
  return { t, kajsa, maria, approved };
}

describe('the shared playlist', () => {
  it('refuses to publish an empty, unapproved or unchanged draft, and checks the draft naming each entry', async () => {
    const { kajsa, maria, approved } = await setup();
    // Nothing published yet is a normal state: 200 with null (a 404 was a console error on every /spellista).
    const live = await kajsa.get('/api/playlist/live');
    expect([live.status, live.body]).toEqual([200, null]);
    const empty = await maria.post('/api/playlist/publish');
    expect(empty.status).toBe(409);
    expect(empty.body.message).toMatch(/the draft is empty/);

    const a = await approved(kajsa, concert());
    const pending = (await kajsa.post('/api/items', concert({ submit: true }))).body.item.id;
    const draft = (await kajsa.post('/api/items', concert())).body.item.id;
    const bad = await saveDraft(maria, {
      entries: [{ itemId: a, signs: ['E20-X'] }, { itemId: 'no-such-item' }, { itemId: draft }],
      settings: { shares: { kommun: 70, konserthus: 20 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { field: string }) => i.field).sort()).toEqual(['settings.shares'].sort());
    const bad2 = await saveDraft(maria, {
      entries: [{ itemId: a, signs: ['E20-X'] }, { itemId: 'no-such-item' }, { itemId: draft }],
    });
    expect(bad2.body.issues).toEqual([
      {
        field: 'entries.0.signs.0',
        message: expect.stringMatching(/targets E20-N, E20-S; an entry can only narrow that/),
      },
      { field: 'entries.1.itemId', message: 'no item "no-such-item"' },
      { field: 'entries.2.itemId', message: expect.stringMatching(/is draft; only approved \(or pending\) items/) },
    ]);
    const withPending = await saveDraft(maria, { entries: [{ itemId: a }, { itemId: pending }] });
    expect(withPending.body.publishable).toBe(false);
    expect(withPending.body.entries[1].problem).toMatch(/is pending; only approved items can be published/);
    const refused = await maria.post('/api/playlist/publish');
    expect(refused.status).toBe(409);
    expect(refused.body.issues).toEqual([{ field: 'entries.1', message: expect.stringMatching(/pending/) }]);

    await saveDraft(maria, { entries: [{ itemId: a }] });
    expect((await maria.post('/api/playlist/publish')).status).toBe(201);
    const unchanged = await maria.post('/api/playlist/publish');
    expect(unchanged.status).toBe(409);
    expect(unchanged.body.message).toMatch(/nothing to publish: the draft is the same as live revision 1/);
  });

  it('publishes immutable revisions (who, when), shows the diff from live, and rolls back as a new revision', async () => {
    const { t, kajsa, maria, approved } = await setup();
    const konsert = await approved(kajsa, concert());
    const bad = await approved(maria, info(['Vinterbad', 'Vara simhall']));
    const torg = await approved(maria, info(['Julmarknad', 'Vara torg']));
    await saveDraft(maria, { entries: [{ itemId: konsert }, { itemId: bad }] });
    const first = await maria.post('/api/playlist/publish', { note: 'första' });
    expect(first.status).toBe(201);
    expect(first.body.revision).toMatchObject({
      revision: 1,
      publishedBy: 'maria',
      publishedAt: '2026-12-01T09:00:00.000Z',
      note: 'första',
      itemCount: 2,
    });

    t.clock.advance(3_600_000);
    await saveDraft(maria, {
      settings: { shares: { kommun: 60, konserthus: 40 } },
      entries: [{ itemId: torg }, { itemId: bad, signs: ['E20-S'] }],
    });
    const diff = await maria.get('/api/playlist/diff');
    expect(diff.body).toMatchObject({
      identical: false,
      added: [torg],
      removed: [konsert],
      changed: [{ id: bad, fields: ['signs'] }],
      reordered: false,
      settings: {
        before: { shares: { kommun: 50, konserthus: 50 } },
        after: { shares: { kommun: 60, konserthus: 40 } },
      },
      name: null,
    });
    const second = await maria.post('/api/playlist/publish');
    expect(second.body.revision).toMatchObject({ revision: 2, publishedAt: '2026-12-01T10:00:00.000Z' });
    expect(second.body.diff.added).toEqual([torg]);
    const live = t.runtime.publishedPlaylist();
    expect(live).toMatchObject({ revision: 2, settings: { shares: { kommun: 60, konserthus: 40 } }, withdrawn: [] });
    expect(live?.items.map((i) => [i.id, i.signs])).toEqual([
      [torg, undefined],
      [bad, ['E20-S']],
    ]);
    expect((await maria.get('/api/playlist/diff?from=1&to=2')).body.removed).toEqual([konsert]);

    const rolled = await maria.post('/api/playlist/rollback', { revision: 1 });
    expect(rolled.status).toBe(201);
    expect(rolled.body.revision).toMatchObject({ revision: 3, rollbackOf: 1, note: null });
    expect(rolled.body.diff).toMatchObject({ added: [konsert], removed: [torg] });
    expect(t.runtime.publishedPlaylist()?.items.map((i) => i.id)).toEqual([konsert, bad]);
    const draft = await maria.get('/api/playlist/draft');
    expect(draft.body.entries.map((e: { itemId: string }) => e.itemId)).toEqual([konsert, bad]);
    expect((await maria.post('/api/playlist/rollback', { revision: 3 })).status).toBe(409);
    expect((await maria.post('/api/playlist/rollback', { revision: 9 })).status).toBe(404);

    const revisions = await maria.get('/api/playlist/revisions?limit=2');
    expect(revisions.body).toMatchObject({ total: 3, limit: 2, offset: 0 });
    expect(revisions.body.items.map((r: { revision: number; live: boolean }) => [r.revision, r.live])).toEqual([
      [3, true],
      [2, false],
    ]);
    const two = await maria.get('/api/playlist/revisions/2');
    expect(PlaylistFile.safeParse(two.body.playlist).success).toBe(true);

    const db = new Database(join(t.dataDir, 'skylt.db'));
    expect(() => db.prepare("UPDATE playlist_revisions SET published_by = 'mallory'").run()).toThrow(/immutable/);
    expect(() => db.prepare('DELETE FROM playlist_revisions').run()).toThrow(/immutable/);
    db.close();
  });

  it('stops playing an item withdrawn after publishing: edited (back in review), archived or expired', async () => {
    const { t, kajsa, maria, approved } = await setup();
    const konsert = await approved(kajsa, concert());
    const torg = await approved(maria, info(['Julmarknad', 'Vara torg']));
    await saveDraft(maria, { entries: [{ itemId: konsert }, { itemId: torg }] });
    await maria.post('/api/playlist/publish');
    const seen: number[] = [];
    t.runtime.workflow.on('changed', () => seen.push(1));

    const edited = await kajsa.patch(`/api/items/${konsert}`, { dwellSeconds: 15 });
    const live = await kajsa.get('/api/playlist/live');
    expect(live.body).toMatchObject({ revision: 1, key: `1-${konsert}`, withdrawn: [konsert] });
    expect(live.body.items.map((i: { id: string }) => i.id)).toEqual([torg]);
    expect(seen.length).toBeGreaterThan(0);
    // Once approved again it needs publishing: the diff shows what changed.
    await maria.post(`/api/items/${konsert}/approve`, { revision: edited.body.item.revision });
    expect((await maria.get('/api/playlist/diff')).body.changed).toEqual([{ id: konsert, fields: ['dwellSeconds'] }]);
    expect(t.runtime.publishedPlaylist()?.withdrawn).toEqual([konsert]);
    await maria.post('/api/playlist/publish');
    expect(t.runtime.publishedPlaylist()?.items.map((i) => i.id)).toEqual([konsert, torg]);
    await maria.post(`/api/items/${torg}/archive`);
    expect(t.runtime.publishedPlaylist()?.items.map((i) => i.id)).toEqual([konsert]);
  });

  it('is what the signs play: published items by window and target sign, the fallback loop otherwise', async () => {
    const { t, kajsa, maria, approved } = await setup();
    const fallback = t.runtime.playlistFile.items.map((i) => i.id);
    expect(await signShows(t, 'E20-N', fallback)).toMatchObject({ priority: 'fallback' });
    const south = await approved(kajsa, concert({ signs: ['E20-S'] }));
    const weekend = await approved(maria, info(['Julmarknad', 'Vara torg'], { window: { days: ['sat', 'sun'] } }));
    await saveDraft(maria, { entries: [{ itemId: south }, { itemId: weekend }] });
    await maria.post('/api/playlist/publish');
    // Tuesday 1 December: the weekend item waits, and E20-N, with nothing published for it, keeps the fallback loop.
    t.clock.advance(10_000);
    expect(await signShows(t, 'E20-S', south)).toMatchObject({ priority: 'scheduled' });
    expect(t.runtime.itemsFor('E20-N').map((i) => i.id)).toEqual(fallback);
    await signShows(t, 'E20-N', fallback);
    // Saturday 5 December.
    t.clock.set(Date.parse('2026-12-05T10:00:00Z'));
    expect(await signShows(t, 'E20-N', weekend)).toMatchObject({ priority: 'scheduled' });
    expect(t.runtime.itemsFor('E20-S').map((i) => i.id)).toEqual([south, weekend]);
  });

  it('exports the live revision as a playlist file and imports it elsewhere, the same format both ways', async () => {
    const { kajsa, maria, approved } = await setup();
    const konsert = await approved(kajsa, concert({ window: { days: ['fri', 'sat'] } }));
    const torg = await approved(maria, info(['Julmarknad', 'Vara torg'], { signs: ['E20-N'] }));
    await saveDraft(maria, {
      entries: [{ itemId: torg }, { itemId: konsert }],
      settings: { shares: { kommun: 40, konserthus: 60 } },
    });
    await maria.post('/api/playlist/publish');
    const exported = await maria.get('/api/playlist/export?source=live');
    expect(exported.status).toBe(200);
    expect(exported.headers.get('content-disposition')).toMatch(/attachment/);
    const file = PlaylistFile.parse(exported.body);
    expect(file.items.map((i) => i.id)).toEqual([torg, konsert]);
    expect(file.items[1]?.window).toEqual({
      from: '2026-11-27T23:00:00.000Z',
      until: '2026-12-12T18:00:00.000Z',
      days: ['fri', 'sat'],
    });
    expect(file.settings).toEqual({ shares: { kommun: 40, konserthus: 60 } });

    const other = await build();
    try {
      const admin = await other.login('admin', 'admin-password-for-tests');
      const com = await other.user('maria', 'kommun', 'communicator');
      expect((await com.post('/api/playlist/import', exported.body)).status).toBe(403);
      const imported = await admin.post('/api/playlist/import?publish=true', exported.body);
      expect(imported.status).toBe(200);
      expect(imported.body).toMatchObject({
        created: [torg, konsert],
        updated: [],
        unchanged: [],
        revision: { revision: 1, publishedBy: 'admin' },
      });
      const again = await other.anonymous().get('/api/health');
      expect(again.status).toBe(200);
      const reexported = (await com.get('/api/playlist/export?source=live')).body;
      expect(reexported).toEqual(exported.body);
      const item = (await com.get(`/api/items/${konsert}`)).body.item;
      expect(item).toMatchObject({ state: 'approved', decidedBy: 'admin' });
      const second = await admin.post('/api/playlist/import?publish=true', exported.body);
      expect(second.body).toMatchObject({ created: [], unchanged: [torg, konsert], revision: null });
      // A file that breaks the rules changes nothing.
      const broken = structuredClone(exported.body);
      broken.items[0].content.lines = ['Stor julmarknad på torget i Vara', 'lördag och söndag med tomte och musik'];
      const refused = await admin.post('/api/playlist/import', broken);
      expect(refused.status).toBe(422);
      expect(refused.body.issues[0].field).toMatch(/^items\.0\.content\.lines\.\d$/);
      expect((await com.get(`/api/items/${torg}`)).body.item.content.lines).toEqual(['Julmarknad', 'Vara torg']);
    } finally {
      await other.close();
    }
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import { build, type Client, type TestApp } from '../helper.ts';
import { concert, info, saveDraft } from './helpers.ts';

/**
 * Issue 13.3, no lost updates: the draft carries a version (ETag / If-Match), a stale save answers 409 with the
 * draft as it is now, and approve-into-draft is one transaction. Two communicators, two real sessions, over HTTP.
 */

let t: TestApp;
afterEach(async () => {
  await t?.close();
});

async function setup() {
  t = await build();
  const kajsa = await t.user('kajsa', 'konserthus', 'submitter');
  const maria = await t.user('maria', 'kommun', 'communicator');
  const per = await t.user('per', 'kommun', 'communicator');
  /** Submitted (pending) items, as Konserthus would send them. */
  const pending = async (n: number) => {
    const ids: string[] = [];
    for (let i = 0; i < n; i++) {
      const res = await kajsa.post('/api/items', concert({ submit: true, id: `konsert-${i + 1}` }));
      if (res.status !== 201) throw new Error(JSON.stringify(res.body));
      ids.push(res.body.item.id);
    }
    return ids;
  };
  const approved = async (client: Client, lines: string[]) => {
    const created = await client.post('/api/items', info(lines, { submit: true }));
    const res = await client.post(`/api/items/${created.body.item.id}/approve`, { revision: 1 });
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    return created.body.item.id as string;
  };
  return { kajsa, maria, per, pending, approved };
}

const put = (client: Client, body: unknown, etag?: string) =>
  client.request('PUT', '/api/playlist/draft', body, etag === undefined ? {} : { headers: { 'if-match': etag } });
const entriesOf = async (client: Client) =>
  ((await client.get('/api/playlist/draft')).body.entries as { itemId: string }[]).map((e) => e.itemId);

describe('the playlist draft carries a version', () => {
  it('GET answers the version as an ETag; a PUT needs If-Match (428 without, 400 for a value that is no ETag)', async () => {
    const { maria, approved } = await setup();
    const a = await approved(maria, ['Julmarknad', 'Vara torg']);
    const first = await maria.get('/api/playlist/draft');
    expect(first.headers.get('etag')).toBe('"draft-0"');
    expect(first.body.version).toBe(0);

    const without = await put(maria, { entries: [{ itemId: a }] });
    expect(without.status).toBe(428);
    expect(without.body).toMatchObject({ statusCode: 428, error: 'Precondition Required' });
    expect(without.body.message).toMatch(/send If-Match with the ETag of the draft you changed/);
    for (const bad of ['*', 'draft-0', '"version-0"', '"draft-0", "draft-1"']) {
      const res = await put(maria, { entries: [{ itemId: a }] }, bad);
      expect(res.status, bad).toBe(400);
      expect(res.body.issues).toEqual([{ field: 'If-Match', message: 'not an ETag of the draft' }]);
    }
    expect(await entriesOf(maria)).toEqual([]);

    const saved = await put(maria, { entries: [{ itemId: a }] }, '"draft-0"');
    expect(saved.status).toBe(200);
    expect(saved.headers.get('etag')).toBe('"draft-1"');
    expect(saved.body).toMatchObject({ version: 1, entries: [{ itemId: a }] });
    // A weak validator (a proxy may weaken it) names the same version.
    expect((await put(maria, { entries: [] }, 'W/"draft-1"')).status).toBe(200);
  });

  it('a save from a stale page answers 409 with the draft as it is now, and overwrites nothing', async () => {
    const { maria, per, approved } = await setup();
    const a = await approved(maria, ['Julmarknad', 'Vara torg']);
    const b = await approved(per, ['Biblioteket', 'öppet till 19']);
    // Both open /spellista on the same version.
    const seenByMaria = (await maria.get('/api/playlist/draft')).headers.get('etag') ?? '';
    const seenByPer = (await per.get('/api/playlist/draft')).headers.get('etag') ?? '';
    expect(seenByPer).toBe(seenByMaria);

    expect((await put(maria, { entries: [{ itemId: a }] }, seenByMaria)).status).toBe(200);
    const stale = await put(per, { entries: [{ itemId: b }] }, seenByPer);
    expect(stale.status).toBe(409);
    expect(stale.headers.get('etag')).toBe('"draft-1"');
    expect(stale.body.message).toMatch(
      /^the draft has changed since version 0: it is now version 1 \(saved by maria at .*\); nothing was saved: reload the draft/,
    );
    expect(stale.body.draft).toMatchObject({ version: 1, updatedBy: 'maria', entries: [{ itemId: a }] });
    expect(await entriesOf(maria)).toEqual([a]);

    // Per merges: his change made again on the current draft, with its ETag.
    const merged = await put(per, { entries: [{ itemId: a }, { itemId: b }] }, stale.headers.get('etag') ?? '');
    expect(merged.status).toBe(200);
    expect(await entriesOf(maria)).toEqual([a, b]);
    const audit = (await maria.get('/api/audit?subject=playlist:draft')).body.items;
    expect(audit.map((e: { actor: string }) => e.actor)).toEqual(['per', 'maria']);
  });

  it('a stale page cannot publish changes it has not seen; a rollback also moves the version on', async () => {
    const { maria, per, approved } = await setup();
    const a = await approved(maria, ['Julmarknad', 'Vara torg']);
    const b = await approved(maria, ['Biblioteket', 'öppet till 19']);
    await saveDraft(maria, { entries: [{ itemId: a }] });
    expect((await maria.post('/api/playlist/publish', { note: 'första' })).status).toBe(201);
    // Maria looks at the draft (version 1); Per adds b meanwhile.
    const seen = (await maria.get('/api/playlist/draft')).headers.get('etag') ?? '';
    expect((await saveDraft(per, { entries: [{ itemId: a }, { itemId: b }] })).status).toBe(200);
    const publish = await maria.request(
      'POST',
      '/api/playlist/publish',
      { note: 'min' },
      { headers: { 'if-match': seen } },
    );
    expect(publish.status).toBe(409);
    expect(publish.body.draft.entries.map((e: { itemId: string }) => e.itemId)).toEqual([a, b]);
    expect(t.runtime.publishedPlaylist()?.revision).toBe(1);
    // Having seen it, she publishes it.
    const fresh = (await maria.get('/api/playlist/draft')).headers.get('etag') ?? '';
    expect((await maria.request('POST', '/api/playlist/publish', {}, { headers: { 'if-match': fresh } })).status).toBe(
      201,
    );

    // A rollback rewrites the draft: a save made on the version before it is stale.
    const beforeRollback = (await per.get('/api/playlist/draft')).headers.get('etag') ?? '';
    expect((await maria.post('/api/playlist/rollback', { revision: 1 })).status).toBe(201);
    const late = await put(per, { entries: [{ itemId: b }] }, beforeRollback);
    expect(late.status).toBe(409);
    expect(late.body.draft.entries.map((e: { itemId: string }) => e.itemId)).toEqual([a]);
  });
});

describe('approve into the draft is one step on the server', () => {
  it('two communicators approving at once with "Lägg i spellistans utkast" both land in the draft', async () => {
    const { maria, per, pending } = await setup();
    const ids = await pending(8);
    // Alternating reviewers, all at once, each approval adding to the draft.
    const answers = await Promise.all(
      ids.map((id, i) => (i % 2 ? per : maria).post(`/api/items/${id}/approve`, { revision: 1, addToDraft: true })),
    );
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.body.draft).toMatchObject({ added: true });
      expect(a.headers.get('etag')).toBe(`"draft-${a.body.draft.version}"`);
    }
    expect(new Set(answers.map((a) => a.body.draft.version)).size).toBe(ids.length);
    expect((await entriesOf(maria)).sort()).toEqual([...ids].sort());
    const draft = (await maria.get('/api/playlist/draft')).body;
    expect(draft).toMatchObject({ version: ids.length, publishable: true });
    const appends = (await maria.get('/api/audit?subject=playlist:draft&limit=50')).body.items.filter(
      (e: { action: string }) => e.action === 'playlist.draft.append',
    );
    expect(appends).toHaveLength(ids.length);
  });

  it('an approval that is refused adds nothing to the draft, and an item already there is not added twice', async () => {
    const { kajsa, maria, pending } = await setup();
    const [id] = await pending(1);
    const wordy = await kajsa.post(
      '/api/items',
      info(['Stor julmarknad med hantverk och', 'musik hela dagen på Vara torg'], { submit: true }),
    );
    const refused = await maria.post(`/api/items/${wordy.body.item.id}/approve`, { revision: 1, addToDraft: true });
    expect(refused.status).toBe(422);
    const stale = await maria.post(`/api/items/${id}/approve`, { revision: 7, addToDraft: true });
    expect(stale.status).toBe(409);
    expect(await entriesOf(maria)).toEqual([]);
    expect((await maria.get('/api/playlist/draft')).body.version).toBe(0);

    // A pending item may already be in the draft: approving it keeps one entry.
    await saveDraft(maria, { entries: [{ itemId: id }] });
    const ok = await maria.post(`/api/items/${id}/approve`, { revision: 1, addToDraft: true });
    expect(ok.body.draft).toEqual({ version: 1, added: false });
    expect(await entriesOf(maria)).toEqual([id]);
  });

  it('approving without addToDraft leaves the draft alone', async () => {
    const { maria, pending } = await setup();
    const [id] = await pending(1);
    const res = await maria.post(`/api/items/${id}/approve`, { revision: 1 });
    expect(res.status).toBe(200);
    expect(res.body.draft).toBeUndefined();
    expect(await entriesOf(maria)).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type Client, type TestApp } from '../helper.ts';
import { concert } from './helpers.ts';

/**
 * Issue 12.10: a decision is about the content the reviewer saw. A submitter who changes the text after the
 * communicator opened the card must not get the new text approved by the old click. Two real sessions over HTTP.
 */
describe('approval is tied to the revision the reviewer saw', () => {
  let t: TestApp;
  let kajsa: Client;
  let maria: Client;

  beforeAll(async () => {
    t = await build();
    kajsa = await t.user('kajsa', 'konserthus', 'submitter');
    maria = await t.user('maria', 'kommun', 'communicator');
  });
  afterAll(async () => {
    await t.close();
  });

  const audit = async (id: string) =>
    ((await maria.get(`/api/audit?subject=item:${id}`)).body.items as { action: string; actor: string }[]).map(
      (e) => `${e.actor} ${e.action}`,
    );

  it('a submitter edits the text after the communicator opened the card: Godkänn answers 409 with the new text, and approves nothing', async () => {
    const created = await kajsa.post('/api/items', concert({ submit: true }));
    const id = created.body.item.id as string;
    // Maria opens the card: she sees revision 1, "Julkonsert".
    const seen = (await maria.get(`/api/items/${id}`)).body.item;
    expect(seen).toMatchObject({ revision: 1, content: { title: 'Julkonsert' } });

    // Meanwhile Kajsa changes the title (still pending, revision 2).
    const edited = await kajsa.patch(`/api/items/${id}`, { content: { ...concert().content, title: 'Julgala' } });
    expect(edited.body.item).toMatchObject({ state: 'pending', revision: 2 });

    // Maria's click carries what she saw: refused, with the item as it is now.
    const approve = await maria.post(`/api/items/${id}/approve`, { revision: seen.revision });
    expect(approve.status).toBe(409);
    expect(approve.body.message).toBe(
      `item "${id}" has changed since you reviewed revision 1: it is now revision 2 (changed by kajsa at ${edited.body.item.updatedAt}); review the new content before you approve it`,
    );
    expect(approve.body.item).toMatchObject({ id, state: 'pending', revision: 2, content: { title: 'Julgala' } });
    expect(approve.body.lint).toMatchObject({ errors: 0 });
    const reject = await maria.post(`/api/items/${id}/reject`, { reason: 'Fel datum', revision: 1 });
    expect(reject.status).toBe(409);
    expect(reject.body.item.revision).toBe(2);

    // Nothing was decided.
    expect((await kajsa.get(`/api/items/${id}`)).body.item).toMatchObject({ state: 'pending', decidedBy: null });
    expect(await audit(id)).toEqual(['kajsa item.edit', 'kajsa item.create+submit']);

    // Having seen revision 2, she approves it.
    const ok = await maria.post(`/api/items/${id}/approve`, { revision: 2 });
    expect(ok.status).toBe(200);
    expect(ok.body.item).toMatchObject({ state: 'approved', revision: 2, decidedBy: 'maria' });
  });

  it('a decision without the revision is refused with a message that says what to send', async () => {
    const id = (await kajsa.post('/api/items', concert({ submit: true }))).body.item.id as string;
    const none = await maria.request('POST', `/api/items/${id}/approve`);
    expect(none.status).toBe(400);
    expect(none.body.message).toMatch(/"revision" of the item as you reviewed it/);
    const empty = await maria.post(`/api/items/${id}/approve`, {});
    expect(empty.status).toBe(400);
    expect(empty.body.issues).toEqual([
      {
        field: 'revision',
        message: 'required: the "revision" of the item as you reviewed it (from GET /api/items/{id})',
      },
    ]);
    const typo = await maria.post(`/api/items/${id}/approve`, { revison: 1 });
    expect(typo.status).toBe(400);
    expect(typo.body.issues).toContainEqual({
      field: '(body)',
      message: 'unknown field "revison": the fields are "revision", "addToDraft"',
    });
    const noRevision = await maria.post(`/api/items/${id}/reject`, { reason: 'Skriv vad som händer' });
    expect(noRevision.status).toBe(400);
    expect(noRevision.body.issues[0].field).toBe('revision');
    expect((await maria.get(`/api/items/${id}`)).body.item.state).toBe('pending');
  });

  it('a second reviewer who decides after the first gets 409 with the decision already made', async () => {
    const per = await t.user('per', 'kommun', 'communicator');
    const id = (await kajsa.post('/api/items', concert({ submit: true }))).body.item.id as string;
    expect((await maria.post(`/api/items/${id}/approve`, { revision: 1 })).status).toBe(200);
    const late = await per.post(`/api/items/${id}/reject`, { reason: 'För lång text', revision: 1 });
    expect(late.status).toBe(409);
    expect(late.body.item).toMatchObject({ state: 'approved', decidedBy: 'maria' });
  });

  it('an edit racing an approval never gets its text approved by the earlier click', async () => {
    for (let round = 0; round < 6; round++) {
      const id = (await kajsa.post('/api/items', concert({ submit: true }))).body.item.id as string;
      const [approve, edit] = await Promise.all([
        maria.post(`/api/items/${id}/approve`, { revision: 1 }),
        kajsa.patch(`/api/items/${id}`, { content: { ...concert().content, title: `Julgala ${round}` } }),
      ]);
      expect(edit.status).toBe(200);
      const now = (await maria.get(`/api/items/${id}`)).body.item;
      const approvals = (await maria.get(`/api/audit?subject=item:${id}`)).body.items.filter(
        (e: { action: string }) => e.action === 'item.approve',
      );
      if (approve.status === 200) {
        // The approval came first: it approved revision 1 ("Julkonsert"); the edit then sent it back to review.
        expect(approvals).toHaveLength(1);
        expect(approvals[0].after).toMatchObject({ revision: 1, content: { title: 'Julkonsert' } });
        expect(now).toMatchObject({ state: 'pending', revision: 2 });
      } else {
        expect(approve.status).toBe(409);
        expect(approvals).toHaveLength(0);
        expect(now).toMatchObject({ state: 'pending', revision: 2, content: { title: `Julgala ${round}` } });
      }
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  allowedActions,
  ITEM_ACTIONS,
  ITEM_STATES,
  type ItemAction,
  type ItemState,
  transition,
} from '../../src/domain/item-lifecycle.ts';
import { build, type Client, type TestApp } from '../helper.ts';
import { concert } from './helpers.ts';

/** The lifecycle as the issue states it: draft -> pending -> approved | rejected -> expired | archived. */
const EXPECTED: Record<ItemState, Partial<Record<ItemAction, ItemState>>> = {
  draft: { edit: 'draft', submit: 'pending', archive: 'archived' },
  pending: { edit: 'pending', approve: 'approved', reject: 'rejected', expire: 'expired', archive: 'archived' },
  approved: { edit: 'pending', expire: 'expired', archive: 'archived' },
  rejected: { edit: 'rejected', submit: 'pending', archive: 'archived' },
  expired: { edit: 'draft', archive: 'archived' },
  archived: {},
};

describe('the lifecycle table', () => {
  it('allows exactly the transitions of the workflow and refuses every other one, saying why', () => {
    for (const state of ITEM_STATES) {
      for (const action of ITEM_ACTIONS) {
        const result = transition(state, action);
        const want = EXPECTED[state][action];
        if (want) expect(result, `${action} ${state}`).toEqual({ ok: true, to: want });
        else {
          expect(result.ok, `${action} ${state}`).toBe(false);
          if (!result.ok) expect(result.reason).toMatch(new RegExp(`^the item is ${state}: `));
        }
      }
      expect(allowedActions(state)).toEqual(ITEM_ACTIONS.filter((a) => a !== 'expire' && EXPECTED[state][a]));
    }
  });
});

describe('every transition over HTTP', () => {
  let t: TestApp;
  let sub: Client;
  let com: Client;
  let admin: Client;
  const state = async (id: string) => {
    const res = await com.get(`/api/items/${id}`);
    if (res.status !== 200) throw new Error(`GET ${id}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.item;
  };

  beforeAll(async () => {
    t = await build();
    sub = await t.user('kajsa', 'konserthus', 'submitter');
    com = await t.user('maria', 'kommun', 'communicator');
    admin = await t.login('admin', 'admin-password-for-tests');
  });
  afterAll(async () => {
    await t.close();
  });

  it('draft -> pending -> approved -> (edit) pending -> approved -> archived, with the illegal steps refused (409)', async () => {
    const created = await sub.post('/api/items', concert());
    expect(created.status).toBe(201);
    const id = created.body.item.id as string;
    expect(created.body.item).toMatchObject({ state: 'draft', revision: 1, actions: ['edit', 'submit', 'archive'] });

    // A communicator does not even see another organisation's draft; an admin does, and is refused.
    expect((await com.post(`/api/items/${id}/approve`, { revision: 1 })).status).toBe(404);
    const approveDraft = await admin.post(`/api/items/${id}/approve`, { revision: 1 });
    expect(approveDraft.status).toBe(409);
    expect(approveDraft.body.message).toBe(
      `cannot approve "${id}": the item is draft: only a pending item can be approved; submit it first`,
    );
    expect((await admin.post(`/api/items/${id}/reject`, { reason: 'för lång text', revision: 1 })).status).toBe(409);

    const edited = await sub.patch(`/api/items/${id}`, { dwellSeconds: 15 });
    expect(edited.body.item).toMatchObject({ state: 'draft', revision: 2, dwellSeconds: 15 });

    expect((await sub.post(`/api/items/${id}/submit`)).body.item.state).toBe('pending');
    const again = await sub.post(`/api/items/${id}/submit`);
    expect(again.status).toBe(409);
    expect(again.body.message).toMatch(/the item is pending: only a draft or a rejected item can be submitted/);

    const editPending = await sub.patch(`/api/items/${id}`, { dwellSeconds: 12 });
    expect(editPending.body.item).toMatchObject({ state: 'pending', revision: 3 });

    const approved = await com.post(`/api/items/${id}/approve`, { revision: 3 });
    expect(approved.status).toBe(200);
    expect(approved.body.item).toMatchObject({ state: 'approved', decidedBy: 'maria' });
    const twice = await com.post(`/api/items/${id}/approve`, { revision: 3 });
    expect(twice.status).toBe(409);
    expect(twice.body.item).toMatchObject({ state: 'approved', revision: 3 });
    expect((await com.post(`/api/items/${id}/reject`, { reason: 'ändrade mig', revision: 3 })).status).toBe(409);
    expect((await sub.post(`/api/items/${id}/submit`)).status).toBe(409);

    // Any edit of an approved item goes back to review.
    const reedit = await sub.patch(`/api/items/${id}`, { content: { ...concert().content, title: 'Julkonserten' } });
    expect(reedit.body.item).toMatchObject({ state: 'pending', revision: 4, decidedBy: null });
    expect((await com.post(`/api/items/${id}/approve`, { revision: 4 })).body.item.state).toBe('approved');

    expect((await sub.post(`/api/items/${id}/archive`)).body.state).toBe('archived');
    for (const [method, path, body] of [
      ['POST', 'archive', undefined],
      ['POST', 'submit', undefined],
      ['POST', 'approve', { revision: 4 }],
      ['POST', 'reject', { reason: 'för sent', revision: 4 }],
      ['PATCH', '', { dwellSeconds: 20 }],
    ] as const) {
      const res = await (method === 'PATCH'
        ? sub.patch(`/api/items/${id}`, body)
        : (path === 'approve' || path === 'reject' ? com : sub).post(`/api/items/${id}/${path}`, body));
      expect(res.status, `${method} ${path} on archived`).toBe(409);
      expect(res.body.message).toMatch(/the item is archived/);
    }
    expect((await state(id)).state).toBe('archived');
  });

  it('pending -> rejected with a reason -> fixed -> pending -> approved', async () => {
    const id = (await sub.post('/api/items', concert({ submit: true }))).body.item.id as string;
    const noReason = await com.post(`/api/items/${id}/reject`, { revision: 1 });
    expect(noReason.status).toBe(400);
    expect(noReason.body.issues[0].field).toBe('reason');
    const rejected = await com.post(`/api/items/${id}/reject`, {
      reason: 'Skriv datumet i titeln i stället',
      revision: 1,
    });
    expect(rejected.body).toMatchObject({
      state: 'rejected',
      rejectionReason: 'Skriv datumet i titeln i stället',
      decidedBy: 'maria',
    });
    expect((await com.post(`/api/items/${id}/approve`, { revision: 1 })).status).toBe(409);
    // The submitter sees why, fixes it (still rejected, the reason still shown), and submits again.
    const seen = await sub.get(`/api/items/${id}`);
    expect(seen.body.item).toMatchObject({ state: 'rejected', rejectionReason: 'Skriv datumet i titeln i stället' });
    const fixed = await sub.patch(`/api/items/${id}`, { content: { ...concert().content, title: 'Julgala' } });
    expect(fixed.body.item).toMatchObject({ state: 'rejected', rejectionReason: 'Skriv datumet i titeln i stället' });
    const resubmitted = await sub.post(`/api/items/${id}/submit`);
    expect(resubmitted.body.item).toMatchObject({ state: 'pending', rejectionReason: null });
    const approved = await com.post(`/api/items/${id}/approve`, { revision: resubmitted.body.item.revision });
    expect(approved.body.item?.state, JSON.stringify(approved.body)).toBe('approved');
  });

  it('approved and pending items expire when their window ends; an expired item is edited back to a draft', async () => {
    const approvedId = (await sub.post('/api/items', concert({ submit: true }))).body.item.id as string;
    await com.post(`/api/items/${approvedId}/approve`, { revision: 1 });
    const pendingId = (await sub.post('/api/items', concert({ submit: true }))).body.item.id as string;
    const draftId = (await sub.post('/api/items', concert())).body.item.id as string;
    // The concert starts 2026-12-12 19:00 (Vara): its default window ends then.
    t.clock.set(Date.parse('2026-12-12T18:00:00Z'));
    await t.runtime.tick();
    // Eleven days on, the sessions have ended too.
    sub = await t.login('kajsa');
    com = await t.login('maria');
    expect((await state(approvedId)).state).toBe('expired');
    expect((await state(pendingId)).state).toBe('expired');
    expect((await sub.get(`/api/items/${draftId}`)).body.item.state).toBe('draft');
    const approveExpired = await com.post(`/api/items/${pendingId}/approve`, { revision: 1 });
    expect(approveExpired.status).toBe(409);
    expect(approveExpired.body.message).toMatch(/the item is expired/);
    // A past start is refused with the field named; a new date brings it back as a draft.
    const stale = await sub.patch(`/api/items/${approvedId}`, { dwellSeconds: 12 });
    expect(stale.status).toBe(400);
    expect(stale.body.issues).toEqual([
      { field: 'content.startsAt', message: 'the event has already started: nothing is left to announce' },
    ]);
    const moved = await sub.patch(`/api/items/${approvedId}`, {
      content: { ...concert().content, startsAt: '2027-01-10T19:00:00+01:00' },
    });
    expect(moved.body.item).toMatchObject({ state: 'draft' });
    expect((await sub.post(`/api/items/${approvedId}/archive`)).body.state).toBe('archived');
    const audit = (await com.get(`/api/audit?subject=item:${pendingId}`)).body.items;
    expect(audit.map((e: { action: string }) => e.action)).toEqual(['item.expire', 'item.create+submit']);
    expect(audit[0]).toMatchObject({ actor: 'system', before: { state: 'pending' }, after: { state: 'expired' } });
  });

  it('refuses an edit made on a stale revision', async () => {
    const id = (
      await sub.post(
        '/api/items',
        concert({ content: { ...concert().content, startsAt: '2027-02-01T19:00:00+01:00' } }),
      )
    ).body.item.id as string;
    expect((await sub.patch(`/api/items/${id}`, { dwellSeconds: 11, expectedRevision: 1 })).status).toBe(200);
    const stale = await sub.patch(`/api/items/${id}`, { dwellSeconds: 12, expectedRevision: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.message).toMatch(/has changed since revision 1 \(now 2\)/);
  });
});

/**
 * 12.11: the audit log is no side door. A Konserthus draft, its picture, the user list, API tokens and failed
 * sign-ins stay out of what a Vara kommun communicator reads at GET /api/audit, and pages are still full.
 */
import { createCanvas } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, build, type Client, type TestApp } from '../helper.ts';
import { concert, info } from '../workflow/helpers.ts';

let t: TestApp;
let admin: Client;
let kajsa: Client;
let maria: Client;
let draftId: string;
let submittedId: string;
let imageId: string;

beforeAll(async () => {
  t = await build();
  admin = await t.login('admin', ADMIN_PASSWORD);
  kajsa = await t.user('kajsa', 'konserthus', 'submitter');
  maria = await t.user('maria', 'kommun', 'communicator');
  await admin.post('/api/tokens', { name: 'konserthus-webb', organisation: 'konserthus', role: 'submitter' });
  await t.anonymous().post('/api/auth/login', { username: 'maria', password: 'not-her-password' });
  // A Konserthus draft with a secret title and picture: never submitted.
  const canvas = createCanvas(300, 150);
  const form = new FormData();
  form.append('file', new Blob([canvas.encodeSync('png')]), 'hemlig-affisch.png');
  imageId = (await kajsa.post('/api/images', form)).body.id;
  draftId = (await kajsa.post('/api/items', concert({ content: { ...concert().content, title: 'Hemlig gäst' } }))).body
    .item.id;
  await kajsa.patch(`/api/items/${draftId}`, { content: { ...concert().content, title: 'Hemlig gäst 2' } });
  // Another that was a draft first, then submitted: from the submission on, it is review business.
  submittedId = (await kajsa.post('/api/items', concert({ content: { ...concert().content, title: 'Utkast först' } })))
    .body.item.id;
  await kajsa.patch(`/api/items/${submittedId}`, { content: { ...concert().content, title: 'Julkonsert i Vara' } });
  await kajsa.post(`/api/items/${submittedId}/submit`);
  // Vara kommun's own items.
  for (let i = 0; i < 12; i++) await maria.post('/api/items', info([`Kommunen ${i}`, 'öppet i dag']));
}, 60_000);
afterAll(async () => {
  await t?.close();
});

type Row = { id: number; subject: string; action: string; before: unknown };
async function everything(client: Client): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: number | null = null;
  for (;;) {
    const page: { body: { items: Row[]; nextCursor: number | null } } = await client.get(
      `/api/audit?limit=7${cursor ? `&cursor=${cursor}` : ''}`,
    );
    rows.push(...page.body.items);
    if (page.body.nextCursor === null) return rows;
    cursor = page.body.nextCursor;
  }
}

describe('what a communicator reads in the audit log', () => {
  it("nothing of another organisation's drafts or pictures, users, tokens or sign-ins", async () => {
    const rows = await everything(maria);
    const text = JSON.stringify(rows);
    expect(text).not.toContain('Hemlig gäst');
    expect(text).not.toContain('hemlig-affisch');
    expect(text).not.toContain('konserthus-webb');
    expect(text).not.toContain('not-her-password');
    expect(rows.filter((r) => /^(user|token|image):/.test(r.subject) || r.action.startsWith('session.'))).toEqual([]);
    expect(rows.some((r) => r.subject === `item:${draftId}`)).toBe(false);
    // The submitted item is there from its submission, without its draft past.
    const submitted = rows.filter((r) => r.subject === `item:${submittedId}`);
    expect(submitted.map((r) => r.action)).toEqual(['item.submit']);
    expect(text).not.toContain('Utkast först');
    // Its own organisation's rows, all of them, over full pages.
    expect(rows.filter((r) => r.action === 'item.create')).toHaveLength(12);
  });

  it('the admin reads every row; a konserthus submitter reads none', async () => {
    const rows = await everything(admin);
    const text = JSON.stringify(rows);
    for (const s of ['Hemlig gäst', 'hemlig-affisch', 'konserthus-webb']) expect(text).toContain(s);
    expect(rows.some((r) => r.subject === `image:${imageId}`)).toBe(true);
    expect((await kajsa.get('/api/audit')).status).toBe(403);
  });

  it('a subject filter cannot reach around the rules', async () => {
    for (const subject of [`item:${draftId}`, `image:${imageId}`, 'user:kajsa', 'user:maria']) {
      const res = await maria.get(`/api/audit?subject=${encodeURIComponent(subject)}`);
      expect(res.status).toBe(200);
      expect(res.body.items).toEqual([]);
    }
  });
});

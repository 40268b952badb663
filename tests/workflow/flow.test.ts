import { createCanvas } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, build, PASSWORD } from '../helper.ts';
import { concert, info, saveDraft, signShows } from './helpers.ts';

/**
 * The whole content workflow as the people at Vara would live it, through the real HTTP API against a real SQLite
 * file: accounts, a website token, submissions, review with previews, rejection and a fix, the shared playlist,
 * publishing, what the signs then play, an edit after publishing, rollback, the audit log, and a restart.
 */
describe('Konserthus submits, Vara kommun approves and publishes', () => {
  it('runs from first start to a published playlist on the signs, and survives a restart', async () => {
    let t = await build();
    const dataDir = t.dataDir;
    try {
      // The admin creates the people (passwords generated, shown once) and a token for the Konserthus website.
      const admin = await t.login('admin', ADMIN_PASSWORD);
      const kajsaUser = await admin.post('/api/users', {
        username: 'kajsa',
        displayName: 'Kajsa K',
        organisation: 'konserthus',
        role: 'submitter',
      });
      const mariaUser = await admin.post('/api/users', {
        username: 'maria',
        organisation: 'kommun',
        role: 'communicator',
      });
      expect(kajsaUser.status).toBe(201);
      // A generated password works for one thing only: choosing their own.
      const kajsa = await t.login('kajsa', kajsaUser.body.generatedPassword);
      expect((await kajsa.post('/api/items', concert())).status).toBe(403);
      for (const [client, generated] of [
        [kajsa, kajsaUser.body.generatedPassword],
        [await t.login('maria', mariaUser.body.generatedPassword), mariaUser.body.generatedPassword],
      ] as const) {
        const changed = await client.post('/api/auth/password', { currentPassword: generated, newPassword: PASSWORD });
        expect(changed.status).toBe(204);
      }
      const maria = await t.login('maria', PASSWORD);
      const tokenRes = await admin.post('/api/tokens', {
        name: 'varakonserthus.se',
        organisation: 'konserthus',
        role: 'submitter',
      });
      const website = t.client({ bearer: tokenRes.body.token });

      // The website submits a concert for review at once; Kajsa uploads a poster and drafts an image item.
      const event = await website.post('/api/items', concert({ submit: true }));
      expect(event.body.item).toMatchObject({
        state: 'pending',
        organisation: 'konserthus',
        createdBy: 'token:varakonserthus.se',
      });
      const canvas = createCanvas(600, 300);
      const ctx = canvas.getContext('2d');
      ctx.fillStyle = '#202040';
      ctx.fillRect(0, 0, 600, 300);
      const form = new FormData();
      form.append('file', new Blob([canvas.encodeSync('png')]), 'affisch.png');
      const image = await kajsa.post('/api/images', form);
      expect(image.status).toBe(201);
      const poster = await kajsa.post('/api/items', {
        content: { kind: 'image', image: image.body.id, caption: 'Konserthuset' },
        infoLink: 'https://varakonserthus.se/program',
        window: { from: '2026-12-01T00:00:00+01:00', until: '2026-12-24T00:00:00+01:00' },
      });
      expect(poster.body.item.state).toBe('draft');
      // Not yet submitted: the reviewer does not see it.
      expect((await maria.get('/api/items?state=draft&organisation=konserthus')).body.total).toBe(0);
      expect((await kajsa.post(`/api/items/${poster.body.item.id}/submit`)).body.item.state).toBe('pending');

      // Maria reviews the queue with a preview of each sign, rejects the poster with a reason, approves the concert.
      const queue = await maria.get('/api/items?state=pending');
      expect(queue.body.items.map((i: { id: string }) => i.id).sort()).toEqual(
        [event.body.item.id, poster.body.item.id].sort(),
      );
      for (const item of queue.body.items) {
        for (const url of Object.values(item.previews) as string[]) {
          const png = await maria.get(url);
          expect(png.status).toBe(200);
          expect(png.headers.get('content-type')).toBe('image/png');
        }
      }
      const rejected = await maria.post(`/api/items/${poster.body.item.id}/reject`, {
        reason: 'Bildtexten ska säga vad som händer',
        revision: 1,
      });
      expect(rejected.body.state).toBe('rejected');
      expect((await maria.post(`/api/items/${event.body.item.id}/approve`, { revision: 1 })).body.item.state).toBe(
        'approved',
      );

      // Kajsa sees why, fixes it, resubmits; Maria approves.
      const mine = (await kajsa.get(`/api/items/${poster.body.item.id}`)).body.item;
      expect(mine.rejectionReason).toBe('Bildtexten ska säga vad som händer');
      await kajsa.patch(`/api/items/${poster.body.item.id}`, {
        content: { kind: 'image', image: image.body.id, caption: 'Julkonserter' },
      });
      await kajsa.post(`/api/items/${poster.body.item.id}/submit`);
      expect((await maria.post(`/api/items/${poster.body.item.id}/approve`, { revision: 2 })).status).toBe(200);

      // Kommun's own item, submitted and approved by Maria.
      const kommun = await maria.post(
        '/api/items',
        info(['Julmarknad', 'Vara torg'], { submit: true, dwellSeconds: 12 }),
      );
      await maria.post(`/api/items/${kommun.body.item.id}/approve`, { revision: 1 });

      // The shared playlist: order, shares of airtime, the poster on the southbound sign only.
      const draft = await saveDraft(maria, {
        name: 'December',
        settings: { shares: { kommun: 50, konserthus: 50 } },
        entries: [
          { itemId: kommun.body.item.id },
          { itemId: event.body.item.id },
          { itemId: poster.body.item.id, signs: ['E20-S'] },
        ],
      });
      expect(draft.body.publishable).toBe(true);
      const diff = await maria.get('/api/playlist/diff');
      expect(diff.body.added).toEqual([kommun.body.item.id, event.body.item.id, poster.body.item.id]);
      expect((await kajsa.post('/api/playlist/publish')).status).toBe(403);
      const published = await maria.post('/api/playlist/publish', { note: 'December' });
      expect(published.body.revision).toMatchObject({ revision: 1, publishedBy: 'maria', itemCount: 3 });

      // The signs play it: the southbound sign also the poster, the northbound one never.
      const northbound = [kommun.body.item.id, event.body.item.id];
      expect(await signShows(t, 'E20-N', northbound)).toMatchObject({ priority: 'scheduled' });
      await signShows(t, 'E20-S', [...northbound, poster.body.item.id]);
      const seenNorth = new Set<string>();
      for (let i = 0; i < 6; i++) {
        t.clock.advance(12_000);
        seenNorth.add((await signShows(t, 'E20-N', northbound)).itemId);
      }
      expect([...seenNorth].sort()).toEqual([...northbound].sort());
      expect(t.runtime.publishedPlaylist()?.items).toHaveLength(3);

      // The website moves the concert: it goes back to review and off the signs until approved and published again.
      const moved = await website.patch(`/api/items/${event.body.item.id}`, {
        content: { ...concert().content, startsAt: '2026-12-13T18:00:00+01:00' },
      });
      expect(moved.body.item.state).toBe('pending');
      expect((await kajsa.get('/api/playlist/live')).body.withdrawn).toEqual([event.body.item.id]);
      const blocked = await maria.post('/api/playlist/publish');
      expect(blocked.status).toBe(409);
      await maria.post(`/api/items/${event.body.item.id}/approve`, { revision: moved.body.item.revision });
      expect((await maria.get('/api/playlist/diff')).body.changed).toEqual([
        { id: event.body.item.id, fields: ['content', 'window'] },
      ]);
      expect((await maria.post('/api/playlist/publish')).body.revision.revision).toBe(2);

      // A rollback makes revision 1 live again as revision 3; its concert is the old one, so it stays off the signs.
      const rollback = await maria.post('/api/playlist/rollback', { revision: 1, note: 'fel datum' });
      expect(rollback.body.revision).toMatchObject({ revision: 3, rollbackOf: 1, note: 'fel datum' });
      expect(t.runtime.publishedPlaylist()).toMatchObject({ revision: 3, withdrawn: [event.body.item.id] });

      // Everything is in the audit log: who, what, when, before and after. Submitters cannot read it.
      const audit = await maria.get('/api/audit?limit=200');
      const actions = audit.body.items.map((e: { actor: string; action: string }) => `${e.actor} ${e.action}`);
      // Users and tokens are an admin's business (12.11): the admin reads them, the communicator does not.
      const adminActions = (await admin.get('/api/audit?limit=200')).body.items.map(
        (e: { actor: string; action: string }) => `${e.actor} ${e.action}`,
      );
      for (const adminOnly of ['admin user.create', 'admin token.create', 'kajsa user.password']) {
        expect(adminActions).toContain(adminOnly);
        expect(actions).not.toContain(adminOnly);
      }
      for (const expected of [
        'token:varakonserthus.se item.create+submit',
        'kajsa image.upload',
        'maria item.reject',
        'kajsa item.edit',
        'maria item.approve',
        'maria playlist.draft',
        'maria playlist.publish',
        'token:varakonserthus.se item.edit',
        'maria playlist.rollback',
      ]) {
        expect(actions).toContain(expected);
      }
      const edit = audit.body.items.find(
        (e: { actor: string; action: string }) => e.action === 'item.edit' && e.actor === 'token:varakonserthus.se',
      );
      expect(edit.before).toMatchObject({ state: 'approved', content: { startsAt: '2026-12-12T19:00:00+01:00' } });
      expect(edit.after).toMatchObject({ state: 'pending', content: { startsAt: '2026-12-13T18:00:00+01:00' } });
      expect(JSON.stringify(audit.body)).not.toContain(tokenRes.body.token);
      expect(JSON.stringify(audit.body)).not.toMatch(/password_?hash|scrypt\$/i);
      const page1 = await maria.get('/api/audit?limit=5');
      const page2 = await maria.get(`/api/audit?limit=5&cursor=${page1.body.nextCursor}`);
      expect(page2.body.items[0].id).toBeLessThan(page1.body.items[4].id);
      expect((await kajsa.get('/api/audit')).status).toBe(403);
      expect((await website.get('/api/audit')).status).toBe(403);
    } finally {
      await t.app.close();
      await t.runtime.stop();
    }

    // After a restart on the same file: the same live playlist, the same people.
    t = await build({ env: { SKYLT_DATA_DIR: dataDir } });
    try {
      expect(t.runtime.publishedPlaylist()).toMatchObject({ revision: 3, name: 'December' });
      const admin = await t.login('admin', ADMIN_PASSWORD);
      expect((await admin.get('/api/users')).body.total).toBe(3);
    } finally {
      await t.close();
    }
  });
});

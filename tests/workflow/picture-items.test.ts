import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { build, type Client, type TestApp } from '../helper.ts';

/**
 * Issue 13.2: a published picture airs at its turn. Pictures are decoded before a publish answers and at start, and
 * an item that cannot air is shown in /api/health and /api/schedule, with the reason. Real HTTP, real SQLite, the
 * real renderer and virtual signs.
 */

let apps: TestApp[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function posterPng(colour: string): Blob {
  const canvas = createCanvas(600, 300);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#101030';
  ctx.fillRect(0, 0, 600, 300);
  ctx.fillStyle = colour;
  ctx.beginPath();
  ctx.arc(300, 150, 110, 0, Math.PI * 2);
  ctx.fill();
  return new Blob([canvas.encodeSync('png')]);
}

async function pictureItem(kajsa: Client, maria: Client, colour: string): Promise<string> {
  const form = new FormData();
  form.append('file', posterPng(colour), 'affisch.png');
  const image = await kajsa.post('/api/images', form);
  expect(image.status).toBe(201);
  const created = await kajsa.post('/api/items', {
    content: { kind: 'image', image: image.body.id },
    infoLink: 'https://varakonserthus.se/program',
    submit: true,
  });
  const approved = await maria.post(`/api/items/${created.body.item.id}/approve`, { revision: 1, addToDraft: true });
  expect(approved.status).toBe(200);
  return created.body.item.id;
}

type Health = {
  signs: {
    id: string;
    showing: { priority: string; itemId: string | null } | null;
    cannotAir: { itemId: string; code: string }[];
  }[];
};

/** Steps sign time a second at a time, as the 250 ms tick would, recording what each sign confirms it shows. */
async function play(t: TestApp, seconds: number) {
  const seen = new Map<string, string[]>();
  const cannotAir = new Set<string>();
  for (let i = 0; i < seconds; i++) {
    await t.runtime.tick();
    await new Promise((r) => setTimeout(r, 2));
    const health = (await t.anonymous().get('/api/health')).body as Health;
    for (const s of health.signs) {
      const list = seen.get(s.id) ?? [];
      const now = s.showing ? `${s.showing.priority}:${s.showing.itemId}` : 'none';
      if (list.at(-1) !== now) list.push(now);
      seen.set(s.id, list);
      for (const c of s.cannotAir) cannotAir.add(`${s.id} ${c.itemId} ${c.code}`);
    }
    t.clock.advance(1_000);
  }
  return { seen, cannotAir };
}

describe('picture items are never silently skipped', () => {
  it('a published picture is decoded before publish answers and airs at its first turn on both signs', async () => {
    const t = await build();
    apps.push(t);
    const kajsa = await t.user('kajsa', 'konserthus', 'submitter');
    const maria = await t.user('maria', 'kommun', 'communicator');
    const poster = await pictureItem(kajsa, maria, '#f0c040');
    const imageId = (await maria.get(`/api/items/${poster}`)).body.item.content.image as string;

    expect((await maria.post('/api/playlist/publish', { note: 'affischen' })).status).toBe(201);
    // Publishing answered: the picture is already decoded, so the first tick can draw it.
    expect(t.runtime.workflow.items.pictures.ready(imageId)).not.toBeNull();

    const { seen, cannotAir } = await play(t, 25);
    for (const sign of ['E20-N', 'E20-S']) {
      const scheduled = (seen.get(sign) ?? []).filter((s) => s.startsWith('scheduled:'));
      expect(scheduled, sign).toEqual([`scheduled:${poster}`]);
    }
    expect([...cannotAir]).toEqual([]);
  });

  it('after a restart the live picture is prepared at start and airs; it is not passed over for the revision', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'skylt-pictures-'));
    dirs.push(dataDir);
    const first = await build({ env: { SKYLT_DATA_DIR: dataDir } });
    apps.push(first);
    const kajsa = await first.user('kajsa', 'konserthus', 'submitter');
    const maria = await first.user('maria', 'kommun', 'communicator');
    const poster = await pictureItem(kajsa, maria, '#40c0f0');
    expect((await maria.post('/api/playlist/publish')).status).toBe(201);
    await play(first, 3);
    await first.close();
    apps = [];

    const again = await build({ env: { SKYLT_DATA_DIR: dataDir }, start: first.clock.now() });
    apps.push(again);
    const { seen, cannotAir } = await play(again, 25);
    for (const sign of ['E20-N', 'E20-S']) expect(seen.get(sign), sign).toContain(`scheduled:${poster}`);
    // At most a moment of "being prepared"; never passed over as unreadable.
    for (const c of cannotAir) expect(c).toMatch(/picture-preparing$/);
  });

  it('a picture that cannot be read refuses the publish, and if it goes live anyway it is listed with the reason', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'skylt-pictures-'));
    dirs.push(dataDir);
    let t = await build({ env: { SKYLT_DATA_DIR: dataDir } });
    apps.push(t);
    const kajsa = await t.user('kajsa', 'konserthus', 'submitter');
    let maria = await t.user('maria', 'kommun', 'communicator');
    const poster = await pictureItem(kajsa, maria, '#c04040');
    const info = await maria.post('/api/items', {
      content: { kind: 'info', lines: ['Julmarknad', 'Vara torg'] },
      infoLink: 'https://vara.se/jul',
      submit: true,
    });
    await maria.post(`/api/items/${info.body.item.id}/approve`, { revision: 1, addToDraft: true });
    // The stored picture is damaged on disk (a restored backup, say) and Skylt restarts: nothing decoded yet.
    await t.close();
    apps = [];
    const db = new Database(`${dataDir}/skylt.db`);
    db.prepare('UPDATE images SET png = ?').run(Buffer.from('not a png at all'));
    db.close();
    t = await build({ env: { SKYLT_DATA_DIR: dataDir }, start: t.clock.now() });
    apps.push(t);
    maria = await t.login('maria');

    const refused = await maria.post('/api/playlist/publish');
    expect(refused.status).toBe(409);
    expect(refused.body.message).toBe(
      `cannot go live: the picture of item "${poster}" cannot be read: upload it again`,
    );
    expect(refused.body.issues).toEqual([{ field: 'entries.0', message: expect.stringContaining(poster) }]);
    expect(t.runtime.publishedPlaylist()).toBeNull();

    // `skylt playlist import --publish` publishes without the HTTP route: the signs pass the picture over and say why.
    t.runtime.workflow.playlist.publish({ username: 'cli:test', organisation: 'kommun', role: 'admin' });
    const { seen, cannotAir } = await play(t, 25);
    expect(seen.get('E20-N')).toContain(`scheduled:${info.body.item.id}`);
    expect(seen.get('E20-N')).not.toContain(`scheduled:${poster}`);
    expect([...cannotAir]).toContain(`E20-N ${poster} picture-unreadable`);
    const schedule = await maria.get('/api/schedule');
    expect(schedule.body.signs[0].cannotAir).toEqual([
      {
        itemId: poster,
        title: expect.stringMatching(/^img-/),
        layer: 'scheduled',
        code: 'picture-unreadable',
        reason: expect.stringMatching(/^picture img-\w+ cannot be read: /),
        since: expect.any(String),
      },
    ]);
  });
});

describe('the fallback loop never stalls on a picture', () => {
  it('a fallback page whose picture cannot be drawn is passed over and named in /api/health; the loop plays on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skylt-fallback-'));
    dirs.push(dir);
    // A picture given as a file path: the signs draw only uploaded pictures, so this page can never be drawn.
    const page = (id: string, content: unknown) => ({
      id,
      organisation: 'kommun',
      content,
      dwellSeconds: 10,
      infoLink: 'https://vara.se',
    });
    writeFileSync(
      join(dir, 'fallback.json'),
      JSON.stringify({
        version: 1,
        name: 'Fallback loop',
        items: [
          page('vapen', { kind: 'image', image: 'vapen.png', caption: 'Vara kommun' }),
          page('valkommen', { kind: 'info', lines: ['Välkommen till', 'Vara'] }),
          page('evenemang', { kind: 'info', lines: ['Evenemang i Vara', 'vara.se'] }),
        ],
      }),
    );
    // Before: start() threw drawing the picture as the signs' default page, and with the picture later in the
    // loop the signs stayed on one page for good, retrying it at every tick.
    const t = await build({ env: { SKYLT_PLAYLIST: join(dir, 'fallback.json') } });
    apps.push(t);
    const { seen } = await play(t, 45);
    for (const sign of ['E20-N', 'E20-S']) {
      expect(
        seen
          .get(sign)
          ?.filter((x) => x !== 'none')
          .slice(0, 4),
        `${sign}: ${seen.get(sign)}`,
      ).toEqual(['fallback:valkommen', 'fallback:evenemang', 'fallback:valkommen', 'fallback:evenemang']);
    }
    const health = (await t.anonymous().get('/api/health')).body as {
      signs: { cannotAir: Record<string, unknown>[] }[];
    };
    for (const s of health.signs) {
      expect(s.cannotAir).toEqual([
        {
          itemId: 'vapen',
          title: 'Vara kommun',
          layer: 'fallback',
          code: 'picture-unreadable',
          reason: 'picture vapen.png cannot be read: no uploaded picture has this id',
          since: expect.any(String),
        },
      ]);
    }
  });
});

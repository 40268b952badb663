import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../helper.ts';
import { skylt } from './cli-helpers.ts';

describe('skylt playlist validate|import|export', () => {
  let dir: string;
  let dataDir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'skylt-playlists-'));
    dataDir = join(dir, 'data');
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('validate exits non-zero on a bad file and names every bad field and what it should be', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({
        version: 1,
        name: 'Trasig',
        settings: { shares: { kommun: 70, konserthus: 20 } },
        items: [
          {
            id: 'Stora Bokstäver',
            organisation: 'kommun',
            content: { kind: 'info', lines: ['Hej'] },
            dwellSeconds: 5,
            infoLink: 'https://example.com',
          },
          {
            id: 'ok',
            organisation: 'konserthus',
            content: { kind: 'info', lines: [] },
            infoLink: 'https://vara.se',
            window: { days: ['someday'] },
          },
        ],
      }),
    );
    const wrongHere = join(dir, 'wrong-here.json');
    writeFileSync(
      wrongHere,
      JSON.stringify({
        version: 1,
        name: 'Fel här',
        items: [
          {
            id: 'norr',
            organisation: 'kommun',
            content: { kind: 'info', lines: ['Hej'] },
            infoLink: 'https://vara.se',
            signs: ['E6-N'],
          },
          {
            id: 'kris',
            organisation: 'kommun',
            content: { kind: 'crisis', headline: 'Brand', instruction: 'Stäng fönster' },
            infoLink: 'https://vara.se',
          },
        ],
      }),
    );
    const [good, res, here] = await Promise.all([
      skylt(dataDir, ['playlist', 'validate', 'playlists/default.json']),
      skylt(dataDir, ['playlist', 'validate', bad]),
      skylt(dataDir, ['playlist', 'validate', wrongHere]),
    ]);
    expect(good).toMatchObject({ code: 0 });
    expect(good.stdout).toMatch(/valid playlist "Fallback loop" with 3 items/);
    expect(res.code).toBe(1);
    for (const line of [
      /settings\.shares: the shares are percentages of the airtime and must add up to 100/,
      /items\.0\.id: a lower-case slug/,
      /items\.0\.dwellSeconds: at least 10 seconds/,
      /items\.0\.infoLink: an https link on vara\.se or varakonserthus\.se/,
      /items\.1\.content\.lines: .+/,
      /items\.1\.window\.days\.0: .+/,
    ]) {
      expect(res.stderr).toMatch(line);
    }

    expect(here.code).toBe(1);
    expect(here.stderr).toMatch(/items\.0\.signs\.0: no sign "E6-N"; the signs are E20-N, E20-S/);
    expect(here.stderr).toMatch(/items\.1\.content\.kind: crisis messages are not playlist content/);
  });

  it('imports (uploading pictures next to the file), publishes, and exports in the same format as the API', async () => {
    const canvas = createCanvas(400, 200);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#203040';
    ctx.fillRect(0, 0, 400, 200);
    writeFileSync(join(dir, 'affisch.png'), canvas.encodeSync('png'));
    const file = join(dir, 'december.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        name: 'December',
        settings: { shares: { kommun: 40, konserthus: 60 } },
        items: [
          {
            id: 'julmarknad',
            organisation: 'kommun',
            content: { kind: 'info', lines: ['Julmarknad', 'Vara torg'] },
            infoLink: 'https://vara.se/jul',
            signs: ['E20-N'],
          },
          {
            id: 'julkonsert',
            organisation: 'konserthus',
            content: {
              kind: 'event',
              title: 'Julkonsert',
              startsAt: '2027-12-12T19:00:00+01:00',
              venue: 'Vara Konserthus',
              organiser: 'konserthus',
            },
            dwellSeconds: 12,
            infoLink: 'https://varakonserthus.se',
            window: { days: ['fri', 'sat'] },
          },
          {
            id: 'affisch',
            organisation: 'konserthus',
            content: { kind: 'image', image: 'affisch.png', caption: 'Konserthuset' },
            infoLink: 'https://varakonserthus.se',
          },
        ],
      }),
    );
    const imported = await skylt(dataDir, ['playlist', 'import', file, '--publish', '--note', 'december']);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toMatch(/3 created, 0 updated, 0 unchanged/);
    expect(imported.stdout).toMatch(/published revision 1/);
    expect(imported.stderr).toMatch(/uploaded affisch\.png as img-[0-9a-f]{12}/);

    const exportedPath = join(dir, 'exported.json');
    const exported = await skylt(dataDir, ['playlist', 'export', exportedPath]);
    expect(exported.code, exported.stderr).toBe(0);
    const text = readFileSync(exportedPath, 'utf8');
    const out = JSON.parse(text);
    expect(out).toMatchObject({
      $schema: '../schemas/playlist.schema.json',
      version: 1,
      name: 'December',
      settings: { shares: { kommun: 40, konserthus: 60 } },
    });
    expect(out.items.map((i: { id: string }) => i.id)).toEqual(['julmarknad', 'julkonsert', 'affisch']);
    expect(out.items[1].window).toEqual({
      from: '2027-11-27T23:00:00.000Z',
      until: '2027-12-12T18:00:00.000Z',
      days: ['fri', 'sat'],
    });
    expect(out.items[2].content.image).toMatch(/^img-/);
    expect((await skylt(dataDir, ['playlist', 'validate', exportedPath])).code).toBe(0);

    // The server on the same file gives the same playlist through the API.
    const t = await build({ env: { SKYLT_DATA_DIR: dataDir } });
    try {
      const admin = await t.login('admin', 'admin-password-for-tests');
      const api = await admin.get('/api/playlist/export?source=live');
      expect(api.body).toEqual(out);
      expect(t.runtime.publishedPlaylist()).toMatchObject({ revision: 1, publishedBy: expect.stringMatching(/^cli:/) });
    } finally {
      await t.app.close();
      await t.runtime.stop();
    }
  });
});

import { createCanvas } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowSettings } from '../../src/workflow/workflow-settings.ts';
import { build, type Client, type TestApp } from '../helper.ts';
import { decodePng } from '../integration/app-helpers.ts';
import { concert, info } from './helpers.ts';

let t: TestApp;
let kajsa: Client;
let maria: Client;
let admin: Client;

beforeAll(async () => {
  t = await build();
  kajsa = await t.user('kajsa', 'konserthus', 'submitter');
  maria = await t.user('maria', 'kommun', 'communicator');
  admin = await t.login('admin', 'admin-password-for-tests');
});
afterAll(async () => {
  await t.close();
});

function png(width: number, height: number): Blob {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#123456';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#f0f0f0';
  ctx.fillRect(width / 4, height / 4, width / 2, height / 2);
  return new Blob([canvas.encodeSync('png')], { type: 'image/png' });
}

function upload(client: Client, file: Blob, name = 'bild.png') {
  const form = new FormData();
  form.append('file', file, name);
  return client.post('/api/images', form);
}

describe('submitting items', () => {
  it('refuses bad input with 400, naming each field and what it should be', async () => {
    const cases: Array<[unknown, string, RegExp]> = [
      [concert({ dwellSeconds: 5 }), 'dwellSeconds', /at least 10 seconds/],
      [concert({ infoLink: 'https://example.com/konsert' }), 'infoLink', /vara\.se or varakonserthus\.se/],
      [concert({ infoLink: 'http://vara.se' }), 'infoLink', /https/],
      [concert({ signs: ['E20-X'] }), 'signs.0', /no sign "E20-X"; the signs are E20-N, E20-S/],
      [
        concert({ content: { ...concert().content, organiser: 'kommun' } }),
        'content.organiser',
        /must be the item's organisation, "konserthus"/,
      ],
      [
        concert({ content: { ...concert().content, startsAt: '2026-11-30T19:00:00+01:00' } }),
        'content.startsAt',
        /already started/,
      ],
      [concert({ content: { ...concert().content, startsAt: 'lördag kväll' } }), 'content.startsAt', /.+/],
      [
        concert({ window: { from: '2026-12-10T00:00:00+01:00', until: '2026-12-05T00:00:00+01:00' } }),
        'window.until',
        /after from/,
      ],
      [concert({ window: { days: ['monday'] } }), 'window.days.0', /.+/],
      [concert({ window: { times: [{ from: '7:00', until: '09:00' }] } }), 'window.times.0.from', /HH:MM/],
      [concert({ organisation: 'kommun' }), 'organisation', /only admins/],
      [
        { content: { kind: 'crisis', headline: 'Brand', instruction: 'Stäng fönster' }, infoLink: 'https://vara.se' },
        'content.kind',
        /.+/,
      ],
      [
        { content: { kind: 'image', image: 'img-doesnotexist' }, infoLink: 'https://vara.se' },
        'content.image',
        /upload it with POST \/api\/images/,
      ],
      [{ ...concert(), colour: 'red' }, '(body)', /colour/],
    ];
    for (const [body, field, message] of cases) {
      const res = await kajsa.post('/api/items', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      const issue = (res.body.issues as { field: string; message: string }[]).find((i) => i.field === field);
      expect(issue, `${field} in ${JSON.stringify(res.body)}`).toBeDefined();
      expect(issue?.message).toMatch(message);
      expect(res.body.message).toContain(field === '(body)' ? 'colour' : field);
    }
    expect((await kajsa.get('/api/items')).body.total).toBe(0);
  });

  it('gives an event the 14 days before its start as its window (from the start of that day), and keeps given days and times of day', async () => {
    const plain = (await kajsa.post('/api/items', concert())).body.item;
    expect(plain.window).toBeNull();
    expect(plain.effectiveWindow).toEqual({ from: '2026-11-27T23:00:00.000Z', until: '2026-12-12T18:00:00.000Z' });
    const narrowed = (
      await kajsa.post(
        '/api/items',
        concert({
          window: {
            days: ['fri', 'sat'],
            times: [
              { from: '06:00', until: '09:30' },
              { from: '15:00', until: '18:00' },
            ],
          },
        }),
      )
    ).body.item;
    expect(narrowed.effectiveWindow).toEqual({
      from: '2026-11-27T23:00:00.000Z',
      until: '2026-12-12T18:00:00.000Z',
      days: ['fri', 'sat'],
      times: [
        { from: '06:00', until: '09:30' },
        { from: '15:00', until: '18:00' },
      ],
    });
    const info1 = (await maria.post('/api/items', info(['Vinterbad', 'Vara simhall']))).body.item;
    expect(info1.effectiveWindow).toEqual({});
  });

  it('targets one sign or both, with a preview PNG for each target sign made as the sign shows it', async () => {
    const south = (await kajsa.post('/api/items', concert({ signs: ['E20-S'], submit: true }))).body.item;
    expect(south.signs).toEqual(['E20-S']);
    expect(Object.keys(south.previews)).toEqual(['E20-S']);
    const preview = await maria.get(south.previews['E20-S']);
    expect(preview.status).toBe(200);
    expect(preview.headers.get('content-type')).toBe('image/png');
    expect(decodePng(preview.bytes)).toMatchObject({ width: 384, height: 192 });
    const north = await maria.get(`/api/items/${south.id}/signs/E20-N/preview.png`);
    expect(north.status).toBe(404);
    expect(north.body.message).toMatch(/is not shown on "E20-N"/);
    const both = (await kajsa.post('/api/items', concert())).body.item;
    expect(both.signs).toEqual(['E20-N', 'E20-S']);
    for (const sign of both.signs)
      expect((await kajsa.get(`/api/items/${both.id}/signs/${sign}/preview.png`)).status).toBe(200);
  });

  it('lints at once, and refuses approval (422) while the road-safety lint finds errors', async () => {
    const wordy = info(['Stor julmarknad på torget i Vara', 'lördag och söndag med tomte och musik'], { submit: true });
    const checked = await maria.post('/api/items/check', wordy);
    expect(checked.status).toBe(200);
    expect(checked.body.errors).toBeGreaterThan(0);
    expect(checked.body.findings[0]).toMatchObject({
      rule: 'words-per-page',
      severity: 'error',
      signs: ['E20-N', 'E20-S'],
    });
    expect(checked.body.findings[0].messageSv).toMatch(/Sidan har/);
    const livePreview = await maria.request('POST', '/api/items/preview.png?sign=E20-N', wordy);
    expect(livePreview.status).toBe(200);
    expect(livePreview.headers.get('content-type')).toBe('image/png');

    const created = await maria.post('/api/items', wordy);
    expect(created.status).toBe(201);
    expect(created.body.lint.errors).toBeGreaterThan(0);
    const id = created.body.item.id;
    const refused = await maria.post(`/api/items/${id}/approve`, { revision: 1 });
    expect(refused.status).toBe(422);
    expect(refused.body.message).toMatch(/cannot approve .* road-safety rule/);
    expect(refused.body.issues[0]).toMatchObject({
      field: expect.stringMatching(/^content\.lines\.\d$/),
      message: expect.stringMatching(/at most 8/),
    });
    expect((await maria.get(`/api/items/${id}`)).body.item.state).toBe('pending');

    const fixed = await maria.patch(`/api/items/${id}`, {
      content: { kind: 'info', lines: ['Julmarknad', 'Vara torg lördag'] },
    });
    expect(fixed.body.lint).toEqual({ errors: 0, warnings: 0, findings: [] });
    expect((await maria.post(`/api/items/${id}/approve`, { revision: fixed.body.item.revision })).status).toBe(200);
  });

  it('lists with pagination and a total, filtered by state, organisation and kind', async () => {
    const all = await admin.get('/api/items?limit=3');
    expect(all.body.items).toHaveLength(3);
    expect(all.body).toMatchObject({ limit: 3, offset: 0 });
    const total = all.body.total as number;
    expect(total).toBeGreaterThan(5);
    const rest = await admin.get(`/api/items?limit=3&offset=${total - 1}`);
    expect(rest.body.items).toHaveLength(1);
    const ids = new Set<string>();
    for (let offset = 0; offset < total; offset += 3)
      for (const i of (await admin.get(`/api/items?limit=3&offset=${offset}`)).body.items) ids.add(i.id);
    expect(ids.size).toBe(total);
    const pending = await admin.get('/api/items?state=pending&organisation=konserthus&kind=event');
    expect(
      pending.body.items.every(
        (i: { state: string; organisation: string }) => i.state === 'pending' && i.organisation === 'konserthus',
      ),
    ).toBe(true);
    const bad = await admin.get('/api/items?limit=1000&state=maybe');
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { field: string }) => i.field).sort()).toEqual(['limit', 'state']);
  });
});

describe('images', () => {
  it('uploads a picture (multipart), normalises it, and uses it in an image item', async () => {
    const res = await upload(kajsa, png(800, 400), 'affisch.png');
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      organisation: 'konserthus',
      width: 800,
      height: 400,
      sourceFormat: 'png',
      filename: 'affisch.png',
      uploadedBy: 'kajsa',
    });
    const stored = await kajsa.get(`/api/images/${res.body.id}`);
    expect(stored.headers.get('content-type')).toBe('image/png');
    expect(decodePng(stored.bytes)).toMatchObject({ width: 800, height: 400 });
    const item = await kajsa.post('/api/items', {
      content: { kind: 'image', image: res.body.id, caption: 'Vara Konserthus' },
      infoLink: 'https://varakonserthus.se',
      submit: true,
    });
    expect(item.status).toBe(201);
    const preview = await maria.get(item.body.item.previews['E20-N']);
    expect(decodePng(preview.bytes)).toMatchObject({ width: 384, height: 192 });
    // Another organisation cannot use (or see) it.
    const other = await t.user('mats', 'kommun', 'submitter');
    const refused = await other.post('/api/items', {
      content: { kind: 'image', image: res.body.id },
      infoLink: 'https://vara.se',
    });
    expect(refused.body.issues).toEqual([
      {
        field: 'content.image',
        message: `no uploaded image "${res.body.id}" of kommun: upload it with POST /api/images`,
      },
    ]);
    expect((await other.get(`/api/images/${res.body.id}`)).status).toBe(404);
    expect((await other.get('/api/images')).body.total).toBe(0);
    expect((await maria.get('/api/images')).body.total).toBe(1);
  });

  it('rejects what is not a still PNG, JPEG or WebP, saying what it is', async () => {
    const gif = await upload(
      kajsa,
      new Blob([Buffer.from('GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'latin1')], { type: 'image/gif' }),
      'anim.gif',
    );
    expect(gif.status).toBe(415);
    expect(gif.body.message).toMatch(/the file is a GIF image, not a PNG, JPEG or WebP image/);
    expect(gif.body.issues[0].field).toBe('file');
    const text = await upload(kajsa, new Blob(['hej hej'], { type: 'text/plain' }), 'notes.txt');
    expect(text.status).toBe(415);
    expect(text.body.message).toMatch(/text, not an image/);
    const whole = Buffer.from(await png(100, 100).arrayBuffer());
    const truncated = await upload(kajsa, new Blob([whole.subarray(0, whole.length - 20)]), 'cut.png');
    expect(truncated.status).toBe(422);
    expect(truncated.body.message).toMatch(/incomplete/);
    const json = await kajsa.post('/api/images', { file: 'nope' });
    expect(json.status).toBe(415);
    expect(json.body.message).toMatch(/multipart\/form-data/);
    const tooBig = await upload(kajsa, new Blob([Buffer.alloc(11 * 1024 * 1024)]), 'huge.png');
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.message).toMatch(/is 11 MB; at most 10 MB is accepted/);
  });
});

describe('settings', () => {
  it('SKYLT_ALLOWED_LINK_HOSTS may narrow the link hosts, not widen them', async () => {
    expect(workflowSettings({ SKYLT_ALLOWED_LINK_HOSTS: 'vara.se' }).allowedLinkHosts).toEqual(['vara.se']);
    expect(() => workflowSettings({ SKYLT_ALLOWED_LINK_HOSTS: 'vara.se,example.com' })).toThrow(
      /SKYLT_ALLOWED_LINK_HOSTS: may narrow the default hosts/,
    );
    const narrow = await build({ env: { SKYLT_ALLOWED_LINK_HOSTS: 'vara.se' } });
    try {
      const k = await narrow.user('kajsa', 'konserthus', 'submitter');
      const res = await k.post('/api/items', concert());
      expect(res.status).toBe(400);
      expect(res.body.issues).toEqual([{ field: 'infoLink', message: 'an https link on vara.se' }]);
      expect((await k.post('/api/items', concert({ infoLink: 'https://www.vara.se/konserter' }))).status).toBe(201);
    } finally {
      await narrow.close();
    }
  });
});

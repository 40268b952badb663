import { createCanvas } from '@napi-rs/canvas';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type Client, T0, type TestApp } from '../helper.ts';
import { concert, info } from './helpers.ts';

/**
 * Issues 13.5 and 13.9 through the live check the submit form calls (POST /api/items/check): a realistic event
 * fits, a refusal names the field to shorten, an end date in the past is flagged while the form is filled in, and a
 * picture's own text is addressed plainly.
 */
describe('the live check names the field', () => {
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

  const julkonsert = (over: Record<string, unknown> = {}) =>
    concert({
      content: {
        kind: 'event',
        title: 'Julkonsert',
        performer: 'Vara Kammarkör',
        startsAt: '2026-12-19T18:00:00+01:00',
        venue: 'Vara Konserthus',
        organiser: 'konserthus',
        ...over,
      },
    });

  it('"Julkonsert med Vara Kammarkör, lör 19 dec kl 18.00, Vara Konserthus" passes, and can be approved', async () => {
    for (const body of [julkonsert(), julkonsert({ title: 'Julkonsert med Vara Kammarkör', performer: undefined })]) {
      const checked = await kajsa.post('/api/items/check', body);
      expect(checked.status).toBe(200);
      expect(checked.body).toEqual({ errors: 0, warnings: 0, findings: [] });
    }
    const created = await kajsa.post('/api/items', { ...julkonsert(), submit: true });
    expect((await maria.post(`/api/items/${created.body.item.id}/approve`, { revision: 1 })).status).toBe(200);
  });

  it('too many words: the finding is under the field to shorten, in Swedish', async () => {
    const checked = await kajsa.post('/api/items/check', julkonsert({ title: 'Stor julkonsert med kör och stråkar' }));
    expect(checked.body.findings).toEqual([
      expect.objectContaining({
        rule: 'words-per-page',
        severity: 'error',
        field: 'title',
        messageSv:
          'Sidan har 11 ord (datum och tid räknas som ett). Högst 8 ord hinner läsas i en blick i motorvägsfart – korta titeln med minst 3 ord.',
        signs: ['E20-N', 'E20-S'],
      }),
    ]);
  });

  it('an information item takes an end date; one in the past is flagged by the live check, under window.until', async () => {
    const past = info(['Vägarbete', 'Storgatan'], { window: { until: '2026-11-30T00:00:00+01:00' } });
    const checked = await maria.post('/api/items/check', past);
    expect(checked.status).toBe(200);
    expect(checked.body.errors).toBe(1);
    expect(checked.body.findings).toEqual([
      {
        rule: 'window-ended',
        severity: 'error',
        field: 'window.until',
        message: 'the window has already ended',
        messageSv: 'Slutdatumet har redan passerat, så posten skulle aldrig visas. Välj ett senare datum.',
        signs: ['E20-N', 'E20-S'],
      },
    ]);
    // Sending it is refused with the same field named.
    const refused = await maria.post('/api/items', past);
    expect(refused.status).toBe(400);
    expect(refused.body.issues).toEqual([{ field: 'window.until', message: 'the window has already ended' }]);

    // An end date ahead is kept, and the item ends there.
    const until = '2026-12-25T00:00:00+01:00';
    expect(T0).toBeLessThan(Date.parse(until));
    const ok = await maria.post('/api/items', info(['Vägarbete', 'Storgatan'], { window: { until }, submit: true }));
    expect(ok.status).toBe(201);
    expect(ok.body.item.effectiveWindow).toEqual({ until });
    expect(ok.body.lint.findings).toEqual([]);
  });

  it('an event that has already started is flagged under its date and time', async () => {
    const checked = await kajsa.post('/api/items/check', julkonsert({ startsAt: '2026-11-20T18:00:00+01:00' }));
    expect(checked.body.findings).toEqual([
      expect.objectContaining({ rule: 'window-ended', field: 'startsAt', severity: 'error' }),
    ]);
  });

  it('a picture: Skylt says plainly that it cannot read text inside it, and how tall such text must be', async () => {
    const canvas = createCanvas(600, 300);
    canvas.getContext('2d').fillRect(0, 0, 600, 300);
    const form = new FormData();
    form.append('file', new Blob([canvas.encodeSync('png')]), 'affisch.png');
    const image = await kajsa.post('/api/images', form);
    const checked = await kajsa.post('/api/items/check', {
      content: { kind: 'image', image: image.body.id, caption: 'Julkonsert' },
      infoLink: 'https://varakonserthus.se/jul',
    });
    expect(checked.body.errors).toBe(0);
    expect(checked.body.findings).toEqual([
      expect.objectContaining({
        rule: 'picture-text',
        severity: 'warning',
        field: 'image',
        messageSv: expect.stringContaining('Skylt kan inte läsa text som finns i bilden'),
      }),
    ]);
    // 380 mm at a 16 mm pitch: 24 pixels.
    expect(checked.body.findings[0].messageSv).toContain('minst 24 bildpunkter hög på skylten (380 mm)');
  });
});

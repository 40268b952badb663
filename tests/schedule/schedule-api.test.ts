import { existsSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/auth/accounts.ts';
import type { PlaylistFile } from '../../src/domain/playlist.ts';
import { build, type TestApp } from '../helper.ts';

let t: TestApp | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

const PLAYLIST: PlaylistFile = {
  version: 1,
  name: 'Delad spellista',
  settings: { shares: { kommun: 50, konserthus: 50 } },
  items: [
    {
      id: 'vara-bibliotek',
      organisation: 'kommun',
      content: { kind: 'info', lines: ['Biblioteket', 'öppet till 20'] },
      dwellSeconds: 10,
      infoLink: 'https://vara.se/bibliotek',
      showLink: false,
    },
    {
      id: 'vara-simhall',
      organisation: 'kommun',
      content: { kind: 'info', lines: ['Simhallen', 'öppen i jul'] },
      dwellSeconds: 15,
      infoLink: 'https://vara.se/simhall',
      showLink: false,
    },
    {
      id: 'julkonsert',
      organisation: 'konserthus',
      content: { kind: 'info', lines: ['Julkonsert', '12 dec'] },
      dwellSeconds: 20,
      infoLink: 'https://varakonserthus.se/jul',
      showLink: false,
    },
  ],
};

/** The runtime's timer, in simulated time: tick, let the links deliver, advance. */
async function drive(app: TestApp, ms: number, stepMs = 500): Promise<void> {
  const end = app.clock.now() + ms;
  while (app.clock.now() < end) {
    await app.runtime.tick();
    await new Promise((r) => setImmediate(r));
    app.clock.advance(Math.min(stepMs, end - app.clock.now()));
  }
  await app.runtime.tick();
  await new Promise((r) => setImmediate(r));
}

async function published(): Promise<TestApp> {
  const app = await build();
  await app.runtime.workflow.playlist.importFile(PLAYLIST, SYSTEM_ACTOR, { publish: true });
  return app;
}

describe('scheduling through the running app', () => {
  it('plays the published playlist on both signs with the configured shares, proven by the airtime report (JSON and CSV)', async () => {
    t = await published();
    const app = t;
    const from = app.clock.now();
    await drive(app, 2 * 3_600_000);
    const anyone = await app.user('konserthus-staff', 'konserthus', 'submitter');

    const schedule = await anyone.get('/api/schedule');
    expect(schedule.status).toBe(200);
    expect(schedule.body.revision).not.toBe('none');
    for (const s of schedule.body.signs) expect(s.layer).toBe('scheduled');

    const q = `from=${new Date(from).toISOString()}&to=${new Date(app.clock.now()).toISOString()}`;
    const report = await anyone.get(`/api/reports/airtime?${q}`);
    expect(report.status).toBe(200);
    const orgs = Object.fromEntries(
      report.body.organisations.map((o: { organisation: string }) => [o.organisation, o]),
    );
    expect(orgs.kommun.configuredShare).toBe(0.5);
    expect(Math.abs(orgs.kommun.deliveredShare - 0.5)).toBeLessThan(0.02);
    expect(Math.abs(orgs.konserthus.differencePp)).toBeLessThan(2);
    // Both signs together played about the two hours each.
    const scheduledSeconds = report.body.signs.map((s: { seconds: { scheduled: number } }) => s.seconds.scheduled);
    for (const s of scheduledSeconds) expect(s).toBeGreaterThan(2 * 3600 * 0.97);
    expect(report.body.items.map((i: { itemId: string }) => i.itemId).sort()).toEqual([
      'julkonsert',
      'vara-bibliotek',
      'vara-simhall',
    ]);

    const csv = await anyone.request('GET', `/api/reports/airtime?${q}`, undefined, {
      headers: { accept: 'text/csv' },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (csv.body as string).trim().split('\r\n');
    expect(lines[0]).toBe(
      'section,sign_id,organisation,item_id,priority,seconds,plays,configured_share,delivered_share',
    );
    expect(lines.some((l) => l.startsWith('organisation,,konserthus,,scheduled,'))).toBe(true);

    const plays = await anyone.get(`/api/reports/plays?${q}`);
    expect(plays.status).toBe(200);
    const first = plays.body.plays.find((p: { priority: string }) => p.priority === 'scheduled');
    expect(first).toMatchObject({ organisation: expect.stringMatching(/kommun|konserthus/) });
    expect(Date.parse(first.endedAt) - Date.parse(first.startedAt)).toBeGreaterThanOrEqual(10_000);
    // Two simulated hours are 14,400 ticks of the real runtime: seconds on a quiet box, more on a loaded 2-core one.
  }, 120_000);

  it('an override from a communicator takes both signs, then they go back; a submitter may not', async () => {
    t = await published();
    const app = t;
    await drive(app, 30_000);
    const submitter = await app.user('konserthus-staff', 'konserthus', 'submitter');
    const denied = await submitter.post('/api/overrides', {
      page: { content: { kind: 'info', lines: ['Olycka på E20'] }, infoLink: 'https://vara.se' },
      minutes: 10,
    });
    expect(denied.status).toBe(403);

    const communicator = await app.user('anna', 'kommun', 'communicator');
    const bad = await communicator.post('/api/overrides', { itemId: 'vara-bibliotek' });
    expect(bad.status).toBe(400);
    const unknownSign = await communicator.post('/api/overrides', {
      itemId: 'vara-bibliotek',
      minutes: 5,
      signs: ['E6-X'],
    });
    expect(unknownSign.status).toBe(404);

    const created = await communicator.post('/api/overrides', {
      page: { content: { kind: 'info', lines: ['Vägarbete', 'kör försiktigt'] }, infoLink: 'https://vara.se/trafik' },
      minutes: 10,
      reason: 'road works at the exit',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      state: 'active',
      createdBy: 'anna',
      organisation: 'kommun',
      signs: ['E20-N', 'E20-S'],
    });

    await drive(app, 11_000);
    let schedule = await communicator.get('/api/schedule');
    for (const s of schedule.body.signs) expect(s).toMatchObject({ layer: 'override', itemId: created.body.itemId });
    expect(schedule.body.overrides.map((o: { id: string }) => o.id)).toEqual([created.body.id]);

    const ended = await communicator.delete(`/api/overrides/${created.body.id}`);
    expect(ended.status).toBe(200);
    expect(ended.body).toMatchObject({ state: 'ended', cancelledBy: 'anna' });
    expect((await communicator.delete(`/api/overrides/${created.body.id}`)).status).toBe(409);
    expect((await communicator.delete('/api/overrides/no-such-override')).status).toBe(404);

    await drive(app, 1_000);
    schedule = await communicator.get('/api/schedule');
    for (const s of schedule.body.signs) expect(s.layer).toBe('scheduled');

    const report = await communicator.get(`/api/reports/airtime?from=2026-12-01&to=2026-12-02`);
    const kommun = report.body.organisations.find((o: { organisation: string }) => o.organisation === 'kommun');
    expect(kommun.overrideSeconds).toBeGreaterThan(2 * 10);
    const audit = app.runtime.audit.list({ subject: `override:${created.body.id}` });
    expect(audit.map((a) => a.action).sort()).toEqual(['override.cancel', 'override.create']);
  });

  it('refuses a page that breaks the road-safety rules or does not fit', async () => {
    t = await published();
    const communicator = await t.user('anna', 'kommun', 'communicator');
    const tooMany = await communicator.post('/api/overrides', {
      page: {
        content: { kind: 'info', lines: ['ett två tre fyra fem', 'sex sju åtta nio tio elva'] },
        infoLink: 'https://vara.se',
      },
      minutes: 5,
    });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.message).toMatch(/road-safety/);
    const tooLong = await communicator.post('/api/overrides', {
      page: { content: { kind: 'info', lines: ['Hastighetsbegränsningsföreskrifterna'] }, infoLink: 'https://vara.se' },
      minutes: 5,
    });
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.message).toMatch(/road-safety|cannot be drawn/);
  });

  it('says in /api/health when the clock is not believable, and then schedules nothing by time', async () => {
    t = await build({ start: Date.parse('2001-01-01T00:00:00Z') });
    await t.runtime.workflow.playlist.importFile(PLAYLIST, SYSTEM_ACTOR, { publish: true });
    await drive(t, 15_000);
    const health = await t.anonymous().get('/api/health');
    expect(health.body.status).toBe('degraded');
    expect(health.body.clock).toMatchObject({ ok: false, problem: expect.stringMatching(/before this build/) });
    for (const s of health.body.signs) expect(s.showing.priority).toBe('fallback');
    const communicator = await t.user('anna', 'kommun', 'communicator');
    const o = await communicator.post('/api/overrides', { itemId: 'vara-bibliotek', minutes: 5 });
    expect(o.status).toBe(503);

    const ok = await build();
    try {
      const h = await ok.anonymous().get('/api/health');
      expect(h.body.clock).toMatchObject({ ok: true, problem: null });
    } finally {
      await ok.close();
    }
  });

  it('nightly upkeep checks every played slot by CRC, backs up and vacuums; brightness follows the sun', async () => {
    t = await published();
    const app = t;
    await drive(app, 60_000);
    const result = await app.runtime.scheduling.upkeep();
    for (const s of result.slots) {
      expect(s.error).toBeNull();
      expect(s.checked).toBeGreaterThan(0);
      expect(s.mismatched).toEqual([]);
    }
    expect(result.vacuum.ok).toBe(true);
    expect('file' in result.backup && existsSync(result.backup.file)).toBe(true);

    // 1 December, 10:01 in Vara: the sun is up; 22:00: night, at most the night limit.
    await app.runtime.scheduling.adjustBrightness();
    const sign = app.runtime.signs.get('E20-N')?.link.virtualSign;
    await new Promise((r) => setTimeout(r, 20));
    expect(sign?.status().brightness).toBe(100);
    app.clock.set(Date.parse('2026-12-01T21:00:00Z'));
    await drive(app, 1_000);
    await app.runtime.scheduling.adjustBrightness();
    await new Promise((r) => setTimeout(r, 20));
    expect(sign?.status().brightness).toBe(4);
    expect(app.runtime.scheduling.brightness.get('E20-N')).toMatchObject({ percent: 4, source: 'sun' });
  });
});

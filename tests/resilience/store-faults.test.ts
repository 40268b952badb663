/**
 * Disk full and a read-only database, through the real code paths: SQLite itself answers SQLITE_FULL (the
 * connection's max_page_count pinned at the file's size, so a write that needs a new page fails as on a full disk)
 * or SQLITE_READONLY (query_only, as after the kernel remounts a failing SD card read-only). Skylt must keep the
 * signs playing what they play, keep answering reads, refuse writes with a clear 503, report the fault in
 * /api/health and /api/ready, leave nothing half-written, and carry on once the fault is gone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { build, type Client, T0, type TestApp } from '../helper.ts';
import { info, saveDraft } from '../workflow/helpers.ts';

let t: TestApp | null = null;
afterEach(async () => {
  await t?.close();
  t = null;
});

interface Rig {
  t: TestApp;
  maria: Client;
  kajsa: Client;
  live: string[];
}

/** Vara kommun has published three pages; both signs play them. */
async function playing(): Promise<Rig> {
  t = await build();
  const maria = t.token('maria', 'kommun', 'communicator');
  const kajsa = await t.user('kajsa', 'konserthus', 'submitter');
  const live: string[] = [];
  for (const lines of [
    ['Julmarknad', 'Vara torg'],
    ['Julkonsert', 'Vara Konserthus'],
    ['Biblioteket', 'öppet till 19'],
  ]) {
    const created = await maria.post('/api/items', info(lines, { submit: true }));
    expect((await maria.post(`/api/items/${created.body.item.id}/approve`, { revision: 1 })).status).toBe(200);
    live.push(created.body.item.id);
  }
  await saveDraft(maria, { entries: live.map((itemId) => ({ itemId })) });
  expect((await maria.post('/api/playlist/publish', { note: 'december' })).status).toBe(201);
  await runFor(t, 5_000);
  return { t, maria, kajsa, live };
}

/** Runs the schedule for `ms` of sign time in 1 s ticks; a tick must never fail. */
async function runFor(app: TestApp, ms: number): Promise<Set<string>> {
  const shown = new Set<string>();
  for (let at = 0; at < ms; at += 1000) {
    app.clock.advance(1000);
    await app.runtime.tick();
    for (const s of app.runtime.signs.values()) {
      const v = s.link.virtualSign?.status();
      const held = s.controller.showing();
      // What the sign's own framebuffer shows is what Skylt holds, at the priority it holds it.
      if (held && v) {
        expect(v.showingCrc32 >>> 0).toBe(held.crc32 >>> 0);
        shown.add(`${s.config.id}:${held.priority}:${held.itemId}`);
      } else shown.add(`${s.config.id}:nothing`);
    }
  }
  return shown;
}

async function health(app: TestApp) {
  return (await app.anonymous().get('/api/health')).body as {
    status: string;
    store: { ok: boolean; problem: string | null; since: string | null };
    signs: Array<{ id: string; showing: { priority: string; itemId: string } | null }>;
  };
}

type Fault = { name: string; code: string; words: RegExp; on(app: TestApp): void; off(app: TestApp): void };

const FAULTS: Fault[] = [
  {
    name: 'the disk is full',
    code: 'SQLITE_FULL',
    words: /full/i,
    on: (app) => {
      const db = app.runtime.db;
      db.pragma(`max_page_count = ${db.pragma('page_count', { simple: true })}`);
    },
    off: (app) => void app.runtime.db.pragma('max_page_count = 1073741823'),
  },
  {
    name: 'the database is read-only',
    code: 'SQLITE_READONLY',
    words: /read-only/i,
    on: (app) => void app.runtime.db.pragma('query_only = 1'),
    off: (app) => void app.runtime.db.pragma('query_only = 0'),
  },
];

describe.each(FAULTS)('when $name', (fault) => {
  it('keeps the signs playing, answers reads, refuses writes with a clear 503, reports it, and recovers', async () => {
    const { t, maria, kajsa, live } = await playing();
    // A crisis that runs out while the fault lasts: its end cannot be recorded, but the signs must move on.
    const crisis = await maria.post('/api/crisis', { template: 'gas', durationMinutes: 1 });
    expect(crisis.status).toBe(201);
    await runFor(t, 2_000);
    const auditBefore = (await maria.get('/api/audit?limit=1')).body.items[0].id as number;

    fault.on(t);

    // Writes: each either goes through whole (2xx) or is refused with a 503 that says what is wrong; with the
    // disk full, small writes may still fit in free space inside the file, as on a real disk.
    const answered: string[] = [];
    const refused: string[] = [];
    for (let i = 0; i < 40; i++) {
      const id = `under-fault-${i}`;
      const res = await (i % 2 ? kajsa : maria).post(
        '/api/items',
        info([`Rad ${i} med lite längre text`, 'Vara'], { id, submit: true }),
      );
      if (res.status === 201) answered.push(id);
      else {
        expect(res.status, JSON.stringify(res.body)).toBe(503);
        expect(res.body.message).toMatch(fault.words);
        expect(res.body.message).not.toMatch(/\bat .*\.ts:\d+|SqliteError|node_modules/);
        refused.push(id);
      }
    }
    expect(refused.length).toBeGreaterThan(0);
    const newCrisis = await maria.post('/api/crisis', { template: 'fire' });
    expect(newCrisis.status).toBe(503);
    expect(newCrisis.body.message).toMatch(fault.words);

    // Reads keep working, for a token and for a signed-in person (whose session is touched on use).
    t.clock.advance(10 * 60_000);
    for (const [who, path] of [
      [maria, '/api/items?limit=5'],
      [maria, '/api/playlist/live'],
      [maria, '/api/audit?limit=5'],
      [kajsa, '/api/items?limit=5'],
      [kajsa, '/api/auth/me'],
    ] as const) {
      const res = await who.get(path);
      expect(res.status, `${path}: ${JSON.stringify(res.body)}`).toBe(200);
      // Who am I answers null for an ended session: still signed in means a name.
      if (path === '/api/auth/me') expect(res.body?.username).toBeTruthy();
    }

    // The signs keep playing the published pages for minutes (leases refreshed, pages changing), and the crisis
    // that ran out leaves them; no tick fails.
    const shown = await runFor(t, 3 * 60_000);
    for (const s of shown) expect(s, `a sign showed ${s}`).toMatch(new RegExp(`:scheduled:(${live.join('|')})$`));
    expect(new Set([...shown].map((s) => s.split(':')[2])).size).toBeGreaterThan(1);

    // The fault is reported.
    const h = await health(t);
    expect(h.status).toBe('degraded');
    expect(h.store.ok).toBe(false);
    expect(h.store.problem).toMatch(fault.words);
    expect(h.store.problem).toContain(fault.code);
    const ready = await t.anonymous().get('/api/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.problems.join(' ')).toMatch(fault.words);

    // Nothing half-written: each refused item left neither a row nor an audit record; each answered one has both.
    fault.off(t);
    const db = t.runtime.db;
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    for (const id of refused) {
      expect(db.prepare('SELECT count(*) AS n FROM items WHERE id = ?').get(id)).toEqual({ n: 0 });
      expect(db.prepare('SELECT count(*) AS n FROM audit_log WHERE subject = ?').get(`item:${id}`)).toEqual({ n: 0 });
    }
    for (const id of answered) {
      expect(db.prepare('SELECT count(*) AS n FROM items WHERE id = ?').get(id)).toEqual({ n: 1 });
      expect(db.prepare('SELECT count(*) AS n FROM audit_log WHERE subject = ?').get(`item:${id}`)).toEqual({ n: 1 });
    }
    const ids = (db.prepare('SELECT id FROM audit_log ORDER BY id').all() as { id: number }[]).map((r) => r.id);
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    expect(ids.at(-1)).toBeGreaterThanOrEqual(auditBefore);

    // Once the fault is gone: health says so within its next check, writes go through, the crisis end is recorded.
    await runFor(t, 15_000);
    expect((await health(t)).store).toMatchObject({ ok: true, problem: null });
    expect((await t.anonymous().get('/api/ready')).status).toBe(200);
    expect((await maria.post('/api/items', info(['Efter felet', 'Vara'], { submit: true }))).status).toBe(201);
    expect((await maria.get(`/api/crisis/${crisis.body.id}`)).body.state).toBe('ended');
    expect(t.clock.now()).toBeGreaterThan(T0);
  });
});

describe('stopping while the database cannot be written', () => {
  it('still stops: the signs are told and the database is closed', async () => {
    const { t: app } = await playing();
    app.runtime.db.pragma('query_only = 1');
    await app.app.close();
    await app.runtime.stop();
    expect(app.runtime.db.open).toBe(false);
    t = null;
  });
});

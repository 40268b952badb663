import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import type { Organisation } from '../../src/domain/item-content.ts';
import type { PlaylistItem } from '../../src/domain/playlist.ts';
import { type Frame, frameCrc32, solidFrame } from '../../src/render/frame.ts';
import { OverrideBook } from '../../src/schedule/override-book.ts';
import type { PublishedSchedule } from '../../src/schedule/schedule-input.ts';
import { type ScheduledPage, SignScheduler } from '../../src/schedule/sign-scheduler.ts';
import type { PriorityName } from '../../src/signs/bridge/messages.ts';
import { type Db, openDatabase } from '../../src/store/database.ts';
import { signStateRepository } from '../../src/store/sign-state-repository.ts';
import { SMALL_PANEL, virtualRig, waitFor } from '../signs/helpers.ts';

const SIGN = 'TEST';
const T0 = Date.parse('2026-12-07T08:00:00Z');

function page(id: string, organisation: Organisation = 'kommun', dwellSeconds = 10): PlaylistItem {
  return {
    id,
    organisation,
    content: { kind: 'info', lines: [id] },
    dwellSeconds,
    infoLink: 'https://vara.se',
    showLink: false,
  };
}

function scheduled(
  items: Array<{ page: PlaylistItem; window?: { from: number | null; until: number | null } }>,
  revision = 'r1',
): PublishedSchedule<ScheduledPage> {
  return {
    revision,
    items: items.map((x, order) => ({
      id: x.page.id,
      organisation: x.page.organisation,
      dwellSeconds: x.page.dwellSeconds,
      window: x.window ?? null,
      order,
      page: x.page,
    })),
    settings: { shares: { kommun: 0.5, konserthus: 0.5 } },
  };
}

/** A distinct solid colour per page, so the sign's framebuffer tells which page it shows. */
function render(p: PlaylistItem): Frame {
  let h = 0x811c9dc5;
  for (const ch of p.id) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193);
  return solidFrame(SMALL_PANEL.width, SMALL_PANEL.height, 'rgb888', (h >>> 8) & 0xffffff);
}

interface Played {
  priority: PriorityName;
  itemId: string | null;
  organisation: Organisation | null;
  at: number;
}

interface Harness {
  clock: ManualClock;
  db: Db;
  rig: ReturnType<typeof virtualRig>;
  scheduler: SignScheduler;
  overrides: OverrideBook;
  played: Played[];
  setSchedule(s: PublishedSchedule<ScheduledPage>): void;
  setClockOk(ok: boolean): void;
  /** Advances the clock in ticks of `stepMs`, as the runtime's timer does. */
  run(ms: number, stepMs?: number): Promise<void>;
  onSign(): string | null;
  restart(): Harness;
}

const FALLBACK = [page('fallback-a'), page('fallback-b')];

let open: Harness[] = [];
afterEach(async () => {
  for (const h of open) await h.rig.controller.stop();
  open = [];
});

async function harness(
  initial: PublishedSchedule<ScheduledPage>,
  shared?: { clock: ManualClock; db: Db },
): Promise<Harness> {
  const clock = shared?.clock ?? new ManualClock(T0);
  const db = shared?.db ?? openDatabase(':memory:');
  const rig = virtualRig(SMALL_PANEL, clock, {}, { chunkBytes: 1024 });
  let schedule = initial;
  const known = new Map(initial.items.map((i) => [i.id, i.page]));
  let clockOk = true;
  const state = signStateRepository(db);
  const overrides = new OverrideBook(db, clock, null);
  const scheduler = new SignScheduler({
    signId: SIGN,
    controller: rig.controller,
    clock,
    schedule: () => schedule,
    activeOverride: (signId, now) => overrides.activeFor(signId, now),
    fallbackItems: () => FALLBACK,
    render,
    state,
    leaseMs: 30_000,
    clockOk: () => clockOk,
    onError: (m) => {
      throw new Error(m);
    },
  });
  const played: Played[] = [];
  // As the runtime logs proof of play: only what is on top of the sign.
  rig.controller.on('played', (e) => {
    if (rig.controller.showing()?.priority !== e.priority) return;
    played.push({
      priority: e.priority,
      itemId: e.itemId,
      organisation: scheduler.organisationOf(e.priority, e.itemId),
      at: e.at,
    });
  });
  rig.controller.start();
  rig.sign.announce();
  await waitFor('link up', () => rig.controller.linkUp);
  const h: Harness = {
    clock,
    db,
    rig,
    scheduler,
    overrides,
    played,
    setSchedule: (s) => {
      schedule = s;
      for (const i of s.items) known.set(i.id, i.page);
    },
    setClockOk: (ok) => {
      clockOk = ok;
    },
    async run(ms, stepMs = 250) {
      const end = clock.now() + ms;
      while (clock.now() < end) {
        await scheduler.tick();
        rig.controller.refreshLeases();
        // Let the link deliver (lease refreshes are not awaited), as real time between ticks does.
        await new Promise((r) => setImmediate(r));
        clock.advance(Math.min(stepMs, end - clock.now()));
      }
      await scheduler.tick();
    },
    onSign() {
      const status = rig.sign.status();
      const all = [
        ...FALLBACK,
        ...known.values(),
        ...overrides.repo.between(0, Date.parse('2100-01-01T00:00:00Z')).map((o) => o.page),
      ];
      return all.find((p) => frameCrc32(render(p)) === status.showingCrc32)?.id ?? null;
    },
    restart() {
      throw new Error('use harness(schedule, { clock, db })');
    },
  };
  open.push(h);
  return h;
}

const K1 = page('kommun-1', 'kommun', 10);
const K2 = page('kommun-2', 'kommun', 10);
const C1 = page('konsert-1', 'konserthus', 20);

describe('SignScheduler: override > scheduled > fallback', () => {
  it('plays the published rotation above the fallback loop, and the fallback when nothing is scheduled', async () => {
    const h = await harness(scheduled([]));
    await h.run(1_000);
    expect(h.onSign()).toBe('fallback-a');
    expect(h.rig.controller.showing()?.priority).toBe('fallback');

    // Published mid-page: the fallback page keeps its dwell, the rotation starts at the next page.
    h.setSchedule(scheduled([{ page: K1 }, { page: C1 }]));
    await h.run(5_000);
    expect(h.onSign()).toBe('fallback-a');
    await h.run(5_000);
    expect(h.onSign()).toBe('kommun-1');
    expect(h.rig.controller.showing()?.priority).toBe('scheduled');
    await h.run(10_000);
    expect(h.onSign()).toBe('konsert-1');
    expect(h.played.map((p) => `${p.priority}:${p.itemId}:${p.organisation}`)).toEqual([
      'fallback:fallback-a:null',
      'scheduled:kommun-1:kommun',
      'scheduled:konsert-1:konserthus',
    ]);

    // Unpublished: the scheduled page finishes its 10 s minimum, then the fallback is back, logged again.
    h.setSchedule(scheduled([], 'r2'));
    await h.run(5_000);
    expect(h.onSign()).toBe('konsert-1');
    await h.run(6_000);
    expect(h.rig.controller.showing()?.priority).toBe('fallback');
    expect(h.played.at(-1)).toMatchObject({ priority: 'fallback' });
  });

  it('an override waits for the 10 s minimum, runs its time, then the sign goes back to the page it left', async () => {
    const h = await harness(scheduled([{ page: K1 }, { page: K2 }, { page: C1 }]));
    await h.run(3_000);
    expect(h.onSign()).toBe('kommun-1');
    const now = h.clock.now();
    const o = h.overrides.create(
      {
        signs: [SIGN],
        page: page('vagarbete', 'kommun'),
        startsAt: now,
        endsAt: now + 5 * 60_000,
        reason: 'road works',
      },
      'anna',
    );
    await h.run(5_000);
    expect(h.onSign()).toBe('kommun-1'); // not before its 10 s
    await h.run(2_500);
    expect(h.onSign()).toBe('vagarbete');
    expect(h.rig.controller.showing()?.priority).toBe('override');
    expect(h.rig.sign.status().showingPriority).toBe(3);
    await h.run(4 * 60_000);
    expect(h.onSign()).toBe('vagarbete');
    // The rotation did not move underneath.
    expect(h.scheduler.rotation?.current?.itemId).toBe('kommun-1');
    await h.run(o.endsAt - h.clock.now() - 1);
    expect(h.onSign()).toBe('vagarbete');
    await h.run(500);
    expect(h.onSign()).toBe('kommun-1');
    expect(h.rig.controller.heldLease('override')).toBeNull();
    // It is back for at least 10 s, then the rotation goes on from where it was (not the top).
    await h.run(9_000);
    expect(h.onSign()).toBe('kommun-1');
    await h.run(1_500);
    expect(h.onSign()).toBe('konsert-1');
    expect(h.played.map((p) => `${p.priority}:${p.itemId}`)).toEqual([
      'scheduled:kommun-1',
      'override:vagarbete',
      'scheduled:kommun-1',
      'scheduled:konsert-1',
    ]);
  });

  it('an override cancelled early still had its 10 s, and ends at once after that', async () => {
    const h = await harness(scheduled([{ page: K1 }]));
    await h.run(11_000);
    const now = h.clock.now();
    const o = h.overrides.create(
      { signs: [SIGN], page: page('nu'), startsAt: now, endsAt: now + 60 * 60_000, reason: null },
      'anna',
    );
    await h.run(1_000);
    expect(h.onSign()).toBe('nu');
    h.overrides.cancel(o.id, 'anna');
    await h.run(3_000);
    expect(h.onSign()).toBe('nu');
    await h.run(7_000);
    expect(h.onSign()).toBe('kommun-1');
  });

  it('a crisis covers everything; nothing moves underneath, and after it the page comes back for a fresh minimum', async () => {
    const h = await harness(scheduled([{ page: K1 }, { page: C1 }]));
    await h.run(8_000);
    expect(h.onSign()).toBe('kommun-1');
    const crisis = solidFrame(SMALL_PANEL.width, SMALL_PANEL.height, 'rgb888', 0xff0000);
    await h.rig.controller.show({ frame: crisis, priority: 'crisis', ttlMs: null, itemId: 'crisis:x', urgent: true });
    await h.run(30 * 60_000, 1_000);
    expect(h.rig.sign.status().showingCrc32).toBe(frameCrc32(crisis));
    expect(h.scheduler.rotation?.current?.itemId).toBe('kommun-1');
    await h.rig.controller.end('crisis');
    await h.run(9_000);
    expect(h.onSign()).toBe('kommun-1');
    await h.run(1_500);
    expect(h.onSign()).toBe('konsert-1');
    expect(h.played.map((p) => `${p.priority}:${p.itemId}`)).toEqual([
      'scheduled:kommun-1',
      'crisis:crisis:x',
      'scheduled:kommun-1',
      'scheduled:konsert-1',
    ]);
  });

  it('after a restart the rotation continues from the persisted state, not from the top', async () => {
    const items = scheduled([{ page: K1 }, { page: K2 }, { page: page('kommun-3') }]);
    const h = await harness(items);
    await h.run(10_500);
    expect(h.onSign()).toBe('kommun-2');
    await h.rig.controller.stop();
    open = open.filter((x) => x !== h);
    h.clock.advance(20_000);
    const again = await harness(items, { clock: h.clock, db: h.db });
    await again.run(500);
    expect(again.onSign()).toBe('kommun-3');
  });

  it('with an implausible clock nothing is scheduled by time: the fallback loop keeps the sign alive', async () => {
    const h = await harness(scheduled([{ page: K1 }]));
    h.setClockOk(false);
    await h.run(2_000);
    expect(h.rig.controller.showing()?.priority).toBe('fallback');
    h.setClockOk(true);
    await h.run(10_000);
    expect(h.rig.controller.showing()?.priority).toBe('scheduled');
  });
});

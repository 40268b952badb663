import { describe, expect, it } from 'vitest';
import { localTime, localToEpoch } from '../../src/domain/local-time.ts';
import { confirmShown, emptyHistory, isEligible, resumeShown, rotationAt } from '../../src/schedule/rotation-engine.ts';
import { airtime, DAY, HOUR, item, local, schedule, share, simulate } from './schedule-kit.ts';

const N = 'E20-N';
const S = 'E20-S';

/** Both organisations with content all day, pages of different lengths. */
function mixed() {
  return [
    item('kommun', { dwellSeconds: 10 }),
    item('kommun', { dwellSeconds: 15 }),
    item('kommun', { dwellSeconds: 20 }),
    item('konserthus', { dwellSeconds: 30 }),
    item('konserthus', { dwellSeconds: 45 }),
  ];
}

function everyLocalDay(firstDate: string, days: number): Array<{ date: string; from: number; to: number }> {
  const out = [];
  for (let d = 0; d < days; d++) {
    const from = localToEpoch(addDays(firstDate, d), 0);
    const to = localToEpoch(addDays(firstDate, d + 1), 0);
    out.push({ date: addDays(firstDate, d), from, to });
  }
  return out;
}

function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

describe('share of airtime', () => {
  it('holds 50/50 within ±2 pp on every local day of a simulated week, with pages of 10 to 45 s', () => {
    const days = everyLocalDay('2026-12-07', 7);
    const first = days[0];
    const last = days.at(-1);
    if (!first || !last) throw new Error('no days');
    const { pages, idleMs } = simulate(schedule(mixed()), N, first.from, last.to);
    expect(idleMs).toBe(0);
    for (const day of days) {
      const s = share(airtime(pages, day.from, day.to), 'kommun');
      expect(Math.abs(s - 0.5), `kommun share on ${day.date}: ${s}`).toBeLessThan(0.02);
    }
  });

  it('holds a 70/30 share within ±2 pp over the 23-hour and 25-hour DST days', () => {
    const shares = { kommun: 0.7, konserthus: 0.3 };
    for (const date of ['2026-03-29', '2026-10-25']) {
      const from = localToEpoch(date, 0);
      const to = localToEpoch(addDays(date, 1), 0);
      expect(to - from).toBe(date === '2026-03-29' ? 23 * HOUR : 25 * HOUR);
      const { pages } = simulate(schedule(mixed(), shares), N, from, to);
      const s = share(airtime(pages, from, to), 'kommun');
      expect(Math.abs(s - 0.7), `kommun share on ${date}: ${s}`).toBeLessThan(0.02);
    }
  });

  it('gives the whole sign to one organisation when the other has no content, with no gaps', () => {
    const from = Date.parse('2026-12-07T00:00:00Z');
    const items = [item('kommun', { dwellSeconds: 10 }), item('kommun', { dwellSeconds: 20 })];
    const { pages, idleMs } = simulate(schedule(items), N, from, from + DAY);
    expect(idleMs).toBe(0);
    expect(new Set(pages.map((p) => p.organisation))).toEqual(new Set(['kommun']));
    const a = airtime(pages, from, from + DAY);
    // Only the sign's ~40 ms to confirm each page is lost between pages.
    expect(a.kommun / DAY).toBeGreaterThan(0.99);
  });

  it('measures the share only while both have content: evening concert content gets its half of the evening', () => {
    const from = localToEpoch('2026-12-09', 0);
    const to = localToEpoch('2026-12-10', 0);
    const evening = { from: localToEpoch('2026-12-09', 18 * 60), to: localToEpoch('2026-12-09', 22 * 60) };
    const items = [
      item('kommun', { dwellSeconds: 10 }),
      item('kommun', { dwellSeconds: 12 }),
      item('konserthus', { dwellSeconds: 30, timesOfDay: [{ from: '18:00', to: '22:00' }] }),
    ];
    const { pages } = simulate(schedule(items), N, from, to);
    // Outside the evening kommun has the sign; inside, the share holds.
    expect(share(airtime(pages, from, evening.from), 'kommun')).toBe(1);
    expect(Math.abs(share(airtime(pages, evening.from, evening.to), 'konserthus') - 0.5)).toBeLessThan(0.02);
    // Konserthus is not paid back for the hours it had nothing: after 22.00 kommun has it all again.
    expect(share(airtime(pages, evening.to + 60_000, to), 'kommun')).toBe(1);
  });
});

describe('pages', () => {
  it('holds each page at least its dwell from confirmation, and changes at once after it', () => {
    const from = Date.parse('2026-12-07T08:00:00Z');
    const { pages } = simulate(schedule(mixed()), N, from, from + HOUR);
    for (let i = 0; i < pages.length - 1; i++) {
      const p = pages[i];
      if (!p) continue;
      const dwell = { kommun: [10, 15, 20], konserthus: [30, 45] };
      const held = (p.end - p.start) / 1000;
      expect(held).toBeGreaterThanOrEqual(Math.min(...dwell[p.organisation]));
    }
    // The engine answers "hold" before the dwell is over, whatever the time of asking.
    const first = rotationAt(schedule(mixed()), N, null, from);
    if (first.kind !== 'show') throw new Error('expected a page');
    const h = confirmShown(first.history, from + 500);
    const early = rotationAt(schedule(mixed()), N, h, from + 500 + first.item.dwellSeconds * 1000 - 1);
    expect(early).toMatchObject({
      kind: 'hold',
      itemId: first.item.id,
      until: from + 500 + first.item.dwellSeconds * 1000,
    });
    const onTime = rotationAt(schedule(mixed()), N, h, from + 500 + first.item.dwellSeconds * 1000);
    expect(onTime.kind).toBe('show');
  });

  it('plays each organisation in playlist order, round robin', () => {
    const a = item('kommun', { order: 1 });
    const b = item('konserthus', { order: 2 });
    const c = item('kommun', { order: 3 });
    const d = item('konserthus', { order: 4 });
    const from = Date.parse('2026-12-07T08:00:00Z');
    const { pages } = simulate(schedule([d, c, b, a]), N, from, from + 8 * 10_300);
    expect(pages.map((p) => p.itemId).slice(0, 8)).toEqual([a.id, b.id, c.id, d.id, a.id, b.id, c.id, d.id]);
  });

  it('an empty playlist leaves the sign idle (the fallback loop plays), with no time to wait for', () => {
    const d = rotationAt(schedule([]), N, null, Date.parse('2026-12-07T08:00:00Z'));
    expect(d).toMatchObject({ kind: 'idle', until: null });
  });

  it('targets signs: an item for E20-N never plays on E20-S', () => {
    const north = item('kommun', { signs: [N] });
    const both = item('kommun');
    const from = Date.parse('2026-12-07T08:00:00Z');
    const s = schedule([north, both]);
    expect(new Set(simulate(s, S, from, from + HOUR).pages.map((p) => p.itemId))).toEqual(new Set([both.id]));
    expect(new Set(simulate(s, N, from, from + HOUR).pages.map((p) => p.itemId))).toEqual(new Set([north.id, both.id]));
  });
});

describe('windows and playlist changes', () => {
  it('an item whose window opens mid-rotation comes on at the next page, not mid-page and not after a loop', () => {
    const from = Date.parse('2026-12-07T08:00:00Z');
    const opens = from + 10 * 60_000 + 3_000; // in the middle of a page
    const k1 = item('kommun', { dwellSeconds: 20 });
    const k2 = item('kommun', { dwellSeconds: 20 });
    const concert = item('konserthus', { dwellSeconds: 10, window: { from: opens, until: null } });
    const { pages } = simulate(schedule([k1, k2, concert]), N, from, from + HOUR);
    const before = pages.filter((p) => p.start < opens);
    expect(before.every((p) => p.organisation === 'kommun')).toBe(true);
    const mid = pages.find((p) => p.start < opens && p.end > opens);
    const next = pages[pages.indexOf(mid as (typeof pages)[number]) + 1];
    expect(mid?.end).toBeGreaterThanOrEqual((mid?.start ?? 0) + 20_000);
    expect(next?.itemId).toBe(concert.id);
  });

  it('an idle sign knows until when: the next window opening', () => {
    const opens = Date.parse('2026-12-08T17:00:00Z');
    const s = schedule([item('konserthus', { window: { from: opens, until: opens + DAY } })]);
    expect(rotationAt(s, N, null, Date.parse('2026-12-07T08:00:00Z'))).toMatchObject({ kind: 'idle', until: opens });
    const evening = schedule([item('kommun', { days: [6], timesOfDay: [{ from: '18:30', to: '20:00' }] })]);
    // Monday 7 Dec 2026 -> Saturday 12 Dec, 18:30 local (CET, UTC+1).
    expect(rotationAt(evening, N, null, Date.parse('2026-12-07T08:00:00Z'))).toMatchObject({
      kind: 'idle',
      until: Date.parse('2026-12-12T17:30:00Z'),
    });
  });

  it('a new revision takes effect at the next page; a removed item is cut at the 10 s minimum', () => {
    const a = item('kommun', { dwellSeconds: 60 });
    const b = item('kommun', { dwellSeconds: 10 });
    const t0 = Date.parse('2026-12-07T08:00:00Z');
    const first = rotationAt(schedule([a, b], undefined, 'r1'), N, null, t0);
    if (first.kind !== 'show') throw new Error('expected a page');
    expect(first.item.id).toBe(a.id);
    const h = confirmShown(first.history, t0);
    const r2 = schedule([b], undefined, 'r2');
    expect(rotationAt(r2, N, h, t0 + 9_999)).toMatchObject({
      kind: 'hold',
      itemId: a.id,
      item: null,
      until: t0 + 10_000,
    });
    expect(rotationAt(r2, N, h, t0 + 10_000)).toMatchObject({ kind: 'show', item: { id: b.id } });
    // An edited dwell in a new revision applies to the next showing; this page keeps its hold.
    const r3 = schedule([{ ...a, dwellSeconds: 10 }, b], undefined, 'r3');
    expect(rotationAt(r3, N, h, t0 + 30_000)).toMatchObject({ kind: 'hold', itemId: a.id, until: t0 + 60_000 });
  });

  it('a page whose window ends mid-page still finishes its dwell', () => {
    const t0 = Date.parse('2026-12-07T08:00:00Z');
    const a = item('kommun', { dwellSeconds: 30, window: { from: null, until: t0 + 5_000 } });
    const first = rotationAt(schedule([a]), N, null, t0);
    if (first.kind !== 'show') throw new Error('expected a page');
    const h = confirmShown(first.history, t0);
    expect(rotationAt(schedule([a]), N, h, t0 + 29_000)).toMatchObject({ kind: 'hold', until: t0 + 30_000 });
    expect(rotationAt(schedule([a]), N, h, t0 + 30_000).kind).toBe('idle');
  });

  it('after being covered (crisis, override, restart) a page stays at least 10 s more', () => {
    const t0 = Date.parse('2026-12-07T08:00:00Z');
    const a = item('kommun', { dwellSeconds: 20 });
    const first = rotationAt(schedule([a]), N, null, t0);
    if (first.kind !== 'show') throw new Error('expected a page');
    const h = resumeShown(confirmShown(first.history, t0), t0 + 15_000);
    expect(h.current?.holdUntil).toBe(t0 + 25_000);
  });
});

describe('local time and DST (Europe/Stockholm)', () => {
  it('times of day follow the wall clock across the March change (2026-03-29)', () => {
    const morning = item('kommun', { id: 'morgon', timesOfDay: [{ from: '07:00', to: '09:00' }] });
    const filler = item('konserthus', { id: 'fyllnad' });
    const from = localToEpoch('2026-03-26', 0);
    const to = localToEpoch('2026-04-02', 0);
    const { pages } = simulate(schedule([morning, filler]), N, from, to);
    const mornings = pages.filter((p) => p.itemId === 'morgon');
    for (const p of mornings) {
      const t = localTime(p.start);
      expect(t.minuteOfDay, local(p.start)).toBeGreaterThanOrEqual(7 * 60);
      expect(t.minuteOfDay, local(p.start)).toBeLessThan(9 * 60);
    }
    const dates = new Set(mornings.map((p) => localTime(p.start).date));
    expect([...dates].sort()).toEqual([
      '2026-03-26',
      '2026-03-27',
      '2026-03-28',
      '2026-03-29',
      '2026-03-30',
      '2026-03-31',
      '2026-04-01',
    ]);
    // In UTC the window moves an hour earlier on the Sunday.
    expect(
      Math.min(
        ...mornings.filter((p) => localTime(p.start).date === '2026-03-28').map((p) => new Date(p.start).getUTCHours()),
      ),
    ).toBe(6);
    expect(
      Math.min(
        ...mornings.filter((p) => localTime(p.start).date === '2026-03-29').map((p) => new Date(p.start).getUTCHours()),
      ),
    ).toBe(5);
  });

  it('02:00-03:00 does not exist on 29 March and happens twice on 25 October', () => {
    const night = item('kommun', { id: 'natt', timesOfDay: [{ from: '02:00', to: '03:00' }] });
    const filler = item('konserthus', { id: 'fyllnad' });
    const nightAirtime = (date: string) => {
      const from = localToEpoch(date, 0);
      const to = localToEpoch(addDays(date, 1), 0);
      const { pages } = simulate(schedule([night, filler]), N, from, to);
      return pages.filter((p) => p.itemId === 'natt').reduce((ms, p) => ms + (p.end - p.start), 0);
    };
    expect(nightAirtime('2026-03-29')).toBe(0);
    const normal = nightAirtime('2026-03-28');
    expect(normal / HOUR).toBeCloseTo(0.5, 1);
    expect(nightAirtime('2026-10-25') / normal).toBeCloseTo(2, 1);
  });

  it('days are local days: a Sunday-only item starts at local midnight, in winter and in summer time', () => {
    const sunday = item('kommun', { days: [7] });
    // Sunday 25 Oct 2026 00:00 CEST = Saturday 22:00 UTC; Sunday 1 Nov 00:00 CET = Saturday 23:00 UTC.
    expect(isEligible(sunday, N, Date.parse('2026-10-24T21:59:59Z'))).toBe(false);
    expect(isEligible(sunday, N, Date.parse('2026-10-24T22:00:00Z'))).toBe(true);
    expect(isEligible(sunday, N, Date.parse('2026-10-25T22:59:59Z'))).toBe(true);
    expect(isEligible(sunday, N, Date.parse('2026-10-25T23:00:00Z'))).toBe(false);
    expect(isEligible(sunday, N, Date.parse('2026-10-31T22:59:59Z'))).toBe(false);
    expect(isEligible(sunday, N, Date.parse('2026-10-31T23:00:00Z'))).toBe(true);
  });

  it('a range across midnight, 22:00-02:00, plays late evening and early morning', () => {
    const late = item('kommun', { timesOfDay: [{ from: '22:00', to: '02:00' }] });
    expect(isEligible(late, N, localToEpoch('2026-12-07', 23 * 60))).toBe(true);
    expect(isEligible(late, N, localToEpoch('2026-12-08', 60))).toBe(true);
    expect(isEligible(late, N, localToEpoch('2026-12-08', 2 * 60))).toBe(false);
    expect(isEligible(late, N, localToEpoch('2026-12-08', 12 * 60))).toBe(false);
  });
});

describe('restart', () => {
  it('continues from the persisted history exactly where an uninterrupted sign would be', () => {
    const items = mixed();
    const from = Date.parse('2026-12-07T06:00:00Z');
    const mid = from + 3 * HOUR + 7_777;
    const to = from + 6 * HOUR;
    const whole = simulate(schedule(items), N, from, to);
    const part1 = simulate(schedule(items), N, from, mid);
    // What is persisted is JSON, and is all the engine needs.
    const persisted = JSON.parse(JSON.stringify(part1.history));
    const part2 = simulate(schedule(items), N, mid, to, { history: persisted });
    const seq = (pages: typeof whole.pages) => pages.map((p) => p.itemId);
    // The page up at the restart is held to its end, then the rotation goes on with the next one.
    const resumed = [...seq(part1.pages), ...seq(part2.pages)];
    expect(resumed.length).toBeGreaterThan(900);
    expect(resumed).toEqual(seq(whole.pages).slice(0, resumed.length));
  });

  it('starts sensibly from an empty history', () => {
    expect(emptyHistory()).toMatchObject({ current: null, owed: { kommun: 0, konserthus: 0 } });
  });
});

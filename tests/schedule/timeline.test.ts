import { describe, expect, it } from 'vitest';
import { localTime } from '../../src/domain/local-time.ts';
import { rotationTimeline } from '../../src/schedule/timeline.ts';
import { HOUR, item, schedule, simulate } from './schedule-kit.ts';

/** The timeline runs the rotation engine forward: what it says is what the sign's loop does. */
describe('rotationTimeline', () => {
  const T = Date.parse('2026-12-07T06:00:00Z'); // Monday 07:00 in Vara

  it('is the same sequence of pages as the rotation played page by page', () => {
    const s = schedule([
      item('kommun', { id: 'k1' }),
      item('kommun', { id: 'k2', dwellSeconds: 15 }),
      item('konserthus', { id: 'c1', dwellSeconds: 20 }),
    ]);
    const tl = rotationTimeline(s, 'E20-N', null, T, T + HOUR, { bucketMs: HOUR, maxPages: 30 });
    const played = simulate(s, 'E20-N', T, T + HOUR, { ackMs: 0, tickMs: 0 }).pages.slice(0, 30);
    expect(tl.pages.map((p) => p.itemId)).toEqual(played.map((p) => p.itemId));
    expect(tl.pages[0]).toEqual({ itemId: expect.any(String), start: T, end: expect.any(Number) });
    // 50/50 over the hour, within one page.
    const bucket = tl.buckets[0];
    const kommun = (bucket?.airtime.get('k1') ?? 0) + (bucket?.airtime.get('k2') ?? 0);
    const konserthus = bucket?.airtime.get('c1') ?? 0;
    expect(kommun + konserthus).toBe(HOUR);
    expect(Math.abs(kommun - konserthus)).toBeLessThanOrEqual(20_000);
    expect(tl.items.get('c1')).toMatchObject({ nextAt: expect.any(Number) });
    expect(tl.items.get('c1')?.plays).toBeGreaterThan(80);
  });

  it('says when an item whose window opens later first airs, and fills the time before with the fallback', () => {
    const opens = T + 3 * HOUR;
    const s = schedule([item('kommun', { id: 'later', window: { from: opens, until: null } })]);
    const tl = rotationTimeline(s, 'E20-N', null, T, T + 6 * HOUR, { bucketMs: HOUR });
    expect(tl.items.get('later')?.nextAt).toBe(opens);
    expect(tl.buckets.slice(0, 3).map((b) => b.idleMs)).toEqual([HOUR, HOUR, HOUR]);
    expect(tl.buckets[3]?.airtime.get('later')).toBe(HOUR);
    // The only item stays up from 10.00: one play, as proof of play counts it, however many 10 s turns it takes.
    expect(tl.items.get('later')).toMatchObject({ plays: 1, airtimeMs: 3 * HOUR });
    expect(tl.pages).toHaveLength(40); // its turns, each a page (the first 40)
  });

  it('keeps times of day on the clock in Vara: a morning item airs only in its hours', () => {
    const s = schedule([
      item('kommun', { id: 'morning', timesOfDay: [{ from: '07:00', to: '09:00' }] }),
      item('konserthus', { id: 'always' }),
    ]);
    const dayStart = Date.parse('2026-12-06T23:00:00Z'); // Monday 00:00 in Vara
    const tl = rotationTimeline(s, 'E20-N', null, dayStart, dayStart + 24 * HOUR, { bucketMs: HOUR });
    const hoursWithMorning = tl.buckets
      .filter((b) => (b.airtime.get('morning') ?? 0) > 0)
      .map((b) => localTime(b.from).minuteOfDay / 60);
    expect(hoursWithMorning).toEqual([7, 8]);
    expect(tl.items.get('morning')?.nextAt).toBe(Date.parse('2026-12-07T06:00:00Z'));
  });

  it('waits under an override and resumes after it; an excluded item never airs', () => {
    const s = schedule([item('kommun', { id: 'a' }), item('kommun', { id: 'broken' })]);
    const tl = rotationTimeline(s, 'E20-N', null, T, T + HOUR, {
      bucketMs: 15 * 60_000,
      exclude: new Set(['broken']),
      blocked: [{ from: T + 15 * 60_000, until: T + 30 * 60_000 }],
    });
    expect(tl.buckets.map((b) => b.blockedMs)).toEqual([0, 15 * 60_000, 0, 0]);
    expect(tl.buckets[1]?.airtime.size).toBe(0);
    expect(tl.buckets[2]?.airtime.get('a')).toBe(15 * 60_000);
    expect(tl.items.get('broken')).toEqual({ nextAt: null, plays: 0, airtimeMs: 0 });
  });

  it("continues from the sign's history: the page on the sign is held to its end, then the rotation goes on", () => {
    const s = schedule([item('kommun', { id: 'a' }), item('kommun', { id: 'b' })]);
    const first = rotationTimeline(s, 'E20-N', null, T, T + 5_000, { bucketMs: 5_000 });
    expect(first.pages.map((p) => p.itemId)).toEqual(['a']);
    const next = rotationTimeline(s, 'E20-N', first.history, T + 5_000, T + 30_000, { bucketMs: 25_000 });
    expect(next.pages).toEqual([
      { itemId: 'a', start: T + 5_000, end: T + 10_000 },
      { itemId: 'b', start: T + 10_000, end: T + 20_000 },
      { itemId: 'a', start: T + 20_000, end: T + 30_000 },
    ]);
    expect(next.items.get('a')).toMatchObject({ nextAt: T + 5_000, plays: 1 });
  });
});

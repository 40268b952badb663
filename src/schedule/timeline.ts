import { compileSchedule, confirmShown, type RotationHistory, resumeShown, rotationAt } from './rotation-engine.ts';
import type { PublishedSchedule, ScheduledItem } from './schedule-input.ts';

/**
 * What a sign's loop will show over a period, by running the rotation engine itself forward in time: the same
 * decisions the sign will take (shares, windows, days, times of day, dwell), page after page. Pure: the schedule,
 * the sign's persisted rotation history and the period in, the timeline out.
 */

export interface TimelinePage {
  readonly itemId: string;
  readonly start: number;
  readonly end: number;
}

export interface TimelineItem {
  /** When the item first comes up in the period (it may already be on the sign at `from`); null: not at all. */
  readonly nextAt: number | null;
  /** Times it goes up, as proof of play counts them: the same page staying up (the only item) is one. */
  readonly plays: number;
  readonly airtimeMs: number;
}

export interface TimelineBucket {
  readonly from: number;
  readonly until: number;
  /** Airtime per item in the bucket. */
  readonly airtime: ReadonlyMap<string, number>;
  /** Nothing scheduled: the fallback loop plays. */
  readonly idleMs: number;
  /** Covered by a "show now" override: the rotation waits underneath. */
  readonly blockedMs: number;
}

export interface Timeline {
  /** The first pages, in order (at most `maxPages`). */
  readonly pages: readonly TimelinePage[];
  readonly items: ReadonlyMap<string, TimelineItem>;
  readonly buckets: readonly TimelineBucket[];
  /** The rotation history at the end of the period (to continue from). */
  readonly history: RotationHistory | null;
}

export interface TimelineOptions {
  readonly bucketMs: number;
  readonly maxPages?: number;
  /** Items the sign passes over (they cannot be drawn). */
  readonly exclude?: ReadonlySet<string>;
  /** Periods when something above the rotation (an override) has the sign; the rotation waits, as on the sign. */
  readonly blocked?: readonly { readonly from: number; readonly until: number }[];
}

export function rotationTimeline<T extends ScheduledItem>(
  schedule: PublishedSchedule<T>,
  signId: string,
  history: RotationHistory | null,
  from: number,
  until: number,
  options: TimelineOptions,
): Timeline {
  const compiled = compileSchedule(schedule);
  const exclude = options.exclude;
  const maxPages = options.maxPages ?? 40;
  const blocked = [...(options.blocked ?? [])].filter((b) => b.until > from && b.from < until);
  blocked.sort((a, b) => a.from - b.from);

  const buckets: { from: number; until: number; airtime: Map<string, number>; idleMs: number; blockedMs: number }[] =
    [];
  for (let b = from; b < until; b += options.bucketMs) {
    buckets.push({
      from: b,
      until: Math.min(until, b + options.bucketMs),
      airtime: new Map(),
      idleMs: 0,
      blockedMs: 0,
    });
  }
  const items = new Map<string, { nextAt: number | null; plays: number; airtimeMs: number }>();
  for (const i of schedule.items) {
    if (!i.signs || i.signs.includes(signId)) items.set(i.id, { nextAt: null, plays: 0, airtimeMs: 0 });
  }
  const pages: TimelinePage[] = [];

  /** Spreads [a, b) over the buckets. */
  const spread = (a: number, b: number, add: (bucket: (typeof buckets)[number], ms: number) => void) => {
    for (let i = Math.max(0, Math.floor((a - from) / options.bucketMs)); i < buckets.length; i++) {
      const bucket = buckets[i] as (typeof buckets)[number];
      if (bucket.from >= b) break;
      const ms = Math.min(b, bucket.until) - Math.max(a, bucket.from);
      if (ms > 0) add(bucket, ms);
    }
  };
  /** The stretch last aired: the same item again right after it is the same page on the sign, not a new play. */
  let previous: { itemId: string; end: number } | null = null;
  const aired = (itemId: string, a: number, b: number, fresh: boolean) => {
    if (b <= a) return;
    // As proof of play counts it: a page that stays up (held, or chosen again as the only one) is one play; a page
    // already up when the period starts was played before it.
    const continues = previous !== null && previous.itemId === itemId && previous.end === a;
    previous = { itemId, end: b };
    const entry = items.get(itemId) ?? { nextAt: null, plays: 0, airtimeMs: 0 };
    items.set(itemId, {
      nextAt: entry.nextAt ?? a,
      plays: entry.plays + (fresh && !continues ? 1 : 0),
      airtimeMs: entry.airtimeMs + (b - a),
    });
    spread(a, b, (bucket, ms) => bucket.airtime.set(itemId, (bucket.airtime.get(itemId) ?? 0) + ms));
    // Pages are the rotation's turns, as the sign confirms them: a turn that picks the same item again is a page.
    const last = pages.at(-1);
    if (last && last.itemId === itemId && last.end === a && !fresh) pages[pages.length - 1] = { ...last, end: b };
    else if (pages.length < maxPages) pages.push({ itemId, start: a, end: b });
  };

  let h = history;
  let t = from;
  let next = 0; // the next blocked period
  // A safety net: a schedule cannot need more decisions than pages of the minimum dwell, plus one per idle stretch.
  let budget = Math.ceil((until - from) / 1_000) + 10_000;
  while (t < until && budget-- > 0) {
    while (next < blocked.length && (blocked[next] as { until: number }).until <= t) next++;
    const block = blocked[next];
    if (block && block.from <= t) {
      const end = Math.min(until, block.until);
      spread(t, end, (bucket, ms) => {
        bucket.blockedMs += ms;
      });
      t = end;
      // The page that was up comes back for at least the road-safety minimum (as SignScheduler resumes it).
      if (h) h = resumeShown(h, t);
      continue;
    }
    const stop = Math.min(until, block ? block.from : until);
    const d = rotationAt(compiled, signId, h, t, exclude ? { exclude } : {});
    if (d.kind === 'hold') {
      h = d.history;
      const end = Math.min(stop, d.until);
      aired(d.itemId, t, end, false);
      t = Math.max(end, t + 1);
      continue;
    }
    if (d.kind === 'idle') {
      h = d.history;
      const end = Math.min(stop, d.until ?? until);
      spread(t, end, (bucket, ms) => {
        bucket.idleMs += ms;
      });
      t = Math.max(end, t + 1);
      continue;
    }
    h = confirmShown(d.history, t);
    const end = Math.min(stop, d.until);
    aired(d.item.id, t, end, true);
    t = Math.max(end, t + 1);
  }
  return { pages, items, buckets, history: h };
}

import { ORGANISATIONS, type Organisation } from '../domain/item-content.ts';
import { addDays, type LocalTime, localTime, localToEpoch, parseHhMm } from '../domain/local-time.ts';
import { MIN_DWELL_MS, type PublishedSchedule, type ScheduledItem } from './schedule-input.ts';

/**
 * The shared rotation, as a pure function of (published schedule, sign, history, now): which page a
 * sign shows and until when.
 *
 * - Eligibility: an item plays on a sign it targets, inside its window, on its days and times of day
 *   (Europe/Stockholm wall clock, so "07:00-09:00" follows DST).
 * - Fairness: deficit round robin over airtime. While both organisations have eligible content,
 *   every page's actual airtime is charged to its organisation and credited to all by their share;
 *   the organisation owed most plays next. The lag is bounded by one page's dwell, so over a day of
 *   contested time the shares hold to a fraction of a percentage point. Time when only one
 *   organisation has content is not counted: an unfillable share goes to the other one and is not
 *   owed back later.
 * - Within an organisation items play in playlist order, round robin, from where it left off, so a
 *   new revision takes effect at the next page and a restart does not start over from the top.
 * - A page stays at least its dwell from the moment the sign confirmed it; changes are instant.
 */

export interface CurrentPage {
  readonly itemId: string;
  readonly organisation: Organisation;
  readonly order: number;
  /** When the sign confirmed the page (or when the engine chose it, until confirmShown). */
  readonly startedAt: number;
  /** The earliest time the page may change. */
  readonly holdUntil: number;
  /** Both organisations had eligible content when it was chosen: its airtime counts for fairness. */
  readonly contested: boolean;
}

/** Per-sign memory of the rotation: small and JSON-serialisable, persisted after every page. */
export interface RotationHistory {
  readonly version: 1;
  readonly current: CurrentPage | null;
  /** Airtime owed to each organisation in ms (contested time only); sums to about zero. */
  readonly owed: Readonly<Record<Organisation, number>>;
  /** The last item each organisation played: its rotation continues after it. */
  readonly cursor: Readonly<Record<Organisation, { readonly order: number; readonly id: string } | null>>;
}

export type RotationDecision<T extends ScheduledItem> =
  /** Keep the current page until `until` (the item may have left the playlist: then item is null). */
  | {
      readonly kind: 'hold';
      readonly itemId: string;
      readonly item: T | null;
      readonly until: number;
      readonly history: RotationHistory;
    }
  /** Show `item` now; hold it until `until`. Call confirmShown when the sign has confirmed it. */
  | {
      readonly kind: 'show';
      readonly item: T;
      readonly until: number;
      readonly contested: boolean;
      readonly history: RotationHistory;
    }
  /** Nothing is eligible; `until` is when something may open (null: nothing within a week). */
  | { readonly kind: 'idle'; readonly until: number | null; readonly history: RotationHistory };

export interface RotationOptions {
  /** Items to pass over (e.g. ones that cannot be rendered for this sign). */
  readonly exclude?: ReadonlySet<string>;
}

export function emptyHistory(): RotationHistory {
  return {
    version: 1,
    current: null,
    owed: { kommun: 0, konserthus: 0 },
    cursor: { kommun: null, konserthus: null },
  };
}

/** A page is held a little past its dwell by the tick; beyond this slack, time is not charged (a crisis covered it). */
const CHARGE_SLACK_MS = 2_000;
/** A safety net against a corrupt persisted history: no organisation is ever owed more than this. */
const MAX_OWED_MS = 3_600_000;

// ---------------------------------------------------------------------------------------------
// Compilation: once per published revision (memoised on the object), per sign on first use.

interface CompiledItem<T extends ScheduledItem> {
  readonly item: T;
  readonly id: string;
  readonly order: number;
  readonly dwellMs: number;
  readonly from: number;
  readonly until: number;
  /** Bit n set: ISO weekday n allowed. */
  readonly dayMask: number;
  /** [from, to) minutes of day; null: all day. */
  readonly ranges: ReadonlyArray<readonly [number, number]> | null;
}

interface SignLoop<T extends ScheduledItem> {
  readonly byOrg: Readonly<Record<Organisation, readonly CompiledItem<T>[]>>;
  readonly byId: ReadonlyMap<string, CompiledItem<T>>;
}

export interface CompiledSchedule<T extends ScheduledItem> {
  readonly revision: string;
  /** Shares normalised to sum to 1. */
  readonly shares: Readonly<Record<Organisation, number>>;
  loop(signId: string): SignLoop<T>;
}

const ALL_DAYS = 0b1111_1110;
const compiledCache = new WeakMap<PublishedSchedule<ScheduledItem>, CompiledSchedule<ScheduledItem>>();

export function compileSchedule<T extends ScheduledItem>(schedule: PublishedSchedule<T>): CompiledSchedule<T> {
  const hit = compiledCache.get(schedule);
  if (hit) return hit as unknown as CompiledSchedule<T>;
  const items = schedule.items.map(compileItem).sort(byOrderThenId);
  const loops = new Map<string, SignLoop<T>>();
  const compiled: CompiledSchedule<T> = {
    revision: schedule.revision,
    shares: normaliseShares(schedule.settings.shares),
    loop(signId) {
      let loop = loops.get(signId);
      if (!loop) {
        const mine = items.filter((c) => !c.item.signs || c.item.signs.includes(signId));
        const byOrg = { kommun: [], konserthus: [] } as Record<Organisation, CompiledItem<T>[]>;
        for (const c of mine) byOrg[c.item.organisation].push(c);
        loop = { byOrg, byId: new Map(mine.map((c) => [c.id, c])) };
        loops.set(signId, loop);
      }
      return loop;
    },
  };
  compiledCache.set(schedule, compiled as unknown as CompiledSchedule<ScheduledItem>);
  return compiled;
}

function compileItem<T extends ScheduledItem>(item: T): CompiledItem<T> {
  let dayMask = ALL_DAYS;
  if (item.days && item.days.length > 0) {
    dayMask = 0;
    for (const d of item.days) dayMask |= 1 << d;
  }
  const ranges =
    item.timesOfDay && item.timesOfDay.length > 0
      ? item.timesOfDay.map((r) => [parseHhMm(r.from), parseHhMm(r.to)] as const)
      : null;
  return {
    item,
    id: item.id,
    order: item.order,
    dwellMs: Math.max(MIN_DWELL_MS, item.dwellSeconds * 1000),
    from: item.window?.from ?? Number.NEGATIVE_INFINITY,
    until: item.window?.until ?? Number.POSITIVE_INFINITY,
    dayMask,
    ranges,
  };
}

function byOrderThenId(a: { order: number; id: string }, b: { order: number; id: string }): number {
  return a.order - b.order || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function normaliseShares(shares: Readonly<Record<Organisation, number>>): Record<Organisation, number> {
  const raw = ORGANISATIONS.map((o) => Math.max(0, Number.isFinite(shares[o]) ? shares[o] : 0));
  const sum = raw.reduce((a, b) => a + b, 0);
  const out = {} as Record<Organisation, number>;
  ORGANISATIONS.forEach((o, i) => {
    out[o] = sum > 0 ? (raw[i] as number) / sum : 1 / ORGANISATIONS.length;
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Eligibility

function eligible<T extends ScheduledItem>(c: CompiledItem<T>, now: number, local: LocalTime): boolean {
  if (now < c.from || now >= c.until) return false;
  if (c.dayMask !== ALL_DAYS && (c.dayMask & (1 << local.weekday)) === 0) return false;
  if (c.ranges === null) return true;
  const m = local.minuteOfDay;
  for (const [from, to] of c.ranges) {
    if (from <= to ? m >= from && m < to : m >= from || m < to) return true;
  }
  return false;
}

/** Is this item eligible on this sign now (window, days, times of day, target sign)? */
export function isEligible(item: ScheduledItem, signId: string, now: number): boolean {
  if (item.signs && !item.signs.includes(signId)) return false;
  return eligible(compileItem(item), now, localTime(now));
}

/** The organisation's next eligible item after its cursor, round robin in playlist order. */
function nextOf<T extends ScheduledItem>(
  list: readonly CompiledItem<T>[],
  cursor: { order: number; id: string } | null,
  now: number,
  local: LocalTime,
  exclude: ReadonlySet<string> | undefined,
): CompiledItem<T> | null {
  const n = list.length;
  if (n === 0) return null;
  let start = 0;
  if (cursor) {
    // First index strictly after the cursor (binary search: lists can hold thousands of items).
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (byOrderThenId(list[mid] as CompiledItem<T>, cursor) <= 0) lo = mid + 1;
      else hi = mid;
    }
    start = lo % n;
  }
  for (let k = 0; k < n; k++) {
    const c = list[(start + k) % n] as CompiledItem<T>;
    if (eligible(c, now, local) && !exclude?.has(c.id)) return c;
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// The decision

export function rotationAt<T extends ScheduledItem>(
  schedule: PublishedSchedule<T> | CompiledSchedule<T>,
  signId: string,
  history: RotationHistory | null,
  now: number,
  options: RotationOptions = {},
): RotationDecision<T> {
  const compiled = 'loop' in schedule ? schedule : compileSchedule(schedule);
  const h = history ?? emptyHistory();
  const loop = compiled.loop(signId);
  const cur = h.current;
  if (cur) {
    const still = loop.byId.get(cur.itemId);
    // An item that left the playlist (or this sign) is cut at the road-safety minimum, not its full dwell.
    const until =
      still && !options.exclude?.has(cur.itemId)
        ? cur.holdUntil
        : Math.min(cur.holdUntil, cur.startedAt + MIN_DWELL_MS);
    if (now < until) return { kind: 'hold', itemId: cur.itemId, item: still?.item ?? null, until, history: h };
  }
  const owed = charge(h, compiled.shares, now);
  const local = localTime(now);
  const candidates: CompiledItem<T>[] = [];
  for (const org of ORGANISATIONS) {
    const c = nextOf(loop.byOrg[org], h.cursor[org], now, local, options.exclude);
    if (c) candidates.push(c);
  }
  if (candidates.length === 0) {
    return {
      kind: 'idle',
      until: nextOpening(loop, now, options.exclude),
      history: { ...h, current: null, owed },
    };
  }
  // The organisation owed most airtime goes next; on a tie, the one that did not just play (so
  // content that just opened comes at the next page), then the larger share.
  const last = cur?.organisation ?? null;
  const rank = (o: Organisation): [number, number, number] => [owed[o], o === last ? 0 : 1, compiled.shares[o]];
  let pick = candidates[0] as CompiledItem<T>;
  for (const c of candidates) {
    if (compareRank(rank(c.item.organisation), rank(pick.item.organisation)) > 0) pick = c;
  }
  const org = pick.item.organisation;
  const contested = candidates.length > 1;
  const current: CurrentPage = {
    itemId: pick.id,
    organisation: org,
    order: pick.order,
    startedAt: now,
    holdUntil: now + pick.dwellMs,
    contested,
  };
  return {
    kind: 'show',
    item: pick.item,
    until: current.holdUntil,
    contested,
    history: { version: 1, current, owed, cursor: { ...h.cursor, [org]: { order: pick.order, id: pick.id } } },
  };
}

function compareRank(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return 0;
}

/** The page ends now: charge its airtime (contested pages only) to its organisation. */
function charge(
  h: RotationHistory,
  shares: Readonly<Record<Organisation, number>>,
  now: number,
): Record<Organisation, number> {
  const owed = { ...h.owed };
  const cur = h.current;
  if (!cur?.contested) return owed;
  const ms = Math.max(0, Math.min(now - cur.startedAt, cur.holdUntil - cur.startedAt + CHARGE_SLACK_MS));
  for (const o of ORGANISATIONS)
    owed[o] = clampOwed((owed[o] ?? 0) + shares[o] * ms - (o === cur.organisation ? ms : 0));
  return owed;
}

function clampOwed(ms: number): number {
  return Math.max(-MAX_OWED_MS, Math.min(MAX_OWED_MS, ms));
}

/** The sign confirmed the page at `at`: its dwell counts from there. */
export function confirmShown(history: RotationHistory, at: number): RotationHistory {
  const cur = history.current;
  if (!cur) return history;
  const dwell = cur.holdUntil - cur.startedAt;
  return { ...history, current: { ...cur, startedAt: at, holdUntil: at + dwell } };
}

/**
 * The page is visible again after something covered it (a crisis, an override, a restart): it
 * stays at least the road-safety minimum from now, and at least until its original hold.
 */
export function resumeShown(history: RotationHistory, now: number): RotationHistory {
  const cur = history.current;
  if (!cur) return history;
  return { ...history, current: { ...cur, holdUntil: Math.max(cur.holdUntil, now + MIN_DWELL_MS) } };
}

/** Drops the current page without charging it (e.g. it could not be shown). */
export function forgetCurrent(history: RotationHistory): RotationHistory {
  return history.current ? { ...history, current: null } : history;
}

// ---------------------------------------------------------------------------------------------
// When will something open? (for an idle sign: "until when")

const LOOKAHEAD_DAYS = 8;

function nextOpening<T extends ScheduledItem>(
  loop: SignLoop<T>,
  now: number,
  exclude: ReadonlySet<string> | undefined,
): number | null {
  const today = localTime(now).date;
  const dayStarts: Array<{ date: string; weekday: number }> = [];
  for (let d = 0; d < LOOKAHEAD_DAYS; d++) {
    const date = addDays(today, d);
    dayStarts.push({ date, weekday: localTime(localToEpoch(date, 12 * 60)).weekday });
  }
  const epochOf = new Map<string, number>();
  const at = (date: string, minute: number): number => {
    const key = `${date} ${minute}`;
    let v = epochOf.get(key);
    if (v === undefined) {
      v = localToEpoch(date, minute);
      epochOf.set(key, v);
    }
    return v;
  };
  let best = Number.POSITIVE_INFINITY;
  for (const c of loop.byId.values()) {
    if (c.until <= now || exclude?.has(c.id)) continue;
    const starts = c.ranges ? c.ranges.map(([from]) => from) : [0];
    for (const { date, weekday } of dayStarts) {
      if ((c.dayMask & (1 << weekday)) === 0) continue;
      for (const m of starts) {
        // The first moment of this day's range that is also inside the window.
        const t = Math.max(at(date, m), c.from);
        if (t > now && t < best && t < c.until && eligible(c, t, localTime(t))) best = t;
      }
      if (at(date, 0) > best) break;
    }
  }
  return Number.isFinite(best) ? best : null;
}

/** What each sign shows and until when, for a set of signs at one instant. */
export function rotationsAt<T extends ScheduledItem>(
  schedule: PublishedSchedule<T>,
  histories: ReadonlyMap<string, RotationHistory | null>,
  now: number,
): Map<string, RotationDecision<T>> {
  const compiled = compileSchedule(schedule);
  const out = new Map<string, RotationDecision<T>>();
  for (const [signId, history] of histories) out.set(signId, rotationAt(compiled, signId, history, now));
  return out;
}

import type { Organisation } from '../../src/domain/item-content.ts';
import { localTime } from '../../src/domain/local-time.ts';
import { compileSchedule, confirmShown, type RotationHistory, rotationAt } from '../../src/schedule/rotation-engine.ts';
import type { PublishedSchedule, ScheduledItem } from '../../src/schedule/schedule-input.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

let counter = 0;
export function item(organisation: Organisation, over: Partial<ScheduledItem> = {}): ScheduledItem {
  counter++;
  return { id: `${organisation}-${counter}`, organisation, dwellSeconds: 10, order: counter, ...over };
}

export function schedule(
  items: ScheduledItem[],
  shares = { kommun: 0.5, konserthus: 0.5 },
  revision = 'r1',
): PublishedSchedule {
  return { revision, items, settings: { shares } };
}

export interface Page {
  itemId: string;
  organisation: Organisation;
  start: number;
  end: number;
  contested: boolean;
}

/**
 * Runs one sign's rotation from `from` to `to` as the runtime does: decide, show, the sign confirms
 * after `ackMs`, the next tick comes `tickMs` after the hold ends. Returns every page with its
 * actual airtime, and the history at the end.
 */
export function simulate(
  sched: PublishedSchedule | ((now: number) => PublishedSchedule),
  signId: string,
  from: number,
  to: number,
  opts: { history?: RotationHistory | null; tickMs?: number; ackMs?: number } = {},
): { pages: Page[]; history: RotationHistory | null; idleMs: number } {
  const tickMs = opts.tickMs ?? 250;
  const ackMs = opts.ackMs ?? 40;
  let history = opts.history ?? null;
  let now = from;
  let idleMs = 0;
  const pages: Page[] = [];
  let open: Page | null = null;
  while (now < to) {
    const s = typeof sched === 'function' ? sched(now) : sched;
    const d = rotationAt(compileSchedule(s), signId, history, now);
    if (d.kind === 'hold') {
      history = d.history;
      now = Math.max(now + 1, d.until + tickMs);
      continue;
    }
    if (open) {
      open.end = now;
      pages.push(open);
      open = null;
    }
    if (d.kind === 'idle') {
      history = d.history;
      // An idle sign re-decides every tick; jump to the opening (at most a minute) to keep tests fast.
      const step = Math.min(to, Math.max(now + tickMs, Math.min(d.until ?? Number.POSITIVE_INFINITY, now + 60_000)));
      idleMs += step - now;
      now = step;
      continue;
    }
    const at = now + ackMs;
    history = confirmShown(d.history, at);
    open = { itemId: d.item.id, organisation: d.item.organisation, start: at, end: at, contested: d.contested };
    now = history.current ? history.current.holdUntil + tickMs : now + tickMs;
  }
  if (open) {
    open.end = Math.min(now, to);
    pages.push(open);
  }
  return { pages, history, idleMs };
}

/** Airtime per organisation within [from, to) (pages clipped), and the share of the first. */
export function airtime(
  pages: readonly Page[],
  from: number,
  to: number,
  onlyContested = false,
): Record<Organisation, number> {
  const out: Record<Organisation, number> = { kommun: 0, konserthus: 0 };
  for (const p of pages) {
    if (onlyContested && !p.contested) continue;
    const ms = Math.min(p.end, to) - Math.max(p.start, from);
    if (ms > 0) out[p.organisation] += ms;
  }
  return out;
}

export function share(a: Record<Organisation, number>, org: Organisation): number {
  const total = a.kommun + a.konserthus;
  return total === 0 ? Number.NaN : a[org] / total;
}

export function local(ms: number): string {
  const t = localTime(ms);
  return `${t.date} ${String(t.hour).padStart(2, '0')}:${String(t.minute).padStart(2, '0')}`;
}

import { z } from 'zod';
import type { ItemContent } from './item-content.ts';
import { addDays, localTime, startOfLocalDay } from './local-time.ts';
import { stockholmTime } from './swedish-date.ts';

/**
 * When an item may be on the signs: an interval, optionally narrowed to days of the week and times of day.
 * Days and times are read on the signs' own clock (Vara, Europe/Stockholm), so "07:00" stays 07:00 across DST.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const Weekday = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof Weekday>;

const TimeOfDay = z
  .string()
  .regex(/^(([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'a time of day "HH:MM" in Swedish time, e.g. "07:30" (or "24:00")');

export const TimeRange = z
  .object({ from: TimeOfDay, until: TimeOfDay })
  .strict()
  .refine((r) => r.from !== r.until, { message: 'until must differ from from', path: ['until'] })
  .describe('a daily range in Swedish time; a range whose until is before its from runs past midnight');

const Instant = z.iso.datetime({ offset: true });

export const DisplayWindow = z
  .object({
    from: Instant.optional().describe('shown from this instant (ISO 8601 with offset); at once when absent'),
    until: Instant.optional().describe('shown until this instant, exclusive; for events the start time when absent'),
    days: z.array(Weekday).min(1).max(7).optional().describe('days of the week; every day when absent'),
    times: z.array(TimeRange).min(1).max(6).optional().describe('times of day; all day when absent'),
  })
  .strict()
  .refine((w) => !w.from || !w.until || Date.parse(w.from) < Date.parse(w.until), {
    message: 'until must be after from',
    path: ['until'],
  })
  .refine((w) => !w.days || new Set(w.days).size === w.days.length, {
    message: 'each day at most once',
    path: ['days'],
  });
export type DisplayWindow = z.infer<typeof DisplayWindow>;

/** Events are announced in the 14 days before they start, and not after the start. */
export const EVENT_LEAD_DAYS = 14;

/**
 * From the start of the day (Swedish time) 14 calendar days before the event, to its start. Opening at the day's
 * start, not at the event's clock time, means an event approved and published today airs today. Calendar days and
 * local midnight keep it right across DST changes (a 23- or 25-hour day).
 */
export function eventDefaultWindow(startsAt: string): { from: string; until: string } {
  const start = Date.parse(startsAt);
  const firstDay = addDays(localTime(start).date, -EVENT_LEAD_DAYS);
  return { from: new Date(startOfLocalDay(firstDay)).toISOString(), until: new Date(start).toISOString() };
}

/** The window that applies: what was given, with an event's default interval filling what was not. */
export function effectiveWindow(content: ItemContent, window: DisplayWindow | null | undefined): DisplayWindow {
  const given = window ?? {};
  if (content.kind !== 'event') return { ...given };
  const d = eventDefaultWindow(content.startsAt);
  return { ...given, from: given.from ?? d.from, until: given.until ?? d.until };
}

/**
 * Whether the window has ended at `now` (so the item would never be shown), naming the field to change: an event
 * without an end of its own ends when it starts.
 */
export function windowEndedProblem(
  content: ItemContent,
  window: DisplayWindow | null | undefined,
  now: number,
): { field: 'startsAt' | 'window.until'; message: string; messageSv: string } | null {
  const end = windowEnd(effectiveWindow(content, window));
  if (end === null || end > now) return null;
  return content.kind === 'event' && !window?.until
    ? {
        field: 'startsAt',
        message: 'the event has already started: nothing is left to announce',
        messageSv: 'Evenemanget har redan börjat – det finns inget kvar att annonsera. Ändra datum och tid.',
      }
    : {
        field: 'window.until',
        message: 'the window has already ended',
        messageSv: 'Slutdatumet har redan passerat, så posten skulle aldrig visas. Välj ett senare datum.',
      };
}

/** The end of the window in epoch ms, or null when it never ends (until archived). */
export function windowEnd(window: DisplayWindow): number | null {
  return window.until ? Date.parse(window.until) : null;
}

const minutesOf = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
const WEEKDAY_BY_INDEX: readonly Weekday[] = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

/** Whether the window is open at `now` (epoch ms). Days and times are each checked at that instant. */
export function isWindowOpen(window: DisplayWindow | null | undefined, now: number): boolean {
  if (!window) return true;
  if (window.from && now < Date.parse(window.from)) return false;
  if (window.until && now >= Date.parse(window.until)) return false;
  if (!window.days && !window.times) return true;
  const t = stockholmTime(now);
  if (window.days && !window.days.includes(WEEKDAY_BY_INDEX[t.weekday] ?? 'sun')) return false;
  if (window.times) {
    const m = t.hour * 60 + t.minute;
    const inside = window.times.some(({ from, until }) => {
      const a = minutesOf(from);
      const b = minutesOf(until);
      return a < b ? m >= a && m < b : m >= a || m < b;
    });
    if (!inside) return false;
  }
  return true;
}

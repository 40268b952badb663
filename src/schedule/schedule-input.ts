import { z } from 'zod';
import { ORGANISATIONS, type Organisation } from '../domain/item-content.ts';
import type { Weekday } from '../domain/local-time.ts';
import { MIN_DWELL_SECONDS } from '../domain/playlist.ts';

/**
 * What the rotation engine needs to know about the published playlist, and nothing more. The
 * content workflow's published revision is mapped onto this by an adapter (published-schedule.ts),
 * so the engine does not change when the store does.
 */

const HhMm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a local time of day "HH:MM", e.g. "07:30"');

export const TimeOfDayRange = z
  .object({ from: HhMm, to: HhMm })
  .describe(
    'local wall-clock time in Europe/Stockholm, from inclusive, to exclusive; "to" before "from" spans midnight',
  );
export type TimeOfDayRange = z.infer<typeof TimeOfDayRange>;

export interface ScheduledItem {
  readonly id: string;
  readonly organisation: Organisation;
  readonly dwellSeconds: number;
  /** Target sign ids; null or absent: every sign. */
  readonly signs?: readonly string[] | null;
  /** Display window [from, until) in epoch ms; either end may be open (null). */
  readonly window?: { readonly from: number | null; readonly until: number | null } | null;
  /** ISO weekdays (1 = Monday) in Europe/Stockholm; null or absent: every day. */
  readonly days?: readonly Weekday[] | null;
  /** Local times of day; null, absent or empty: all day. */
  readonly timesOfDay?: readonly TimeOfDayRange[] | null;
  /** Position in the shared playlist; ties are broken by id. */
  readonly order: number;
}

export const ScheduleSettings = z.object({
  shares: z
    .record(z.enum(ORGANISATIONS), z.number().min(0).max(1))
    .describe('share of airtime per organisation, measured over a day, e.g. {"kommun": 0.5, "konserthus": 0.5}'),
});
export type ScheduleSettings = { readonly shares: Readonly<Record<Organisation, number>> };

export const DEFAULT_SCHEDULE_SETTINGS: ScheduleSettings = { shares: { kommun: 0.5, konserthus: 0.5 } };

/** A published playlist revision as the engine sees it; T carries whatever the caller needs to play an item. */
export interface PublishedSchedule<T extends ScheduledItem = ScheduledItem> {
  /** Changes whenever the published playlist changes (a revision number or a content hash). */
  readonly revision: string;
  readonly items: readonly T[];
  readonly settings: ScheduleSettings;
}

export const EMPTY_SCHEDULE: PublishedSchedule<never> = {
  revision: 'none',
  items: [],
  settings: DEFAULT_SCHEDULE_SETTINGS,
};

export const MIN_DWELL_MS = MIN_DWELL_SECONDS * 1000;

/**
 * Wall-clock time at the signs (Europe/Stockholm), for schedules written in local time: "weekdays
 * 07:00-09:00", "nightly at 03:30". Pure: the tz database comes from Intl (full ICU ships with Node).
 *
 * DST: on the last Sunday of March 02:00-02:59 does not exist; on the last Sunday of October it
 * happens twice. A local time in the gap maps forward by the gap (02:30 -> 03:30 CEST); a repeated
 * local time maps to its first occurrence (CEST).
 */

export const SIGNS_TIME_ZONE = 'Europe/Stockholm';

/** ISO weekday: 1 = Monday .. 7 = Sunday. */
export type Weekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

export interface LocalTime {
  /** YYYY-MM-DD */
  readonly date: string;
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly weekday: Weekday;
  readonly hour: number;
  readonly minute: number;
  /** hour * 60 + minute */
  readonly minuteOfDay: number;
  /** UTC offset at that instant in minutes (60 CET, 120 CEST). */
  readonly offsetMinutes: number;
}

const WEEKDAY: Record<string, Weekday> = { Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6, Sun: 7 };
const MINUTE_MS = 60_000;

const formatters = new Map<string, Intl.DateTimeFormat>();
function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      weekday: 'short',
      hour: 'numeric',
      minute: 'numeric',
      hourCycle: 'h23',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

// Every offset change in the tz database falls on a whole minute, so the local fields are constant
// within a UTC minute: one formatToParts per minute, which keeps the rotation engine fast.
let cached: { key: number; zone: string; value: LocalTime } | null = null;

export function localTime(ms: number, timeZone: string = SIGNS_TIME_ZONE): LocalTime {
  const key = Math.floor(ms / MINUTE_MS);
  if (cached && cached.key === key && cached.zone === timeZone) return cached.value;
  const value = computeLocal(key * MINUTE_MS, timeZone);
  cached = { key, zone: timeZone, value };
  return value;
}

function computeLocal(ms: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(ms))) parts[p.type] = p.value;
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  const hour = Number(parts.hour);
  const minute = Number(parts.minute);
  const offsetMinutes = Math.round((Date.UTC(year, month - 1, day, hour, minute) - ms) / MINUTE_MS);
  return {
    date: `${year}-${pad(month)}-${pad(day)}`,
    year,
    month,
    day,
    weekday: WEEKDAY[parts.weekday ?? ''] ?? 1,
    hour,
    minute,
    minuteOfDay: hour * 60 + minute,
    offsetMinutes,
  };
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** "HH:MM" -> minute of day; throws on anything else (24:00 is allowed as the end of a day). */
export function parseHhMm(text: string): number {
  const m = /^([01]\d|2[0-4]):([0-5]\d)$/.exec(text);
  if (!m) throw new RangeError(`not a time of day "HH:MM": ${text}`);
  const minutes = Number(m[1]) * 60 + Number(m[2]);
  if (minutes > 24 * 60) throw new RangeError(`not a time of day "HH:MM": ${text}`);
  return minutes;
}

/** The instant of a local date and minute of day (see the DST rule at the top). */
export function localToEpoch(date: string, minuteOfDay: number, timeZone: string = SIGNS_TIME_ZONE): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`not a date "YYYY-MM-DD": ${date}`);
  const wall = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) + minuteOfDay * MINUTE_MS;
  // The offsets a few hours either side bracket any transition; try the earlier (summer) one first
  // so a repeated hour maps to its first occurrence.
  const offsets = new Set([offsetAt(wall - 12 * 3_600_000, timeZone), offsetAt(wall + 12 * 3_600_000, timeZone)]);
  const candidates = [...offsets].sort((a, b) => b - a).map((o) => wall - o * MINUTE_MS);
  for (const c of candidates) {
    if (wallClock(c, timeZone) === wall) return c;
  }
  // In the spring-forward gap: no instant has this wall time; move forward by the gap.
  return wall - Math.min(...offsets) * MINUTE_MS;
}

function offsetAt(ms: number, timeZone: string): number {
  return computeLocal(Math.floor(ms / MINUTE_MS) * MINUTE_MS, timeZone).offsetMinutes;
}

function wallClock(ms: number, timeZone: string): number {
  const t = computeLocal(ms, timeZone);
  return Date.UTC(t.year, t.month - 1, t.day) + t.minuteOfDay * MINUTE_MS;
}

/** The local calendar date `days` after `date` (plain date arithmetic, no time zone). */
export function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** The first instant after `after` whose local time of day is `minuteOfDay` (e.g. nightly upkeep). */
export function nextLocalTimeOfDay(after: number, minuteOfDay: number, timeZone: string = SIGNS_TIME_ZONE): number {
  const today = localTime(after, timeZone).date;
  for (let d = 0; d < 3; d++) {
    const at = localToEpoch(addDays(today, d), minuteOfDay, timeZone);
    if (at > after) return at;
  }
  throw new Error('unreachable: a time of day recurs within two days');
}

/** Local midnight starting the day `date` (23, 24 or 25 hours long). */
export function startOfLocalDay(date: string, timeZone: string = SIGNS_TIME_ZONE): number {
  return localToEpoch(date, 0, timeZone);
}

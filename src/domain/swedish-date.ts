/**
 * Dates and times as a Swedish reader expects them on a sign: "lör 12 dec kl 19.00", always in the signs'
 * own time zone (Vara, Europe/Stockholm), whatever offset the item was submitted with.
 */

export const SIGN_TIME_ZONE = 'Europe/Stockholm';

// Swedish usage (Språkrådet, Svenska skrivregler): lower-case names, abbreviations without a full stop on signs.
// "mars", "juni" and "juli" are kept whole: they are as short as any abbreviation and cannot be misread.
const WEEKDAYS = ['sön', 'mån', 'tis', 'ons', 'tor', 'fre', 'lör'] as const;
const MONTHS = ['jan', 'feb', 'mars', 'apr', 'maj', 'juni', 'juli', 'aug', 'sep', 'okt', 'nov', 'dec'] as const;
const WEEKDAY_INDEX: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/** Wall-clock fields of an instant in Europe/Stockholm. */
export interface StockholmTime {
  readonly year: number;
  /** 1..12 */
  readonly month: number;
  readonly day: number;
  /** 0 = Sunday .. 6 = Saturday */
  readonly weekday: number;
  readonly hour: number;
  readonly minute: number;
  /** Offset from UTC in minutes at that instant: 60 (CET) or 120 (CEST). */
  readonly offsetMinutes: number;
}

const formatter = new Intl.DateTimeFormat('en-US', {
  timeZone: SIGN_TIME_ZONE,
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  weekday: 'short',
  hour: 'numeric',
  minute: 'numeric',
  hourCycle: 'h23',
});

export type Instant = Date | number | string;

function toEpochMs(instant: Instant): number {
  const ms = instant instanceof Date ? instant.getTime() : typeof instant === 'number' ? instant : Date.parse(instant);
  if (!Number.isFinite(ms)) throw new RangeError(`not a valid date/time: ${String(instant)}`);
  return ms;
}

// Pages are re-rendered with the same few start times over and over: remember them.
const recent = new Map<number, StockholmTime>();

export function stockholmTime(instant: Instant): StockholmTime {
  const ms = toEpochMs(instant);
  const hit = recent.get(ms);
  if (hit) return hit;
  const t = computeStockholmTime(ms);
  if (recent.size > 1000) recent.clear();
  recent.set(ms, t);
  return t;
}

function computeStockholmTime(ms: number): StockholmTime {
  const parts: Record<string, string> = {};
  for (const p of formatter.formatToParts(ms)) parts[p.type] = p.value;
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  const hour = Number(parts.hour) % 24;
  const minute = Number(parts.minute);
  const weekday = WEEKDAY_INDEX[parts.weekday ?? ''] ?? 0;
  const wallAsUtc = Date.UTC(year, month - 1, day, hour, minute);
  const offsetMinutes = Math.round((wallAsUtc - (ms - (((ms % 60_000) + 60_000) % 60_000))) / 60_000);
  return { year, month, day, weekday, hour, minute, offsetMinutes };
}

const two = (n: number) => String(n).padStart(2, '0');

/** "lör 12 dec" */
export function formatSwedishDate(instant: Instant): string {
  const t = stockholmTime(instant);
  return `${WEEKDAYS[t.weekday]} ${t.day} ${MONTHS[t.month - 1]}`;
}

/** "kl 19.00": Swedish uses a full stop between hours and minutes. */
export function formatSwedishTime(instant: Instant): string {
  const t = stockholmTime(instant);
  return `kl ${two(t.hour)}.${two(t.minute)}`;
}

/** "lör 12 dec kl 19.00", the event template's date line. */
export function formatEventTime(instant: Instant): string {
  return `${formatSwedishDate(instant)} ${formatSwedishTime(instant)}`;
}

/**
 * A period as an exhibition's "when" line: "1–20 dec", "28 nov–3 dec", "28 dec 2026–3 jan 2027".
 * The dates are calendar days in Stockholm; the en dash has no spaces around it (Svenska skrivregler).
 */
export function formatSwedishPeriod(from: Instant, to: Instant): string {
  const a = stockholmTime(from);
  const b = stockholmTime(to);
  if (a.year !== b.year) {
    return `${a.day} ${MONTHS[a.month - 1]} ${a.year}–${b.day} ${MONTHS[b.month - 1]} ${b.year}`;
  }
  if (a.month === b.month) {
    return a.day === b.day ? `${a.day} ${MONTHS[a.month - 1]}` : `${a.day}–${b.day} ${MONTHS[b.month - 1]}`;
  }
  return `${a.day} ${MONTHS[a.month - 1]}–${b.day} ${MONTHS[b.month - 1]}`;
}

/** The UTC offset written in an ISO 8601 string ("+01:00" -> 60, "Z" -> 0), or null when it has none. */
export function isoOffsetMinutes(iso: string): number | null {
  const m = /(Z|[+-]\d{2}:?\d{2})$/i.exec(iso.trim());
  if (!m?.[1]) return null;
  if (m[1].toUpperCase() === 'Z') return 0;
  const sign = m[1].startsWith('-') ? -1 : 1;
  const digits = m[1].replace(/[+:-]/g, '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4)));
}

/** "+01:00" style text for an offset in minutes. */
export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

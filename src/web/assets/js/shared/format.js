/**
 * Swedish wording and formatting for the UI. Times are always shown as they are in Vara (Europe/Stockholm),
 * whatever the time zone of the browser that shows them.
 */

export const TIME_ZONE = 'Europe/Stockholm';

const dateTime = new Intl.DateTimeFormat('sv-SE', {
  timeZone: TIME_ZONE,
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
});
const dateOnly = new Intl.DateTimeFormat('sv-SE', {
  timeZone: TIME_ZONE,
  day: 'numeric',
  month: 'short',
  year: 'numeric',
});
const timeOnly = new Intl.DateTimeFormat('sv-SE', {
  timeZone: TIME_ZONE,
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const parts = new Intl.DateTimeFormat('en-CA', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
const number = new Intl.NumberFormat('sv-SE', { maximumFractionDigits: 1 });

/** "lör 12 dec. 2026 19:00" */
export function formatDateTime(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : dateTime.format(d);
}

export function formatDate(iso) {
  if (!iso) return '–';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : dateOnly.format(d);
}

export function formatTime(iso) {
  if (!iso) return '–';
  return timeOnly.format(new Date(iso));
}

export function formatNumber(n) {
  return number.format(n);
}

/** A count with its noun in the right number: count(1, 'post', 'poster') -> "1 post", count(2, …) -> "2 poster". */
export function count(n, one, many) {
  return `${formatNumber(n)} ${n === 1 ? one : many}`;
}

/** 0.4567 -> "45,7 %" */
export function formatPercent(fraction) {
  return `${number.format(fraction * 100)} %`;
}

/** Milliseconds as a Swedish reader would say them: "12 ms", "1,4 s". */
export function formatMs(ms) {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${number.format(ms / 1000)} s`;
}

/** Seconds of airtime: "3 h 12 min", "45 min", "30 s". */
export function formatDuration(seconds) {
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const h = Math.floor(s / 3600);
  const m = Math.round((s % 3600) / 60);
  return h > 0 ? `${h} h ${m} min` : `${m} min`;
}

/** Wall-clock fields of an instant in Vara. */
function stockholmParts(ms) {
  const p = Object.fromEntries(parts.formatToParts(new Date(ms)).map((x) => [x.type, x.value]));
  return { y: +p.year, mo: +p.month, d: +p.day, h: +p.hour, mi: +p.minute, s: +p.second };
}

/** Offset of Stockholm from UTC at an instant, minutes (60 in winter, 120 in summer). */
function offsetAt(ms) {
  const p = stockholmParts(ms);
  return Math.round((Date.UTC(p.y, p.mo - 1, p.d, p.h, p.mi, p.s) - Math.floor(ms / 1000) * 1000) / 60_000);
}

const pad = (n) => String(n).padStart(2, '0');

/**
 * "2026-12-12T19:00" (a datetime-local value, read as Swedish time) -> "2026-12-12T19:00:00+01:00".
 * Returns null for an empty or malformed value.
 */
export function localInputToIso(value) {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value ?? '');
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number);
  const naive = Date.UTC(y, mo - 1, d, h, mi);
  // The offset at the guessed instant, then once more at the corrected one (the guess may straddle a DST change).
  let offset = offsetAt(naive - offsetAt(naive) * 60_000);
  offset = offsetAt(naive - offset * 60_000);
  const sign = offset >= 0 ? '+' : '-';
  const abs = Math.abs(offset);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:00${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** An ISO instant -> "2026-12-12T19:00" for a datetime-local input, in Swedish time. */
export function isoToLocalInput(iso) {
  if (!iso) return '';
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) return '';
  const p = stockholmParts(ms);
  return `${p.y}-${pad(p.mo)}-${pad(p.d)}T${pad(p.h)}:${pad(p.mi)}`;
}

/** An ISO instant -> "2026-12-12" in Swedish time, for a date input. */
export function isoToDateInput(iso) {
  return isoToLocalInput(iso).slice(0, 10);
}

export const KIND_LABELS = {
  event: 'Evenemang',
  exhibition: 'Utställning',
  excursion: 'Utflykt',
  info: 'Information',
  image: 'Bild',
  crisis: 'Krismeddelande',
};

export const STATE_LABELS = {
  draft: 'Utkast',
  pending: 'Väntar på granskning',
  approved: 'Godkänd',
  rejected: 'Avslagen',
  expired: 'Utgången',
  archived: 'Arkiverad',
};

export const ORG_LABELS = { kommun: 'Vara kommun', konserthus: 'Vara Konserthus' };

export const ROLE_LABELS = { submitter: 'Inlämnare', communicator: 'Kommunikatör', admin: 'Administratör' };

export const PRIORITY_LABELS = {
  crisis: 'Krismeddelande',
  override: 'Visas nu (tillfälligt)',
  scheduled: 'Spellistan',
  fallback: 'Standardslinga',
  default: 'Skyltens eget standardläge',
  blank: 'Släckt',
};

export const WEEKDAY_LABELS = { mon: 'mån', tue: 'tis', wed: 'ons', thu: 'tor', fri: 'fre', sat: 'lör', sun: 'sön' };

/** What an item is called in lists: its title, first line or caption. */
export function itemTitle(content) {
  if (!content) return '(okänd post)';
  switch (content.kind) {
    case 'info':
      return content.lines.join(' / ');
    case 'image':
      return content.caption || 'Bild utan bildtext';
    default:
      return content.title;
  }
}

/** Field names from the API, as the forms call them (for messages that name a field). */
export const FIELD_LABELS = {
  'content.title': 'Titel',
  'content.performer': 'Artist/medverkande',
  'content.startsAt': 'Datum och tid',
  'content.venue': 'Plats',
  'content.organiser': 'Arrangör',
  'content.where': 'Plats',
  'content.when': 'När',
  'content.lines': 'Rader',
  'content.image': 'Bild',
  'content.caption': 'Bildtext',
  'content.fit': 'Bildanpassning',
  infoLink: 'Informationslänk',
  showLink: 'Visa länken på skylten',
  dwellSeconds: 'Visningstid',
  signs: 'Skyltar',
  window: 'Visningsperiod',
  'window.from': 'Visas från',
  'window.until': 'Visas till',
  'window.days': 'Veckodagar',
  'window.times': 'Tider på dygnet',
  reason: 'Motivering',
  username: 'Användarnamn',
  password: 'Lösenord',
  file: 'Bildfil',
};

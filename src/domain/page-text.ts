import type { ItemContent, Organisation } from './item-content.ts';
import { formatEventTime } from './swedish-date.ts';

/**
 * The text a page shows, field by field, exactly as drawn. The renderer's templates lay these out and the
 * content lint counts words and units of information on the same strings, so the two cannot disagree.
 */

export type PageRole = 'header' | 'title' | 'detail' | 'line' | 'caption' | 'picture' | 'mark' | 'link';

export interface PageField {
  /** The content field it comes from (`title`, `startsAt`, `lines.0`, ...), for error messages and the UI. */
  readonly field: string;
  readonly role: PageRole;
  /** NFC-normalised, single-spaced; empty for the picture of an image item. */
  readonly text: string;
  /** Counts as a unit of information (NCHRP 600: one answer to one question a driver has). */
  readonly unit: boolean;
  /** Counts towards words per page. */
  readonly words: boolean;
}

export const ORGANISER_MARK: Record<Organisation, string> = {
  kommun: 'Vara kommun',
  konserthus: 'Vara Konserthus',
};

export const CRISIS_HEADER = 'VIKTIGT MEDDELANDE';

/** NFC, no control characters, runs of white space collapsed to one space. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\p{Cc}\u200b\u2028\u2029\ufeff]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Words as a driver reads them: groups separated by spaces that hold a letter or a digit ("–" alone is none). */
export function countWords(text: string): number {
  return normaliseText(text)
    .split(' ')
    .filter((w) => /[\p{L}\p{N}]/u.test(w)).length;
}

// A date or time as Swedish signs write it: "lör 19 dec kl 18.00", "1–20 dec", "28 nov–3 dec", "lör–sön 10–16",
// "kl 19", "18.30", "19/12", "2026-12-19". FHWA/NCHRP count such a phrase as one unit of information: a driver
// takes in "lör 19 dec kl 18.00" as one answer (when?), not as five words. Two dates joined by "och" stay two.
const WEEKDAY = '(?:mån|tis|ons|tor|tors|fre|lör|sön)(?:dag(?:en|ar)?)?\\.?';
const MONTH =
  '(?:jan(?:uari)?|feb(?:ruari)?|mars?|apr(?:il)?|maj|juni?|juli?|aug(?:usti)?|sep(?:t(?:ember)?)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const DAY = '(?:3[01]|[12]\\d|0?[1-9])';
const DASH = '\\s?[–-]\\s?';
const DATE = `${DAY}(?:${DASH}${DAY})?\\s${MONTH}(?:\\s\\d{4})?`;
const CLOCK = '(?:2[0-4]|[01]?\\d)';
const HHMM = `${CLOCK}(?:[.:][0-5]\\d)?`;
const DATE_TIME_PART = [
  `${DATE}(?:${DASH}${DATE})?`,
  `\\d{1,2}/\\d{1,2}(?:${DASH}\\d{1,2}/\\d{1,2})?`,
  '\\d{4}-\\d{2}-\\d{2}',
  `kl\\.?\\s?${HHMM}(?:${DASH}${HHMM})?`,
  `${CLOCK}[.:][0-5]\\d(?:${DASH}${HHMM})?`,
  `${WEEKDAY}(?:${DASH}${WEEKDAY})?(?:\\s${CLOCK}${DASH}${CLOCK})?`,
].join('|');
const DATE_TIME = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:${DATE_TIME_PART})(?:,?\\s(?:${DATE_TIME_PART}))*(?![\\p{L}\\p{N}])`,
  'giu',
);

/** The date and time phrases in a text, as they are written ("lör 19 dec kl 18.00"). */
export function dateTimePhrases(text: string): string[] {
  return [...normaliseText(text).matchAll(DATE_TIME)].map((m) => m[0]);
}

/** Words for the words-per-page rule: each date or time phrase counts as one word, however it is written. */
export function countReadingWords(text: string): number {
  return countWords(normaliseText(text).replace(DATE_TIME, '0'));
}

/** Whether the whole text is a date or a time (an event's start, an exhibition's "when"). */
export function isDateTime(text: string): boolean {
  const t = normaliseText(text);
  const phrases = dateTimePhrases(t);
  return phrases.length === 1 && phrases[0] === t;
}

/** How a link reads on a sign: no scheme, no "www.", no trailing slash ("https://www.vara.se/jul/" -> "vara.se/jul"). */
export function displayLink(url: string): string {
  return normaliseText(url)
    .replace(/^https?:\/\//i, '')
    .replace(/^www\./i, '')
    .replace(/\/+$/, '');
}

export interface PageTextOptions {
  /** The item's information link (from the playlist item); shown only with `showInfoLink`. */
  readonly infoLink?: string | null;
  readonly showInfoLink?: boolean;
}

/**
 * The organiser's mark is left out when the venue already names the organiser ("Vara Konserthus" at Vara
 * Konserthus): the same words twice on one page is a wasted line.
 */
export function organiserMarkShown(venue: string, organiser: Organisation): boolean {
  const v = normaliseText(venue).toLowerCase();
  return !(
    v.includes(ORGANISER_MARK[organiser].toLowerCase()) ||
    (organiser === 'konserthus' && v.includes('konserthus'))
  );
}

export function pageText(content: ItemContent, opts: PageTextOptions = {}): PageField[] {
  const f = (field: string, role: PageRole, text: string, unit = true, words = true): PageField => ({
    field,
    role,
    text: normaliseText(text),
    unit,
    words,
  });
  const fields: PageField[] = [];
  switch (content.kind) {
    case 'event':
      fields.push(f('title', 'title', content.title));
      if (content.performer) fields.push(f('performer', 'detail', content.performer));
      fields.push(f('startsAt', 'detail', formatEventTime(content.startsAt)));
      fields.push(f('venue', 'detail', content.venue));
      // The sender's wordmark answers no question a driver has, so it is neither a unit nor a counted word;
      // it is still drawn at no less than the minimum character height.
      if (organiserMarkShown(content.venue, content.organiser)) {
        fields.push(f('organiser', 'mark', ORGANISER_MARK[content.organiser], false, false));
      }
      break;
    case 'exhibition':
    case 'excursion':
      fields.push(f('title', 'title', content.title));
      fields.push(f('where', 'detail', content.where));
      fields.push(f('when', 'detail', content.when));
      break;
    case 'info':
      content.lines.forEach((line, i) => {
        fields.push(f(`lines.${i}`, 'line', line));
      });
      break;
    case 'image':
      // The picture is information of its own: one unit, no words.
      fields.push({ field: 'image', role: 'picture', text: '', unit: true, words: false });
      if (content.caption) fields.push(f('caption', 'caption', content.caption));
      break;
    case 'crisis':
      fields.push(f('header', 'header', CRISIS_HEADER));
      fields.push(f('headline', 'title', content.headline));
      fields.push(f('instruction', 'detail', content.instruction));
      break;
  }
  if (opts.showInfoLink && opts.infoLink) fields.push(f('infoLink', 'link', displayLink(opts.infoLink)));
  return fields;
}

/** Words per page: a date or time phrase counts as one (see countReadingWords). */
export function pageWordCount(fields: readonly PageField[]): number {
  return fields.reduce((n, p) => n + (p.words ? countReadingWords(p.text) : 0), 0);
}

export function pageUnitCount(fields: readonly PageField[]): number {
  return fields.filter((p) => p.unit).length;
}

/** Swedish names of content fields, for messages in the UI ("Korta titeln ..."). */
export function fieldNameSv(field: string): string {
  const line = /^lines\.(\d+)$/.exec(field);
  if (line) return `rad ${Number(line[1]) + 1}`;
  const names: Record<string, string> = {
    title: 'titeln',
    performer: 'medverkande',
    startsAt: 'datum och tid',
    venue: 'platsen',
    where: 'platsen',
    when: 'tiden',
    caption: 'bildtexten',
    header: 'rubriken',
    headline: 'rubriken',
    instruction: 'uppmaningen',
    organiser: 'avsändaren',
    infoLink: 'länken',
  };
  return names[field] ?? field;
}

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

export function pageWordCount(fields: readonly PageField[]): number {
  return fields.reduce((n, p) => n + (p.words ? countWords(p.text) : 0), 0);
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

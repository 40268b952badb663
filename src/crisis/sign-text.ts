// What a feed alert puts on the sign's crisis page (under the fixed "VIKTIGT MEDDELANDE" band): a headline and an
// instruction, each to be read in one glance at 100 km/h. Feed text is written for radio and the web, so this
// offers texts best first and the crisis service keeps the first one that fits every target sign.
//
// SR VMA v3 as served has no `headline` and `instruction` is null: the whole message is in `description`, e.g.
// "Viktigt meddelande till allmänheten i Uddevalla kommun, Västra Götalands län. Det brinner i en industribyggnad
// på Kurödsvägen med kraftig rökutveckling. Räddningstjänsten uppmanar alla i området att gå inomhus ...". The
// first sentence only repeats the band; the place it names is what the driver needs with the first real sentence.

import type { Alert } from './alert.ts';

export interface CrisisText {
  headline: string;
  instruction: string;
}

/** The instruction when the feed gives none that fits: what every VMA tells the public to do. */
export const LISTEN_TO_P4 = 'Lyssna på P4';

/**
 * Sentences of a description tried for the sign. Each try is a render (about 5 ms) made before the takeover starts,
 * and a VMA's later sentences (whom to call, where to read more) are not what a driver needs at 100 km/h.
 */
const MAX_SENTENCES = 3;

/** The event name SR puts on every VMA; on its own it says nothing the band does not already say. */
const BARE_EVENT = /^(viktigt meddelande till allmänheten|important public announcement)\b/i;

const NATIONWIDE = /^(hela landet|hela sverige|sverige)$/i;

/** Sentences of a plain-text field, in order, without their closing full stop (signs do not end lines with one). */
export function sentences(text: string | null): string[] {
  if (!text) return [];
  return text
    .split(/(?<=[.!?])\s+/u)
    .map((s) => s.trim().replace(/\.$/u, '').trim())
    .filter((s) => s !== '');
}

/**
 * The place the alert is for, as a driver would say it: "Uddevalla" from "... allmänheten i Uddevalla kommun,
 * Västra Götalands län", "Hela landet" for a nationwide VMA; else the first area's description.
 */
export function placeOf(alert: Pick<Alert, 'description' | 'areas'>): string | null {
  const preamble = /allmänheten (?:i|för) (.+?)(?:[.,;:(]|\s+och\s|$)/iu.exec(alert.description ?? '');
  const named = preamble?.[1]?.trim();
  if (named) return tidyPlace(named);
  const area = alert.areas.find((a) => a.description)?.description;
  return area ? tidyPlace(area.replace(/\s*\(.*\)\s*$/u, '')) : null;
}

function tidyPlace(place: string): string {
  if (NATIONWIDE.test(place)) return 'Hela landet';
  // "Uddevalla kommun" reads as "Uddevalla" on a sign; a county keeps "län" ("Västra Götalands" alone is odd).
  return place.replace(/\s+kommun$/iu, '').replace(/^./u, (c) => c.toLocaleUpperCase('sv-SE'));
}

/**
 * True when `text` names `place` as a word ("Vara", "Varas"). A one-word name must be written with its capital:
 * "vara" is also the Swedish verb "to be". A name of several words ("hela landet") may start in lower case.
 */
export function namesPlace(text: string, place: string): boolean {
  const core = place.replace(/\s+(kommun|län)$/iu, '').trim();
  if (core === '') return false;
  const escaped = core.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const first = /\s/u.test(core) ? `[${escaped[0]}${escaped[0]?.toLocaleLowerCase('sv-SE')}]` : escaped[0];
  const name = `${first}${escaped.slice(1)}`;
  return new RegExp(`(?<![\\p{L}\\p{N}])${name}s?(?![\\p{L}\\p{N}])`, 'u').test(text);
}

/**
 * The main clause a sentence opens with ("Det brinner i en lantbruksbyggnad i Tråvad" of "... i Tråvad med kraftig
 * rökutveckling"): a sign holds about 40 characters and a VMA sentence is often twice that. Cut only before a comma
 * or "med", never at "och"/"men", which may carry the negation or the turn. Null when nothing shorter remains.
 */
export function leadingClause(sentence: string): string | null {
  const cut = /,\s|\s(med|–|-)\s/u.exec(sentence);
  if (!cut) return null;
  const clause = sentence.slice(0, cut.index).trim();
  return clause.split(/\s+/u).length >= 3 ? clause : null;
}

/**
 * Texts for the alert, best first. With a headline: headline and the first sentence of the instruction, then with
 * "Lyssna på P4", then alone. Without one (SR VMA as served): each of the first three sentences of the description
 * (whole, then its leading clause), with the place in front when it does not name it, under it the instruction or
 * "Lyssna på P4"; then the place alone with "Lyssna på P4". The bare event name "Viktigt meddelande till
 * allmänheten (VMA)" is never a headline. The caller falls back to the generic page when nothing fits.
 */
export function crisisTextCandidates(
  alert: Pick<Alert, 'headline' | 'event' | 'description' | 'instruction' | 'areas'>,
): CrisisText[] {
  const instruction = sentences(alert.instruction)[0] ?? '';
  const instructions = [instruction, LISTEN_TO_P4].filter((i, n, all) => i !== '' && all.indexOf(i) === n);
  const headline = alert.headline?.trim() ?? '';
  if (headline !== '' && !BARE_EVENT.test(headline)) {
    return [...instructions.map((i) => ({ headline, instruction: i })), { headline, instruction: '' }];
  }

  const place = placeOf(alert);
  const candidates: CrisisText[] = [];
  const facts = sentences(alert.description).filter((s) => !BARE_EVENT.test(s));
  for (const sentence of facts.slice(0, MAX_SENTENCES)) {
    for (const part of [sentence, leadingClause(sentence)]) {
      if (part === null) continue;
      const withPlace = place === null || namesPlace(part, place) ? part : `${place}: ${part}`;
      for (const i of instructions) candidates.push({ headline: withPlace, instruction: i });
    }
  }
  const event = alert.event?.trim() ?? '';
  if (event !== '' && !BARE_EVENT.test(event)) {
    for (const i of instructions) candidates.push({ headline: event, instruction: i });
  }
  if (place !== null) candidates.push({ headline: place, instruction: LISTEN_TO_P4 });
  return candidates;
}

import { describe, expect, it } from 'vitest';
import {
  countReadingWords,
  countWords,
  dateTimePhrases,
  displayLink,
  isDateTime,
  normaliseText,
  pageText,
  pageUnitCount,
  pageWordCount,
} from '../../src/domain/page-text.ts';

describe('page text', () => {
  it('normalises to NFC and single spaces', () => {
    const decomposed = 'A\u030Arets  ko\u0308k\n\tva\u0308rd';
    expect(normaliseText(decomposed)).toBe('Årets kök värd');
    expect(normaliseText(decomposed).length).toBe('Årets kök värd'.length);
  });

  it('counts words the way a driver reads them', () => {
    expect(countWords('lör 12 dec kl 19.00')).toBe(5);
    expect(countWords('Vara – Skara')).toBe(2);
    expect(countWords(' ”Årets  kommun” ')).toBe(2);
  });

  it('shows links without scheme, www and trailing slash', () => {
    expect(displayLink('https://www.vara.se/jul/')).toBe('vara.se/jul');
  });

  it('lists exactly what the event template draws', () => {
    const page = pageText(
      {
        kind: 'event',
        title: 'Julkonsert',
        startsAt: '2026-12-12T19:00:00+01:00',
        venue: 'Stora torget',
        organiser: 'kommun',
      },
      { infoLink: 'https://vara.se/jul', showInfoLink: true },
    );
    expect(page.map((p) => [p.field, p.text])).toEqual([
      ['title', 'Julkonsert'],
      ['startsAt', 'lör 12 dec kl 19.00'],
      ['venue', 'Stora torget'],
      ['organiser', 'Vara kommun'],
      ['infoLink', 'vara.se/jul'],
    ]);
    // "lör 12 dec kl 19.00" is one unit of information and counts as one word.
    expect(pageWordCount(page)).toBe(1 + 1 + 2 + 1);
    expect(pageUnitCount(page)).toBe(4);
  });

  it('leaves out the mark when the venue already names the organiser', () => {
    const page = pageText({
      kind: 'event',
      title: 'Jul',
      startsAt: '2026-12-12T19:00:00+01:00',
      venue: 'Vara Konserthus',
      organiser: 'konserthus',
    });
    expect(page.map((p) => p.field)).not.toContain('organiser');
  });

  it('reads a date or time as one unit, however it is written, and nothing else as one', () => {
    const cases: [string, string[], number][] = [
      ['lör 19 dec kl 18.00', ['lör 19 dec kl 18.00'], 1],
      ['Julkonsert med Vara Kammarkör, lör 19 dec kl 18.00, Vara Konserthus', ['lör 19 dec kl 18.00'], 7],
      ['28 nov–3 dec', ['28 nov–3 dec'], 1],
      ['1–20 december 2026', ['1–20 december 2026'], 1],
      ['lör–sön 10–16', ['lör–sön 10–16'], 1],
      ['Öppet torsdag 18.30', ['torsdag 18.30'], 2],
      ['Vara torg kl 10–16', ['kl 10–16'], 3],
      ['19/12 och 2026-12-20', ['19/12', '2026-12-20'], 3],
      ['tors 3 dec, kl 19', ['tors 3 dec, kl 19'], 1],
      // Not dates: a street, a month name without a day, a price, a number.
      ['Vara torg', [], 2],
      ['Mars 12', [], 2],
      ['Entré 100.00', [], 2],
      ['Tornet 3', [], 2],
    ];
    for (const [text, phrases, words] of cases) {
      expect(dateTimePhrases(text), text).toEqual(phrases);
      expect(countReadingWords(text), text).toBe(words);
    }
    expect(isDateTime('lör 19 dec kl 18.00')).toBe(true);
    expect(isDateTime('Julmarknad 12 dec')).toBe(false);
  });
});

import { describe, expect, it } from 'vitest';
import {
  countWords,
  displayLink,
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
    expect(pageWordCount(page)).toBe(1 + 5 + 2 + 1);
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
});

import { describe, expect, it } from 'vitest';
import { contrastRatio } from '../../src/domain/colour.ts';
import {
  hasLintErrors,
  isAllowedInfoLink,
  type LintContext,
  type LintRule,
  lintItem,
  type RenderFacts,
} from '../../src/domain/content-lint.ts';
import { contentRules, DEFAULT_CONTENT_RULES, loosenedRules } from '../../src/domain/content-rules.ts';
import type { ItemContent } from '../../src/domain/item-content.ts';

const SIGN = { id: 'E20-N', pixelPitchMm: 16, minCharHeightMm: 380 };

const good: ItemContent = {
  kind: 'event',
  title: 'Julkonsert',
  startsAt: '2026-12-12T19:00:00+01:00',
  venue: 'Vara Konserthus',
  organiser: 'konserthus',
};

const facts = (over: Partial<RenderFacts> = {}): RenderFacts => ({
  minCapHeightPx: 24,
  colourPairs: [{ field: 'title', fg: [255, 255, 255], bg: [0, 0, 0] }],
  palette: [
    { rgb: [0, 0, 0], share: 0.85 },
    { rgb: [255, 255, 255], share: 0.15 },
  ],
  ...over,
});

const ok: LintContext = {
  sign: SIGN,
  dwellSeconds: 10,
  infoLink: 'https://varakonserthus.se/julkonsert',
  rendered: facts(),
};

const rules = (content: ItemContent, ctx: LintContext) => lintItem(content, ctx).map((f) => f.rule);
const only = (content: ItemContent, ctx: LintContext, rule: LintRule) =>
  lintItem(content, ctx).filter((f) => f.rule === rule);

describe('lintItem', () => {
  it('passes a short event with a link, a 10 s dwell and light-on-dark text', () => {
    expect(lintItem(good, ok)).toEqual([]);
  });

  it('every finding has an English and a Swedish message', () => {
    const findings = lintItem(
      { ...good, title: 'En mycket lång titel med alldeles för många ord' },
      { dwellSeconds: 3 },
    );
    expect(findings.length).toBeGreaterThan(1);
    for (const f of findings) {
      expect(f.message).toMatch(/\w/);
      expect(f.messageSv).toMatch(/[a-zåäö]/);
      expect(f.messageSv).not.toBe(f.message);
    }
    expect(hasLintErrors(findings)).toBe(true);
  });

  describe('words-per-page (8, Dudek FHWA-OP-03-070)', () => {
    it('passes "Julkonsert / lör 12 dec kl 19.00 / Vara Konserthus": the date and time is one unit, one word', () => {
      expect(rules(good, ok)).not.toContain('words-per-page');
    });
    it('passes the realistic event of issue 13.5: "Julkonsert med Vara Kammarkör, lör 19 dec kl 18.00, Vara Konserthus"', () => {
      const julkonsert: ItemContent = {
        ...good,
        title: 'Julkonsert med Vara Kammarkör',
        startsAt: '2026-12-19T18:00:00+01:00',
      };
      expect(lintItem(julkonsert, ok)).toEqual([]);
      expect(lintItem({ ...julkonsert, title: 'Julkonsert', performer: 'Vara Kammarkör' }, ok)).toEqual([]);
    });
    it('fails 10 words and says how many to remove, under the field to shorten', () => {
      const f = only(
        { ...good, title: 'Julkonsert med kör och stråkar', performer: 'Vara Kammarkör', venue: 'Stora torget' },
        ok,
        'words-per-page',
      );
      expect(f).toHaveLength(1);
      expect(f[0]?.severity).toBe('error');
      expect(f[0]?.field).toBe('title');
      expect(f[0]?.message).toBe(
        'the page has 10 words (a date or time counts as one); at most 8 can be read in one glance at motorway speed: remove at least 2, e.g. from title',
      );
      expect(f[0]?.messageSv).toBe(
        'Sidan har 10 ord (datum och tid räknas som ett). Högst 8 ord hinner läsas i en blick i motorvägsfart – korta titeln med minst 2 ord.',
      );
    });
    it('counts a date inside free text as one word too, and names the line to shorten', () => {
      const f = only(
        { kind: 'info', lines: ['Stor julmarknad med hantverk lör 12 dec', 'Vara torg kl 10–16 med tomten'] },
        ok,
        'words-per-page',
      );
      // 4 + 1 (the date) + 2 + 1 (the time) + 2 = 10
      expect(f[0]?.message).toMatch(/^the page has 10 words/);
      expect(f[0]?.field).toBe('lines.0');
      expect(f[0]?.messageSv).toContain('korta rad 1 med minst 2 ord');
    });
    it('does not count the organiser mark, nor a lone dash', () => {
      const kommun: ItemContent = { ...good, organiser: 'kommun', venue: 'Vara Konserthus' };
      expect(rules(kommun, ok)).not.toContain('words-per-page');
      expect(
        rules({ kind: 'info', lines: ['Vara – Skara – Lidköping – Götene', 'Mariestad – Töreboda'] }, ok),
      ).not.toContain('words-per-page');
    });
    it('follows a tightened limit', () => {
      // Julkonsert (1) + the date and time (1) + Vara Konserthus (2)
      expect(rules(good, { ...ok, rules: { maxWordsPerPage: 4 } })).not.toContain('words-per-page');
      expect(rules(good, { ...ok, rules: { maxWordsPerPage: 3 } })).toContain('words-per-page');
    });
  });

  describe('units-per-message (4, NCHRP 600)', () => {
    it('passes four units: title, performer, date and time, venue', () => {
      expect(rules({ ...good, performer: 'Kör' }, ok)).not.toContain('units-per-message');
    });
    it('fails five: the same with the link shown on the sign, and says to hide the link (under that choice)', () => {
      const f = only({ ...good, performer: 'Kör' }, { ...ok, showInfoLink: true }, 'units-per-message');
      expect(f).toHaveLength(1);
      expect(f[0]?.message).toContain('5 units');
      expect(f[0]?.message).toContain('infoLink');
      expect(f[0]?.field).toBe('showLink');
      expect(f[0]?.messageSv).toBe(
        'Meddelandet har 5 uppgifter (titeln, medverkande, datum och tid, platsen, länken). Högst 4 hinner uppfattas – visa inte länken på skylten.',
      );
    });
    it('without a link on the sign, names the optional detail or the last line to leave out', () => {
      const lines: ItemContent = { kind: 'info', lines: ['Ett', 'Två', 'Tre', 'Fyra'] };
      const withLink = only(lines, { ...ok, showInfoLink: true }, 'units-per-message');
      expect(withLink[0]?.field).toBe('showLink');
      expect(only(lines, { ...ok, rules: { maxUnitsPerMessage: 3 } }, 'units-per-message')[0]?.field).toBe('lines.3');
      const event = only(
        { ...good, performer: 'Kör' },
        { ...ok, rules: { maxUnitsPerMessage: 3 } },
        'units-per-message',
      );
      expect(event[0]?.field).toBe('performer');
      expect(event[0]?.messageSv).toContain('ta bort medverkande');
    });
  });

  describe('min-dwell (10 s)', () => {
    it('passes 10 s', () => {
      expect(rules(good, ok)).not.toContain('min-dwell');
    });
    it('fails 8 s', () => {
      const f = only(good, { ...ok, dwellSeconds: 8 }, 'min-dwell');
      expect(f[0]?.severity).toBe('error');
      expect(f[0]?.field).toBe('dwellSeconds');
      expect(f[0]?.messageSv).toContain('minst 10 s');
    });
    it('does not apply to crisis messages, which have no dwell', () => {
      expect(
        rules({ kind: 'crisis', headline: 'Brand', instruction: 'Gå inomhus' }, { ...ok, dwellSeconds: 2 }),
      ).not.toContain('min-dwell');
    });
  });

  describe('min-char-height (380 mm, IRIS)', () => {
    it('passes text drawn at 24 px on a 16 mm pitch (384 mm)', () => {
      expect(rules(good, ok)).not.toContain('min-char-height');
    });
    it('fails text drawn at 20 px (320 mm)', () => {
      const f = only(good, { ...ok, rendered: facts({ minCapHeightPx: 20 }) }, 'min-char-height');
      expect(f).toHaveLength(1);
      expect(f[0]?.message).toContain('320 mm');
    });
    it('fails a sign configured below 380 mm', () => {
      const f = only(good, { ...ok, sign: { ...SIGN, minCharHeightMm: 300 } }, 'min-char-height');
      expect(f[0]?.message).toContain('300 mm');
    });
    it('carries the renderer\'s "too long" verdict', () => {
      const tooLong = {
        field: 'title',
        charsOver: 12,
        wordsOver: 2,
        message: 'shorten title by 12',
        messageSv: 'Korta titeln',
      };
      const f = only(good, { ...ok, rendered: facts({ tooLong, minCapHeightPx: null }) }, 'min-char-height');
      expect(f).toEqual([
        {
          rule: 'min-char-height',
          severity: 'error',
          field: 'title',
          message: 'shorten title by 12',
          messageSv: 'Korta titeln',
        },
      ]);
    });
  });

  describe('contrast (7:1, WCAG 2.x SC 1.4.6)', () => {
    it('passes white and amber on black', () => {
      const pairs = [
        { field: 'title', fg: [255, 255, 255] as const, bg: [0, 0, 0] as const },
        { field: 'venue', fg: [255, 196, 92] as const, bg: [0, 0, 0] as const },
      ];
      expect(rules(good, { ...ok, rendered: facts({ colourPairs: pairs }) })).not.toContain('contrast');
    });
    it('fails grey on black at 4:1', () => {
      const grey = [110, 110, 110] as const;
      expect(contrastRatio(grey, [0, 0, 0])).toBeLessThan(7);
      const f = only(
        good,
        { ...ok, rendered: facts({ colourPairs: [{ field: 'venue', fg: grey, bg: [0, 0, 0] }] }) },
        'contrast',
      );
      expect(f[0]?.field).toBe('venue');
      expect(f[0]?.message).toMatch(/contrast ratio of 4(\.\d)?:1/);
    });
    it('computes WCAG ratios', () => {
      expect(contrastRatio([255, 255, 255], [0, 0, 0])).toBeCloseTo(21, 5);
      expect(contrastRatio([0, 0, 0], [0, 0, 0])).toBe(1);
    });
  });

  describe('road-sign-palette (warning)', () => {
    it('passes black ground with white text', () => {
      expect(rules(good, ok)).not.toContain('road-sign-palette');
    });
    it('warns when a fifth or more of the page is warning-sign yellow', () => {
      const palette = [
        { rgb: [250, 205, 30] as const, share: 0.6 },
        { rgb: [0, 0, 0] as const, share: 0.4 },
      ];
      const f = only(good, { ...ok, rendered: facts({ palette }) }, 'road-sign-palette');
      expect(f).toHaveLength(1);
      expect(f[0]?.severity).toBe('warning');
      expect(f[0]?.message).toContain('60%');
      expect(f[0]?.message).toContain('warning yellow');
      expect(hasLintErrors(f)).toBe(false);
    });
    it('adds up the shades of one sign colour (motorway blue)', () => {
      const palette = [
        { rgb: [0, 80, 150] as const, share: 0.12 },
        { rgb: [5, 85, 140] as const, share: 0.12 },
        { rgb: [255, 255, 255] as const, share: 0.76 },
      ];
      expect(only(good, { ...ok, rendered: facts({ palette }) }, 'road-sign-palette')[0]?.message).toContain(
        'sign blue',
      );
    });
  });

  describe('info-link (vara.se, varakonserthus.se, https)', () => {
    it('passes https links on the allowed hosts and their subdomains', () => {
      for (const link of [
        'https://vara.se',
        'https://www.vara.se/evenemang',
        'https://varakonserthus.se/x?y=1',
        'https://bibliotek.vara.se/',
      ]) {
        expect(rules(good, { ...ok, infoLink: link }), link).not.toContain('info-link');
      }
    });
    it('fails a missing link', () => {
      const f = only(good, { ...ok, infoLink: undefined }, 'info-link');
      expect(f[0]?.message).toContain('no information link');
      expect(f[0]?.messageSv).toContain('vara.se eller varakonserthus.se');
    });
    it('fails http, other hosts, look-alikes and non-links', () => {
      const bad = [
        'http://vara.se/evenemang',
        'https://evil.example/vara.se',
        'https://notvara.se',
        'https://vara.se.evil.example',
        'https://vara.se@evil.example/',
        'vara.se/evenemang',
        'javascript:alert(1)',
      ];
      for (const link of bad) expect(isAllowedInfoLink(link, DEFAULT_CONTENT_RULES.allowedLinkHosts), link).toBe(false);
      expect(only(good, { ...ok, infoLink: 'http://vara.se' }, 'info-link')[0]?.message).toContain('not https');
      expect(only(good, { ...ok, infoLink: 'https://skara.se' }, 'info-link')[0]?.message).toContain('not on vara.se');
    });
    it('follows the configured hosts', () => {
      expect(
        rules(good, { ...ok, infoLink: 'https://skara.se', rules: { allowedLinkHosts: ['skara.se'] } }),
      ).not.toContain('info-link');
    });
    it('does not ask crisis messages for a link', () => {
      expect(
        rules({ kind: 'crisis', headline: 'Brand', instruction: 'Gå inomhus' }, { ...ok, infoLink: null }),
      ).not.toContain('info-link');
    });
  });

  describe('unsupported-character', () => {
    it('passes Swedish text', () => {
      expect(rules(good, ok)).not.toContain('unsupported-character');
    });
    it('fails characters the font lacks, as the renderer reports them', () => {
      const f = only(
        good,
        { ...ok, rendered: facts({ unsupportedCharacters: [{ field: 'title', chars: '😀' }] }) },
        'unsupported-character',
      );
      expect(f[0]?.field).toBe('title');
    });
  });

  describe('event-time-offset (warning)', () => {
    it('passes a winter event at +01:00 and a summer event at +02:00', () => {
      expect(rules(good, ok)).not.toContain('event-time-offset');
      expect(rules({ ...good, startsAt: '2026-07-04T19:00:00+02:00' }, ok)).not.toContain('event-time-offset');
    });
    it('warns about a summer event written at +01:00: the sign shows 20.00', () => {
      const f = only({ ...good, startsAt: '2026-07-04T19:00:00+01:00' }, ok, 'event-time-offset');
      expect(f[0]?.severity).toBe('warning');
      expect(f[0]?.message).toContain('kl 20.00');
    });
  });
});

describe('call-to-action', () => {
  it('passes ordinary event text, times and dates', () => {
    expect(rules({ ...good, title: 'Ringen 2026' }, ok)).not.toContain('call-to-action');
  });
  it('fails phone numbers, SMS codes, Swish and QR codes', () => {
    const texts = ['Ring 0512-310 00', 'SMS JUL till 72000', 'Swisha en gåva', 'Skanna koden', 'Info +46 512 31000'];
    for (const text of texts) {
      const f = only({ kind: 'info', lines: [text] }, ok, 'call-to-action');
      expect(f, text).toHaveLength(1);
      expect(f[0]?.field).toBe('lines.0');
    }
  });
});

describe('content rules', () => {
  it('has the documented defaults', () => {
    expect(DEFAULT_CONTENT_RULES).toMatchObject({
      maxWordsPerPage: 8,
      maxUnitsPerMessage: 4,
      minDwellSeconds: 10,
      minCharHeightMm: 380,
      minContrastRatio: 7,
      allowedLinkHosts: ['vara.se', 'varakonserthus.se'],
    });
  });

  it('reports loosened rules, not tightened ones', () => {
    expect(loosenedRules(contentRules({ maxWordsPerPage: 7, minDwellSeconds: 15 }))).toEqual([]);
    const loose = loosenedRules(
      contentRules({ maxWordsPerPage: 12, minCharHeightMm: 250, allowedLinkHosts: ['vara.se', 'example.com'] }),
    );
    expect(loose.map((l) => l.rule)).toEqual(['maxWordsPerPage', 'minCharHeightMm', 'allowedLinkHosts']);
  });

  it('rejects nonsense thresholds', () => {
    expect(() => contentRules({ minContrastRatio: 30 })).toThrow();
    expect(() => contentRules({ allowedLinkHosts: [] })).toThrow();
  });
});

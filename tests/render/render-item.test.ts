import { createCanvas } from '@napi-rs/canvas';
import { describe, expect, it } from 'vitest';
import type { ItemContent } from '../../src/domain/item-content.ts';
import { unsupportedCharacters } from '../../src/render/fonts.ts';
import { type Frame, pixelValue } from '../../src/render/frame.ts';
import { importImage } from '../../src/render/image-import.ts';
import { lintRenderedItem } from '../../src/render/lint-render.ts';
import { MissingImageError, TextTooLongError, UnsupportedCharacterError } from '../../src/render/render-errors.ts';
import { renderItem } from '../../src/render/render-item.ts';
import { DEFAULT_SIGN_PROFILES, signProfile } from '../../src/render/sign-profile.ts';
import { renderTextPage } from '../../src/render/text-page.ts';

const E20 = DEFAULT_SIGN_PROFILES[0] ?? signProfile({ id: 'E20-N', width: 384, height: 192, pixelPitchMm: 16 });

const event: ItemContent = {
  kind: 'event',
  title: 'Julkonsert',
  performer: 'Vara Kammarkör',
  startsAt: '2026-12-12T19:00:00+01:00',
  venue: 'Vara Konserthus',
  organiser: 'konserthus',
};

/** Bounding box of pixels whose value differs from the background value at (0, 0)... or from `bg`. */
function inkBox(frame: Frame, lit: (v: number) => boolean, x0 = 0, y0 = 0, x1 = frame.width, y1 = frame.height) {
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = -1;
  let maxY = -1;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      if (!lit(pixelValue(frame, x, y))) continue;
      minX = Math.min(minX, x);
      maxX = Math.max(maxX, x);
      minY = Math.min(minY, y);
      maxY = Math.max(maxY, y);
    }
  }
  return { minX, minY, maxX, maxY, width: maxX - minX + 1, height: maxY - minY + 1 };
}

describe('renderItem', () => {
  it('draws every template into a frame of the sign size and format', () => {
    const items: ItemContent[] = [
      event,
      { kind: 'exhibition', title: 'Vårsalongen', where: 'Vara bibliotek', when: '1–20 mars' },
      { kind: 'excursion', title: 'Vandring', where: 'Kålland', when: 'lör 9 maj' },
      { kind: 'info', lines: ['Välkommen till', 'Vara'] },
      { kind: 'crisis', headline: 'Brand i Vara', instruction: 'Stäng fönster' },
    ];
    for (const item of items) {
      const page = renderItem(item, E20);
      expect(page.frame.width).toBe(384);
      expect(page.frame.height).toBe(192);
      expect(page.frame.format).toBe('rgb888');
      expect(page.frame.bytes.length).toBe(384 * 192 * 3);
      expect(page.rows.length).toBeGreaterThan(0);
    }
  });

  it('shows the event fields with the Swedish date line', () => {
    const page = renderItem(event, E20);
    expect(page.rows.map((r) => r.text)).toEqual([
      'Julkonsert',
      'Vara Kammarkör',
      'lör 12 dec kl 19.00',
      'Vara Konserthus',
    ]);
    // The title leads.
    expect(page.rows[0]?.fontPx).toBeGreaterThan(page.rows[1]?.fontPx ?? 0);
  });

  it('draws the organiser mark when the venue does not already name the organiser', () => {
    const page = renderItem({ ...event, performer: undefined, venue: 'Stora torget', organiser: 'kommun' }, E20);
    expect(page.rows.map((r) => r.text)).toContain('Vara kommun');
    // And its stripe along the left edge.
    expect(pixelValue(page.frame, 1, 100)).not.toBe(0);
  });

  it('leaves the mark out (and says so) when the page only fits without it', () => {
    const page = renderItem(
      { ...event, title: 'Julkonsert med levande ljus', venue: 'Stora torget', organiser: 'kommun' },
      E20,
    );
    expect(page.omitted).toEqual(['organiser']);
    expect(page.rows.map((r) => r.field)).toEqual(['title', 'title', 'performer', 'startsAt', 'venue']);
  });

  it('draws text at the largest size that fits', () => {
    const short = renderItem({ kind: 'info', lines: ['Vara'] }, E20);
    const long = renderItem({ kind: 'info', lines: ['Välkommen till Vara kommun'] }, E20);
    expect(short.rows[0]?.fontPx).toBeGreaterThan(long.rows[0]?.fontPx ?? 0);
    // Larger would not fit: one pixel more of font size would overflow the width or the height.
    const [row] = long.rows;
    expect(row).toBeDefined();
  });

  it('breaks at word boundaries only, and balances the rows', () => {
    const page = renderItem(
      { kind: 'exhibition', title: 'Konst och hantverk från Kålland', where: 'Vara', when: 'maj' },
      E20,
    );
    const titleRows = page.rows.filter((r) => r.field === 'title').map((r) => r.text);
    expect(titleRows.join(' ')).toBe('Konst och hantverk från Kålland');
    expect(titleRows.length).toBeGreaterThan(1);
  });

  it('never draws characters below the minimum height: 380 mm on 16 mm pitch is 23.75 px', () => {
    expect(E20.minCharPixels).toBeCloseTo(23.75, 5);
    for (const item of [event, { kind: 'info', lines: ['Evenemang i Vara', 'vara.se/evenemang'] } as ItemContent]) {
      const page = renderItem(item, E20);
      expect(page.minCapHeightPx).toBeGreaterThanOrEqual(23.75);
    }
    // A page that only fits at the minimum size: its capital H really is that tall on the panel.
    const page = renderItem({ ...event, title: 'HHHH', performer: 'HHHH', venue: 'HHHH', organiser: 'kommun' }, E20);
    expect(page.rows).toHaveLength(5);
    expect(page.rows[0]?.fontPx).toBe(34);
    const title = page.rows[0];
    const ink = inkBox(page.frame, (v) => v === 0xffffff, 0, 0, 384, (title?.baseline ?? 0) + 2);
    expect(ink.height).toBeGreaterThanOrEqual(23);
  });

  it('rejects text too long for the minimum height, saying how much shorter', () => {
    const tooLong: ItemContent = {
      ...event,
      title: 'Stor julkonsert med Vara Kammarkör, Vara Musikklasser och gäster från Skara',
    };
    let error: unknown;
    try {
      renderItem(tooLong, E20);
    } catch (e: unknown) {
      error = e;
    }
    expect(error).toBeInstanceOf(TextTooLongError);
    const e = error as TextTooLongError;
    expect(e.code).toBe('text-too-long');
    expect(e.field).toBe('title');
    expect(e.charsOver).toBeGreaterThan(0);
    expect(e.wordsOver).toBeGreaterThan(0);
    expect(e.message).toContain(`shorten title by ${e.charsOver} characters (${e.wordsOver} words)`);
    expect(e.messageSv).toContain(`Korta titeln med ${e.charsOver} tecken`);
    // The suggestion is honest: cut that many words from the end of the title and the page fits.
    const words = tooLong.kind === 'event' ? tooLong.title.split(' ') : [];
    const shorter = words.slice(0, words.length - e.wordsOver).join(' ');
    expect(() => renderItem({ ...tooLong, title: shorter }, E20)).not.toThrow();
    // ... and no fewer whole words would do.
    const oneMore = words.slice(0, words.length - e.wordsOver + 1).join(' ');
    expect(() => renderItem({ ...tooLong, title: oneMore }, E20)).toThrow(TextTooLongError);
  });

  it('rejects a single word wider than the sign at the minimum height', () => {
    const word = 'Kommunfullmäktigesammanträdesprotokollet';
    expect(() => renderItem({ kind: 'info', lines: [word] }, E20)).toThrow(
      /too wide for one line.*characters too long/,
    );
  });

  it('does not shrink text on a finer-pitched sign: 380 mm is 47.5 px at 8 mm, and the event is refused', () => {
    const coarse = signProfile({ id: 'fine', width: 384, height: 192, pixelPitchMm: 8 });
    expect(() => renderItem(event, coarse)).toThrow(TextTooLongError);
    expect(() => renderItem({ kind: 'info', lines: ['Vara'] }, coarse)).not.toThrow();
  });

  it('renders Swedish letters, the en dash and typographic quotes with the bundled font', () => {
    const text = 'Å Ä Ö å ä ö É é Ü ü – — “ ” ‘ ’ „ « » …';
    expect(unsupportedCharacters(text)).toBe('');
    const page = renderItem({ kind: 'info', lines: ['ÅÄÖ åäö Éé Üü', '”Vara” – ‘Skara’'] }, E20);
    expect(page.rows.map((r) => r.text).join(' ')).toBe('ÅÄÖ åäö Éé Üü ”Vara” – ‘Skara’');
  });

  it('normalises decomposed text to NFC before drawing', () => {
    const nfd = renderItem({ kind: 'info', lines: ['Va\u0308lkommen till A\u030Amål'] }, E20);
    const nfc = renderItem({ kind: 'info', lines: ['Välkommen till Åmål'] }, E20);
    expect(nfd.rows.map((r) => r.text)).toEqual(nfc.rows.map((r) => r.text));
    expect(Buffer.from(nfd.frame.bytes).equals(Buffer.from(nfc.frame.bytes))).toBe(true);
  });

  it('refuses characters the font cannot draw', () => {
    expect(() => renderItem({ kind: 'info', lines: ['Jul 🎄 i Vara'] }, E20)).toThrow(UnsupportedCharacterError);
  });

  it('draws the crisis header inverted on a full-width band', () => {
    const page = renderItem({ kind: 'crisis', headline: 'Brand i Vara', instruction: 'Stäng fönster' }, E20);
    expect(page.rows[0]?.text).toBe('VIKTIGT MEDDELANDE');
    expect(pixelValue(page.frame, 0, 2)).toBe(0xffffff);
    expect(pixelValue(page.frame, 383, 2)).toBe(0xffffff);
    expect(page.colourPairs.find((p) => p.field === 'header')).toEqual({
      field: 'header',
      fg: [0, 0, 0],
      bg: [255, 255, 255],
    });
  });

  it('quantises to each pixel format', () => {
    for (const format of ['rgb888', 'rgb565', 'gray4', 'mono'] as const) {
      const sign = signProfile({ id: 'x', width: 384, height: 192, pixelPitchMm: 16, format });
      const page = renderItem(event, sign);
      expect(page.frame.format).toBe(format);
      expect(page.frame.bytes.length).toBe({ rgb888: 221184, rgb565: 147456, gray4: 36864, mono: 9216 }[format]);
    }
  });

  it('shows the information link when asked, and counts it', () => {
    const page = renderItem({ kind: 'info', lines: ['Evenemang i Vara'] }, E20, {
      infoLink: 'https://www.vara.se/evenemang/',
      showInfoLink: true,
    });
    expect(page.rows.map((r) => r.text)).toContain('vara.se/evenemang');
  });
});

describe('image template', () => {
  async function squareImage(width: number, height: number, square: number) {
    const canvas = createCanvas(width, height);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = '#000';
    ctx.fillRect(0, 0, width, height);
    ctx.fillStyle = '#fff';
    ctx.fillRect((width - square) / 2, (height - square) / 2, square, square);
    return importImage(canvas.encodeSync('png'));
  }

  const bright = (v: number) => ((v >> 16) & 0xff) > 128;

  it('contains a picture without distortion: a square stays square', async () => {
    const image = await squareImage(200, 100, 40);
    const page = renderItem({ kind: 'image', image: 'x', fit: 'contain' }, E20, { image });
    const box = inkBox(page.frame, bright);
    expect(Math.abs(box.width - box.height)).toBeLessThanOrEqual(1);
    expect(box.width).toBeGreaterThanOrEqual(75); // 40 px scaled by 1.92
  });

  it('covers the sign without distortion, cropping the overflow', async () => {
    const image = await squareImage(100, 100, 20);
    const page = renderItem({ kind: 'image', image: 'x', fit: 'cover' }, E20, { image });
    const box = inkBox(page.frame, bright);
    expect(Math.abs(box.width - box.height)).toBeLessThanOrEqual(1);
    expect(box.width).toBeGreaterThanOrEqual(76); // 20 px scaled by 3.84
  });

  it('puts the caption below the picture, at no less than the minimum height', async () => {
    const image = await squareImage(200, 100, 40);
    const page = renderItem({ kind: 'image', image: 'x', fit: 'contain', caption: 'Vårmarknad i Vara' }, E20, {
      image,
    });
    expect(page.rows.map((r) => r.text)).toEqual(['Vårmarknad i Vara']);
    expect(page.minCapHeightPx).toBeGreaterThanOrEqual(23.75);
    const picture = inkBox(page.frame, (v) => v === 0xffffff, 0, 0, 384, (page.rows[0]?.baseline ?? 192) - 40);
    expect(picture.maxY).toBeLessThan((page.rows[0]?.baseline ?? 0) - 24);
  });

  it('needs the imported picture', () => {
    expect(() => renderItem({ kind: 'image', image: 'upload-17', fit: 'contain' }, E20)).toThrow(MissingImageError);
  });
});

describe('lintRenderedItem', () => {
  const link = { dwellSeconds: 10, infoLink: 'https://varakonserthus.se/jul' };

  it('finds nothing wrong with a short, well-made event', () => {
    const { findings, page } = lintRenderedItem({ ...event, performer: undefined }, E20, link);
    expect(findings).toEqual([]);
    expect(page?.frame.width).toBe(384);
  });

  it('turns text that does not fit into a min-char-height error with the cut to make', () => {
    const { findings, page } = lintRenderedItem(
      { ...event, title: 'Stor julkonsert med Vara Kammarkör och gäster från Skara' },
      E20,
      link,
    );
    expect(page).toBeNull();
    const f = findings.find((x) => x.rule === 'min-char-height');
    expect(f?.field).toBe('title');
    expect(f?.message).toMatch(/shorten title by \d+ characters/);
  });

  it('catches low contrast from a custom theme, after quantisation', () => {
    const { findings } = lintRenderedItem({ ...event, performer: undefined }, E20, {
      ...link,
      render: { theme: { secondary: [90, 90, 90] } },
    });
    expect(findings.filter((f) => f.rule === 'contrast').map((f) => f.field)).toEqual(['startsAt', 'venue']);
  });

  it('warns about a picture that is mostly warning-sign yellow', async () => {
    const canvas = createCanvas(200, 100);
    const ctx = canvas.getContext('2d');
    ctx.fillStyle = 'rgb(252,209,22)';
    ctx.fillRect(0, 0, 200, 100);
    const image = await importImage(canvas.encodeSync('png'));
    const { findings } = lintRenderedItem({ kind: 'image', image: 'x', fit: 'cover' }, E20, {
      ...link,
      render: { image },
    });
    // Every picture also carries the plain note that text inside it is not checked (issue 13.9).
    expect(findings.map((f) => [f.rule, f.severity])).toEqual([
      ['road-sign-palette', 'warning'],
      ['picture-text', 'warning'],
    ]);
  });

  it('lists every character the font lacks', () => {
    const { findings } = lintRenderedItem({ kind: 'info', lines: ['Jul 🎄', 'Nyår 🎆'] }, E20, link);
    expect(findings.filter((f) => f.rule === 'unsupported-character').map((f) => f.field)).toEqual([
      'lines.0',
      'lines.1',
    ]);
  });
});

describe("renderTextPage (the foundation's plain page)", () => {
  it('still renders centred lines and rejects what does not fit', () => {
    const frame = renderTextPage(['VIKTIGT MEDDELANDE', 'Lyssna på Sveriges Radio P4'], {
      width: 384,
      height: 192,
      format: 'rgb888',
      minCharPixels: 24,
    });
    expect(frame.bytes.length).toBe(384 * 192 * 3);
    expect(() =>
      renderTextPage(
        ['En alldeles för lång text som aldrig kan få plats på skylten med rätt teckenhöjd hur man än gör'],
        {
          width: 384,
          height: 192,
          format: 'mono',
          minCharPixels: 24,
        },
      ),
    ).toThrow(TextTooLongError);
  });
});

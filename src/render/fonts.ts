import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { GlobalFonts } from '@napi-rs/canvas';

/**
 * Overpass Bold, from npm (no system fonts assumed). Overpass is an open interpretation of Highway
 * Gothic, the FHWA road-sign alphabet, so it was drawn to be read at distance and speed.
 */
export const SIGN_FONT_FAMILY = 'Skylt Overpass';

let registered = false;

export function signFontPath(): string {
  const require = createRequire(import.meta.url);
  return require.resolve('@expo-google-fonts/overpass/700Bold/Overpass_700Bold.ttf');
}

export function ensureSignFont(): string {
  if (!registered) {
    const path = signFontPath();
    if (!GlobalFonts.registerFromPath(path, SIGN_FONT_FAMILY)) {
      throw new Error(`could not load the sign font from ${path}: reinstall with "npm ci"`);
    }
    registered = true;
  }
  return SIGN_FONT_FAMILY;
}

/** What layout needs from the font file, in em units (fractions of the font size). */
export interface SignFontMetrics {
  readonly family: string;
  /** Height of a capital letter (OS/2 sCapHeight): the "character height" of road-sign rules. */
  readonly capHeight: number;
  /** Top of the highest Swedish capitals (Ä, Ö, É) above the baseline. */
  readonly ascent: number;
  /** Lowest ink (g, j, p, q, y, „), below the baseline. */
  readonly descent: number;
  /** Whether the font has a glyph for this code point. */
  covers(codePoint: number): boolean;
}

let metrics: SignFontMetrics | null = null;

export function signFontMetrics(): SignFontMetrics {
  if (metrics) return metrics;
  const family = ensureSignFont();
  const font = parseTrueType(readFileSync(signFontPath()));
  metrics = {
    family,
    capHeight: font.capHeight / font.unitsPerEm,
    // Measured from the outlines rather than hhea: hhea's descent (0.38 em) reserves room for glyphs a
    // sign never draws, and every pixel of line spacing counts on a 192-pixel-high panel.
    ascent: font.yMaxOf('ÅÄÖÉÜ') / font.unitsPerEm,
    descent: -font.yMinOf('gjpqyÅ,„') / font.unitsPerEm,
    covers: (cp) => font.covers(cp),
  };
  return metrics;
}

/** Characters of `text` that the sign font cannot draw (spaces always count as drawable). */
const coverageCache = new Map<string, string>();

export function unsupportedCharacters(text: string): string {
  const hit = coverageCache.get(text);
  if (hit !== undefined) return hit;
  const missing = findUnsupported(text);
  if (coverageCache.size > 10_000) coverageCache.clear();
  coverageCache.set(text, missing);
  return missing;
}

function findUnsupported(text: string): string {
  const m = signFontMetrics();
  const missing = new Set<string>();
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    if (cp !== 0x20 && !m.covers(cp)) missing.add(ch);
  }
  return [...missing].join('');
}

interface ParsedFont {
  unitsPerEm: number;
  capHeight: number;
  covers(cp: number): boolean;
  yMaxOf(chars: string): number;
  yMinOf(chars: string): number;
}

/** The few TrueType tables Skylt reads: head, OS/2, cmap (formats 4 and 12), loca and glyf bounding boxes. */
function parseTrueType(buf: Buffer): ParsedFont {
  const tables = new Map<string, { offset: number; length: number }>();
  const numTables = buf.readUInt16BE(4);
  for (let i = 0; i < numTables; i++) {
    const rec = 12 + i * 16;
    tables.set(buf.toString('latin1', rec, rec + 4), {
      offset: buf.readUInt32BE(rec + 8),
      length: buf.readUInt32BE(rec + 12),
    });
  }
  const table = (tag: string) => {
    const t = tables.get(tag);
    if (!t) throw new Error(`sign font has no ${tag} table: reinstall with "npm ci"`);
    return t.offset;
  };
  const head = table('head');
  const unitsPerEm = buf.readUInt16BE(head + 18);
  const indexToLocFormat = buf.readInt16BE(head + 50);
  const os2 = table('OS/2');
  const capHeight = buf.readUInt16BE(os2) >= 2 ? buf.readInt16BE(os2 + 88) : Math.round(unitsPerEm * 0.7);

  const glyphOf = cmapLookup(buf, table('cmap'));
  const loca = table('loca');
  const glyf = table('glyf');
  const glyphBox = (cp: number) => {
    const gid = glyphOf(cp);
    if (!gid) return null;
    const start = indexToLocFormat === 0 ? buf.readUInt16BE(loca + gid * 2) * 2 : buf.readUInt32BE(loca + gid * 4);
    const end =
      indexToLocFormat === 0 ? buf.readUInt16BE(loca + gid * 2 + 2) * 2 : buf.readUInt32BE(loca + gid * 4 + 4);
    if (end <= start) return null;
    const g = glyf + start;
    return { yMin: buf.readInt16BE(g + 4), yMax: buf.readInt16BE(g + 8) };
  };
  const codePoints = (s: string) => [...s].map((c) => c.codePointAt(0) ?? 0);
  return {
    unitsPerEm,
    capHeight,
    covers: (cp) => glyphOf(cp) !== 0,
    yMaxOf: (s) => Math.max(...codePoints(s).map((cp) => glyphBox(cp)?.yMax ?? 0)),
    yMinOf: (s) => Math.min(...codePoints(s).map((cp) => glyphBox(cp)?.yMin ?? 0)),
  };
}

function cmapLookup(buf: Buffer, cmap: number): (cp: number) => number {
  const n = buf.readUInt16BE(cmap + 2);
  let fmt4 = -1;
  let fmt12 = -1;
  for (let i = 0; i < n; i++) {
    const rec = cmap + 4 + i * 8;
    const platform = buf.readUInt16BE(rec);
    const encoding = buf.readUInt16BE(rec + 2);
    const sub = cmap + buf.readUInt32BE(rec + 4);
    const format = buf.readUInt16BE(sub);
    if (format === 12 && (platform === 3 || platform === 0)) fmt12 = sub;
    if (format === 4 && ((platform === 3 && encoding === 1) || platform === 0)) fmt4 = sub;
  }
  if (fmt12 >= 0) {
    const groups = buf.readUInt32BE(fmt12 + 12);
    return (cp) => {
      for (let g = 0; g < groups; g++) {
        const o = fmt12 + 16 + g * 12;
        const start = buf.readUInt32BE(o);
        const end = buf.readUInt32BE(o + 4);
        if (cp >= start && cp <= end) return buf.readUInt32BE(o + 8) + (cp - start);
      }
      return 0;
    };
  }
  if (fmt4 < 0) throw new Error('sign font has no Unicode cmap: reinstall with "npm ci"');
  const segX2 = buf.readUInt16BE(fmt4 + 6);
  const ends = fmt4 + 14;
  const starts = ends + segX2 + 2;
  const deltas = starts + segX2;
  const rangeOffsets = deltas + segX2;
  return (cp) => {
    if (cp > 0xffff) return 0;
    for (let s = 0; s < segX2; s += 2) {
      if (cp > buf.readUInt16BE(ends + s)) continue;
      const start = buf.readUInt16BE(starts + s);
      if (cp < start) return 0;
      const delta = buf.readInt16BE(deltas + s);
      const ro = buf.readUInt16BE(rangeOffsets + s);
      if (ro === 0) return (cp + delta) & 0xffff;
      const gid = buf.readUInt16BE(rangeOffsets + s + ro + (cp - start) * 2);
      return gid === 0 ? 0 : (gid + delta) & 0xffff;
    }
    return 0;
  };
}

import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { fieldNameSv } from '../domain/page-text.ts';
import { signFontMetrics } from './fonts.ts';
import type { Rgb } from './frame.ts';
import { TextTooLongError } from './render-errors.ts';
import type { SignSurface } from './sign-profile.ts';

/**
 * Fits blocks of text into a box at the largest size that fits, broken at word boundaries, never below
 * the sign's minimum cap height. What does not fit is rejected with how much shorter it must be.
 */

export interface TextBlock {
  readonly field: string;
  /** Normalised text (see domain/page-text.ts normaliseText). */
  readonly text: string;
  /** Size relative to the page's largest text; every block is at least the minimum height anyway. */
  readonly weight: number;
  readonly colour: Rgb;
  readonly align?: 'left' | 'center';
  /** Dropped (and reported in `omitted`) when the page only fits without it. */
  readonly optional?: boolean;
  /** Text the submitter cannot shorten (a date, a fixed header): never proposed for cutting. */
  readonly fixed?: boolean;
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface PlacedRow {
  readonly field: string;
  readonly text: string;
  readonly fontPx: number;
  readonly capHeightPx: number;
  /** Left edge of the ink box and the baseline, whole pixels. */
  readonly x: number;
  readonly baseline: number;
  readonly width: number;
  readonly colour: Rgb;
}

export interface TextLayout {
  readonly rows: readonly PlacedRow[];
  readonly omitted: readonly string[];
  /** Top of the first row's box and bottom of the last one's, including the padding. */
  readonly top: number;
  readonly bottom: number;
}

export interface FitOptions {
  readonly sign: SignSurface & { readonly id?: string; readonly minCharHeightMm?: number };
  /** Upper bound for the largest font size in pixels. */
  readonly maxFontPx?: number;
  readonly valign?: 'top' | 'center' | 'bottom';
}

/**
 * Baseline-to-baseline distance in em. Cap height is 0.70 em, so the clear space between lines is 0.40 em,
 * 57 % of the cap height: inside MUTCD 2009 section 2L.04's 50-75 % for lines of a changeable message sign.
 * (A descender can touch the dots of an Ä or Ö directly below it by about 1 px; rare, and still legible.)
 */
export const LINE_PITCH_EM = 1.1;
/** Padding around the text in cap heights of the largest text: horizontal, and vertical. */
const PAD_X_CAPS = 0.3;
const PAD_Y_CAPS = 0.08;
const MIN_PAD_PX = 2;
/** Unwrapped lines are preferred down to this fraction of the largest wrapped size. */
const KEEP_LINES_MIN_SCALE = 0.75;

const measureCtx: { ctx: SKRSContext2D | null } = { ctx: null };
const widthCache = new Map<string, number>();
let currentFont = '';

/** Advance width of `text` at `fontPx`, from the font itself, cached (the same words recur page after page). */
export function textWidth(fontPx: number, text: string): number {
  const key = `${fontPx}|${text}`;
  const hit = widthCache.get(key);
  if (hit !== undefined) return hit;
  const { family } = signFontMetrics();
  measureCtx.ctx ??= createCanvas(1, 1).getContext('2d');
  const font = `${fontPx}px "${family}"`;
  if (currentFont !== font) {
    measureCtx.ctx.font = font;
    currentFont = font;
  }
  const w = measureCtx.ctx.measureText(text).width;
  if (widthCache.size > 50_000) widthCache.clear();
  widthCache.set(key, w);
  return w;
}

export function minFontPx(minCapPx: number): number {
  return Math.ceil(minCapPx / signFontMetrics().capHeight - 1e-9);
}

interface Trial {
  rows: { block: TextBlock; text: string; fontPx: number; width: number }[];
  height: number;
  padX: number;
  padY: number;
}

type TrialFailure = { word: string; block: TextBlock } | 'height';

function pads(fontPx: number): { padX: number; padY: number } {
  const cap = fontPx * signFontMetrics().capHeight;
  return {
    padX: Math.max(MIN_PAD_PX, Math.round(cap * PAD_X_CAPS)),
    padY: Math.max(MIN_PAD_PX, Math.round(cap * PAD_Y_CAPS)),
  };
}

function sizeOf(block: TextBlock, scale: number, minFont: number): number {
  return Math.max(minFont, Math.floor(scale * block.weight));
}

function trial(blocks: readonly TextBlock[], box: Box, scale: number, minFont: number): Trial | TrialFailure {
  const { padX, padY } = pads(scale);
  const maxW = box.width - 2 * padX;
  const rows: Trial['rows'] = [];
  let height = 0;
  for (const block of blocks) {
    const fontPx = sizeOf(block, scale, minFont);
    const space = textWidth(fontPx, ' ');
    const words = breakUnits(block.text);
    const widths = words.map((w) => textWidth(fontPx, w));
    const tooWide = widths.findIndex((w) => w > maxW);
    if (tooWide >= 0) return { word: words[tooWide] ?? '', block };
    let lines = wrapGreedy(widths, space, maxW);
    if (lines.length > 1) {
      // Balance the rows: the narrowest limit that still needs no more rows ("Julkonsert med / Vara
      // Kammarkör", not "Julkonsert med Vara / Kammarkör"). Greedy at a limit is exact for that question.
      let lo = Math.max(...widths);
      let hi = maxW;
      for (let i = 0; i < 14 && hi - lo > 0.25; i++) {
        const mid = (lo + hi) / 2;
        if (wrapGreedy(widths, space, mid).length <= lines.length) hi = mid;
        else lo = mid;
      }
      lines = wrapGreedy(widths, space, hi);
    }
    for (const [from, to] of lines) rows.push({ block, text: words.slice(from, to).join(' '), fontPx, width: 0 });
  }
  for (const r of rows) {
    // Kerning across spaces can differ from the sum of the words: check the real row.
    r.width = textWidth(r.fontPx, r.text);
    if (r.width > maxW) return 'height';
    height += r.fontPx * LINE_PITCH_EM;
  }
  if (height > box.height - 2 * padY) return 'height';
  return { rows, height, padX, padY };
}

/**
 * Words, with a free-standing dash kept on the line of the word before it: a row never starts with "–"
 * (Svenska skrivregler: a dash does not begin a line).
 */
function breakUnits(text: string): string[] {
  const units: string[] = [];
  for (const word of text.split(' ')) {
    if (!word) continue;
    const last = units.length - 1;
    if (last >= 0 && /^[\u2012-\u2015-]+$/.test(word)) units[last] = `${units[last]} ${word}`;
    else units.push(word);
  }
  return units;
}

/** Greedy line breaking over word widths: [from, to) word ranges of each row. */
function wrapGreedy(widths: readonly number[], space: number, maxW: number): [number, number][] {
  const lines: [number, number][] = [];
  let from = 0;
  let rowW = 0;
  widths.forEach((w, i) => {
    if (i > from && rowW + space + w > maxW) {
      lines.push([from, i]);
      from = i;
      rowW = w;
    } else rowW = i === from ? w : rowW + space + w;
  });
  if (widths.length > from) lines.push([from, widths.length]);
  return lines;
}

const isTrial = (t: Trial | TrialFailure): t is Trial => typeof t === 'object' && 'rows' in t;

// Layout is a pure function of its inputs and the same pages come round again and again (two signs, a
// rotation every few seconds): remember the recent ones.
const layoutCache = new Map<string, TextLayout>();

/** Lays `blocks` out in `box`; throws TextTooLongError when they cannot fit at the minimum height. */
export function fitText(blocks: readonly TextBlock[], box: Box, opts: FitOptions): TextLayout {
  const key = JSON.stringify([blocks, box, opts.sign.minCharPixels, opts.maxFontPx ?? null, opts.valign ?? null]);
  const hit = layoutCache.get(key);
  if (hit) return hit;
  const layout = computeLayout(blocks, box, opts);
  if (layoutCache.size >= 512) layoutCache.clear();
  layoutCache.set(key, layout);
  return layout;
}

function computeLayout(blocks: readonly TextBlock[], box: Box, opts: FitOptions): TextLayout {
  const metrics = signFontMetrics();
  const minFont = minFontPx(opts.sign.minCharPixels);
  const present = blocks.filter((b) => b.text.length > 0);
  const ceiling = Math.min(opts.maxFontPx ?? Number.POSITIVE_INFINITY, Math.floor(box.height / LINE_PITCH_EM));
  const maxFont = Math.max(minFont, ceiling);

  let active = present;
  const omitted: string[] = [];
  let best = trial(active, box, minFont, minFont);
  while (!isTrial(best) && active.some((b) => b.optional)) {
    const drop = [...active].reverse().find((b) => b.optional);
    if (!drop) break;
    omitted.unshift(drop.field);
    active = active.filter((b) => b !== drop);
    best = trial(active, box, minFont, minFont);
  }
  if (!isTrial(best)) throw tooLong(active, box, opts, minFont, best);

  // Largest scale that fits: greedy wrapping needs no more rows at a smaller size, so fitting is monotonic.
  let lo = minFont;
  let hi = maxFont;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    const t = trial(active, box, mid, minFont);
    if (isTrial(t)) {
      lo = mid;
      best = t;
    } else hi = mid - 1;
  }
  if (lo !== minFont) {
    const t = trial(active, box, lo, minFont);
    if (isTrial(t)) best = t;
  }
  // Keep the submitter's lines whole when that costs little size: "Välkommen till / Vara" stays two rows
  // rather than becoming "Välkommen / till / Vara" one size larger.
  const unwrapped = (t: Trial | TrialFailure): t is Trial => isTrial(t) && t.rows.length === active.length;
  if (isTrial(best) && best.rows.length > active.length && unwrapped(trial(active, box, minFont, minFont))) {
    let a = minFont;
    let b = lo;
    while (a < b) {
      const mid = Math.ceil((a + b) / 2);
      if (unwrapped(trial(active, box, mid, minFont))) a = mid;
      else b = mid - 1;
    }
    const t = trial(active, box, a, minFont);
    if (a >= lo * KEEP_LINES_MIN_SCALE && isTrial(t)) best = t;
  }

  const { rows, height, padX, padY } = best;
  const free = box.height - 2 * padY - height;
  const valign = opts.valign ?? 'center';
  // Centre the ink, not the boxes: the first row's box keeps room above the caps for Å, Ä and Ö, which
  // would otherwise push every page visibly low.
  const firstFont = rows[0]?.fontPx ?? 0;
  const accentRoom = (LINE_PITCH_EM - metrics.descent - metrics.capHeight) * firstFont;
  const centred = Math.floor((free - accentRoom) / 2);
  let y = box.y + padY + (valign === 'top' ? 0 : valign === 'bottom' ? free : Math.max(-padY, centred));
  const top = y - padY;
  const placed: PlacedRow[] = [];
  for (const r of rows) {
    const baseline = Math.round(y + (LINE_PITCH_EM - metrics.descent) * r.fontPx);
    const x = (r.block.align ?? 'left') === 'center' ? Math.round(box.x + (box.width - r.width) / 2) : box.x + padX;
    placed.push({
      field: r.block.field,
      text: r.text,
      fontPx: r.fontPx,
      capHeightPx: r.fontPx * metrics.capHeight,
      x,
      baseline,
      width: r.width,
      colour: r.block.colour,
    });
    y += r.fontPx * LINE_PITCH_EM;
  }
  // Frozen: layouts are cached and shared between pages.
  return Object.freeze({
    rows: Object.freeze(placed.map((r) => Object.freeze(r))),
    omitted: Object.freeze(omitted),
    top,
    bottom: Math.ceil(y + padY),
  });
}

function tooLong(
  blocks: readonly TextBlock[],
  box: Box,
  opts: FitOptions,
  minFont: number,
  failure: TrialFailure,
): TextTooLongError {
  const sign = opts.sign;
  const minCap = sign.minCharPixels;
  const where = `${sign.id ? `sign ${sign.id}` : 'the sign'} at the minimum character height (${minCap.toFixed(1)} px${
    sign.minCharHeightMm ? `, ${Math.round(sign.minCharHeightMm)} mm` : ''
  })`;
  const mmSv = sign.minCharHeightMm ? ` (${Math.round(sign.minCharHeightMm)} mm)` : '';

  if (failure !== 'height') {
    const { word, block } = failure;
    const { padX } = pads(minFont);
    const maxW = box.width - 2 * padX;
    let fits = 0;
    const chars = [...word];
    while (fits < chars.length && textWidth(minFont, chars.slice(0, fits + 1).join('')) <= maxW) fits++;
    const over = chars.length - fits;
    return new TextTooLongError(
      `the word "${word}" in ${block.field} is too wide for one line on ${where}: it is ${over} characters too long; use a shorter word or split it`,
      {
        field: block.field,
        charsOver: over,
        wordsOver: 0,
        word,
        minCharPixels: minCap,
        messageSv: `Ordet "${word}" (${fieldNameSv(block.field)}) är för brett för en rad på skylten med minsta teckenhöjd${mmSv}: ${over} tecken för långt. Använd ett kortare ord eller dela det.`,
      },
    );
  }

  // Propose the smallest cut from the end of the longest shortenable field that makes the page fit.
  const working = blocks.map((b) => ({ ...b }));
  const original = new Map(working.map((b) => [b.field, b.text]));
  let removedWords = 0;
  const cutFields = new Set<string>();
  for (let guard = 0; guard < 500; guard++) {
    const longest = working
      .filter((b) => !b.fixed && b.text.length > 0)
      .sort((a, b) => b.text.length - a.text.length)[0];
    if (!longest) break;
    cutFields.add(longest.field);
    const cut = longest.text.lastIndexOf(' ');
    longest.text = cut < 0 ? '' : longest.text.slice(0, cut);
    removedWords++;
    if (isTrial(trial(working, box, minFont, minFont))) break;
  }
  let charsOver = 0;
  for (const b of working) charsOver += (original.get(b.field) ?? '').length - b.text.length;
  const field = cutFields.size === 1 ? [...cutFields][0] : undefined;
  const shortened = field ? working.find((b) => b.field === field)?.text : undefined;
  const target = field ?? 'the text';
  const targetSv = field ? fieldNameSv(field) : 'texten';
  const example = shortened ? `, e.g. to "${shortened}"` : '';
  const exampleSv = shortened ? `, till exempel till "${shortened}"` : '';
  return new TextTooLongError(
    `the text does not fit on ${where}: shorten ${target} by ${charsOver} characters (${removedWords} ${
      removedWords === 1 ? 'word' : 'words'
    })${example}`,
    {
      ...(field ? { field } : {}),
      charsOver,
      wordsOver: removedWords,
      minCharPixels: minCap,
      messageSv: `Texten får inte plats på skylten med minsta teckenhöjd${mmSv}. Korta ${targetSv} med ${charsOver} tecken (${removedWords} ord)${exampleSv}.`,
    },
  );
}

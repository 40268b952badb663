import { createCanvas } from '@napi-rs/canvas';
import { ensureSignFont } from './fonts.ts';
import type { Frame, PixelFormat, Rgb } from './frame.ts';
import { packRgba } from './quantise.ts';

/** The drawing surface of one sign: what the renderer needs to know about the panel. */
export interface SignSurface {
  readonly width: number;
  readonly height: number;
  readonly format: PixelFormat;
  /** Smallest cap height in pixels that reads at ~380 mm physical height on this panel. */
  readonly minCharPixels: number;
}

export class TextTooLongError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TextTooLongError';
  }
}

const MARGIN = 0.06;
const LINE_GAP = 0.25;

/**
 * A first text page: lines drawn centred at the largest size that fits, broken at word
 * boundaries. Text is never shrunk below the sign's minimum character height: it is rejected.
 */
export function renderTextPage(
  lines: readonly string[],
  sign: SignSurface,
  colours: { fg: Rgb; bg: Rgb } = { fg: [255, 255, 255], bg: [0, 0, 0] },
): Frame {
  const family = ensureSignFont();
  const canvas = createCanvas(sign.width, sign.height);
  const ctx = canvas.getContext('2d');
  const words = lines.map((l) => l.normalize('NFC').trim().split(/\s+/).filter(Boolean));
  const maxW = sign.width * (1 - 2 * MARGIN);
  const maxH = sign.height * (1 - 2 * MARGIN);

  let fitted: { size: number; rows: string[] } | null = null;
  for (let size = Math.floor(maxH); size >= 1; size--) {
    ctx.font = `${size}px "${family}"`;
    const rows = wrap(words, maxW, (s) => ctx.measureText(s).width);
    if (!rows) continue;
    const capHeight = size * 0.7;
    if (capHeight < sign.minCharPixels) break;
    const blockH = rows.length * size + (rows.length - 1) * size * LINE_GAP;
    if (blockH <= maxH) {
      fitted = { size, rows };
      break;
    }
  }
  if (!fitted) {
    throw new TextTooLongError(
      `text does not fit on a ${sign.width}x${sign.height} sign at the minimum character height of ${sign.minCharPixels} px: shorten it`,
    );
  }

  ctx.fillStyle = `rgb(${colours.bg.join(',')})`;
  ctx.fillRect(0, 0, sign.width, sign.height);
  ctx.fillStyle = `rgb(${colours.fg.join(',')})`;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  const { size, rows } = fitted;
  const step = size * (1 + LINE_GAP);
  const top = sign.height / 2 - ((rows.length - 1) * step) / 2;
  rows.forEach((row, i) => ctx.fillText(row, sign.width / 2, Math.round(top + i * step)));
  const image = ctx.getImageData(0, 0, sign.width, sign.height);
  return packRgba(image.data, sign.width, sign.height, sign.format);
}

/** Greedy word wrap per input line; null when a single word is wider than the page. */
function wrap(lines: string[][], maxWidth: number, measure: (s: string) => number): string[] | null {
  const rows: string[] = [];
  for (const words of lines) {
    let row = '';
    for (const word of words) {
      const candidate = row ? `${row} ${word}` : word;
      if (measure(candidate) <= maxWidth) row = candidate;
      else {
        if (!row || measure(word) > maxWidth) return null;
        rows.push(row);
        row = word;
      }
    }
    if (row) rows.push(row);
  }
  return rows;
}

import { type Canvas, createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { signFontMetrics } from './fonts.ts';
import type { Rgb } from './frame.ts';
import type { PlacedRow } from './text-layout.ts';

export const cssRgb = ([r, g, b]: Rgb) => `rgb(${r},${g},${b})`;

interface Surface {
  readonly canvas: Canvas;
  readonly ctx: SKRSContext2D;
}

// One canvas per panel size, reused: creating a Skia surface costs as much as drawing a whole page.
// Safe because drawing is synchronous: no two pages are ever drawn at once.
const surfaces = new Map<string, Surface>();

/** A reset drawing surface of the panel's size, filled with `background`. */
export function pageSurface(width: number, height: number, background: Rgb): SKRSContext2D {
  const key = `${width}x${height}`;
  let s = surfaces.get(key);
  if (!s) {
    const canvas = createCanvas(width, height);
    s = { canvas, ctx: canvas.getContext('2d') };
    surfaces.set(key, s);
  }
  const { ctx } = s;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.globalAlpha = 1;
  ctx.fillStyle = cssRgb(background);
  ctx.fillRect(0, 0, width, height);
  return ctx;
}

export function drawRows(ctx: SKRSContext2D, rows: readonly PlacedRow[]): void {
  const { family } = signFontMetrics();
  ctx.textAlign = 'left';
  ctx.textBaseline = 'alphabetic';
  // Setting font or fillStyle makes Skia parse a CSS string: only do it when it changes.
  let font = '';
  let fill = '';
  for (const r of rows) {
    const f = `${r.fontPx}px "${family}"`;
    const c = cssRgb(r.colour);
    if (f !== font) ctx.font = font = f;
    if (c !== fill) ctx.fillStyle = fill = c;
    ctx.fillText(r.text, r.x, r.baseline);
  }
}

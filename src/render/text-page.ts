import { normaliseText } from '../domain/page-text.ts';
import { drawRows, pageSurface } from './draw.ts';
import { unsupportedCharacters } from './fonts.ts';
import type { Frame, Rgb } from './frame.ts';
import { packRgba } from './quantise.ts';
import { UnsupportedCharacterError } from './render-errors.ts';
import type { SignSurface } from './sign-profile.ts';
import { fitText } from './text-layout.ts';

export { TextTooLongError } from './render-errors.ts';
export type { SignSurface } from './sign-profile.ts';

/**
 * A plain page of centred lines at the largest size that fits, broken at word boundaries, never below the
 * sign's minimum character height (TextTooLongError instead). Items are drawn with renderItem's templates;
 * this is for fixed pages such as the generic crisis frame.
 */
export function renderTextPage(
  lines: readonly string[],
  sign: SignSurface,
  colours: { fg: Rgb; bg: Rgb } = { fg: [255, 255, 255], bg: [0, 0, 0] },
): Frame {
  const blocks = lines.map((line, i) => ({
    field: `lines.${i}`,
    text: normaliseText(line),
    weight: 1,
    colour: colours.fg,
    align: 'center' as const,
  }));
  for (const b of blocks) {
    const missing = unsupportedCharacters(b.text);
    if (missing) throw new UnsupportedCharacterError(b.field, missing);
  }
  const box = { x: 0, y: 0, width: sign.width, height: sign.height };
  const layout = fitText(blocks, box, { sign, maxFontPx: Math.floor(sign.height * 0.4) });
  const ctx = pageSurface(sign.width, sign.height, colours.bg);
  drawRows(ctx, layout.rows);
  return packRgba(ctx.getImageData(0, 0, sign.width, sign.height).data, sign.width, sign.height, sign.format);
}

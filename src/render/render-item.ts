import type { SKRSContext2D } from '@napi-rs/canvas';
import type { ItemContent, Organisation } from '../domain/item-content.ts';
import { type PageField, pageText } from '../domain/page-text.ts';
import { cssRgb, drawRows, pageSurface } from './draw.ts';
import { unsupportedCharacters } from './fonts.ts';
import type { Frame, Rgb } from './frame.ts';
import type { ImportedImage } from './image-import.ts';
import { limitPalette, packRgba, quantiseColour } from './quantise.ts';
import { MissingImageError, UnsupportedCharacterError } from './render-errors.ts';
import type { SignProfile, SignSurface } from './sign-profile.ts';
import { type Box, fitText, minFontPx, type PlacedRow, type TextBlock } from './text-layout.ts';
import { resolveTheme, type SignTheme } from './theme.ts';

export interface RenderOptions {
  /** The picture of an image item, from importImage(). */
  readonly image?: ImportedImage | null;
  /** The item's information link; drawn only with `showInfoLink`. */
  readonly infoLink?: string | null;
  readonly showInfoLink?: boolean;
  /** Who submitted it: draws the organiser's stripe on kinds without an organiser field. */
  readonly organiser?: Organisation;
  readonly theme?: Partial<SignTheme>;
}

export interface RenderedPage {
  /** The framebuffer in the sign's pixel format: what goes to the sign, and what previews are made from. */
  readonly frame: Frame;
  readonly rows: readonly PlacedRow[];
  /** Optional elements left out because the page only fits without them (e.g. `organiser`). */
  readonly omitted: readonly string[];
  /** Smallest cap height drawn, px; null for a page without text. */
  readonly minCapHeightPx: number | null;
  /** Each text colour against its ground as the sign shows them (quantised): for the contrast rule. */
  readonly colourPairs: readonly { readonly field: string; readonly fg: Rgb; readonly bg: Rgb }[];
}

type Sign = SignSurface & Partial<Pick<SignProfile, 'id' | 'minCharHeightMm' | 'monoColour'>>;

interface Drawing {
  rows: PlacedRow[];
  omitted: string[];
  pairs: { field: string; fg: Rgb; bg: Rgb }[];
}

/**
 * Renders one item for one sign: the template of its kind, text fitted at the largest size that fits and
 * never below the sign's minimum character height, quantised to the sign's pixel format.
 * Throws TextTooLongError, UnsupportedCharacterError or MissingImageError (all RenderContentError).
 */
export function renderItem(content: ItemContent, sign: Sign, opts: RenderOptions = {}): RenderedPage {
  const theme = resolveTheme(opts.theme);
  const page = pageText(content, { infoLink: opts.infoLink ?? null, showInfoLink: opts.showInfoLink ?? false });
  for (const p of page) {
    const missing = unsupportedCharacters(p.text);
    if (missing) throw new UnsupportedCharacterError(p.field, missing);
  }
  const ctx = pageSurface(sign.width, sign.height, theme.background);

  let drawing: Drawing;
  switch (content.kind) {
    case 'crisis':
      drawing = drawCrisis(ctx, page, sign, theme);
      break;
    case 'image':
      drawing = drawImageItem(ctx, page, sign, theme, content.fit, opts.image ?? null, content.image);
      break;
    default:
      drawing = drawTextItem(ctx, page, sign, theme, content.kind === 'event' ? content.organiser : opts.organiser);
  }

  // The surface is opaque (filled first), so its premultiplied pixels are the plain RGBA values.
  const rgba = ctx.canvas.data();
  // A crisis must cross a slow serial line in about a second: keep it within the bridge's 256-colour palette.
  if (content.kind === 'crisis' && (sign.format === 'rgb888' || sign.format === 'rgb565')) limitPalette(rgba);
  const frame = packRgba(rgba, sign.width, sign.height, sign.format);
  const mono = sign.monoColour ?? [255, 176, 0];
  return {
    frame,
    rows: drawing.rows,
    omitted: drawing.omitted,
    minCapHeightPx: drawing.rows.length ? Math.min(...drawing.rows.map((r) => r.capHeightPx)) : null,
    colourPairs: dedupePairs(drawing.pairs).map((p) => ({
      field: p.field,
      fg: quantiseColour(p.fg, sign.format, mono),
      bg: quantiseColour(p.bg, sign.format, mono),
    })),
  };
}

function dedupePairs(pairs: Drawing['pairs']): Drawing['pairs'] {
  const seen = new Set<string>();
  return pairs.filter((p) => {
    const k = `${p.field}|${p.fg}|${p.bg}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** Relative sizes: the title leads, the details follow at four fifths (both clamp to the minimum). */
const WEIGHT = { title: 1, detail: 0.8, small: 0.7 } as const;

function blockFor(p: PageField, theme: SignTheme, organiser: Organisation | undefined): TextBlock {
  switch (p.role) {
    case 'title':
      return { field: p.field, text: p.text, weight: WEIGHT.title, colour: theme.primary };
    case 'line':
    case 'caption':
      return { field: p.field, text: p.text, weight: WEIGHT.title, colour: theme.primary, align: 'center' };
    case 'mark':
      return {
        field: p.field,
        text: p.text,
        weight: WEIGHT.small,
        colour: organiser ? theme.organisers[organiser].text : theme.secondary,
        optional: true,
        fixed: true,
      };
    case 'link':
      return { field: p.field, text: p.text, weight: WEIGHT.small, colour: theme.secondary, fixed: true };
    default:
      return {
        field: p.field,
        text: p.text,
        weight: WEIGHT.detail,
        colour: theme.secondary,
        fixed: p.field === 'startsAt' || p.field === 'header',
      };
  }
}

/** event, exhibition, excursion, info: the organiser's stripe on the left, text stacked beside it. */
function drawTextItem(
  ctx: SKRSContext2D,
  page: readonly PageField[],
  sign: Sign,
  theme: SignTheme,
  organiser: Organisation | undefined,
): Drawing {
  let box: Box = { x: 0, y: 0, width: sign.width, height: sign.height };
  if (organiser) {
    // A third of the minimum cap height: visible from afar, narrow enough to cost no characters.
    const stripe = Math.max(2, Math.round(sign.minCharPixels / 3));
    ctx.fillStyle = cssRgb(theme.organisers[organiser].stripe);
    ctx.fillRect(0, 0, stripe, sign.height);
    box = { x: stripe, y: 0, width: sign.width - stripe, height: sign.height };
  }
  const centred = page.every((p) => p.role === 'line' || p.role === 'link');
  const blocks = page.map((p) => {
    const b = blockFor(p, theme, organiser);
    return centred ? { ...b, align: 'center' as const } : b;
  });
  const layout = fitText(blocks, box, { sign, maxFontPx: Math.floor(sign.height * 0.4) });
  drawRows(ctx, layout.rows);
  return {
    rows: [...layout.rows],
    omitted: [...layout.omitted],
    pairs: layout.rows.map((r) => ({ field: r.field, fg: r.colour, bg: theme.background })),
  };
}

/** crisis: "VIKTIGT MEDDELANDE" inverted on a full-width band, then the headline and the instruction. */
function drawCrisis(ctx: SKRSContext2D, page: readonly PageField[], sign: Sign, theme: SignTheme): Drawing {
  const header = page.find((p) => p.role === 'header');
  const rest = page.filter((p) => p.role !== 'header');
  const full: Box = { x: 0, y: 0, width: sign.width, height: sign.height };
  const minFont = minFontPx(sign.minCharPixels);
  const headerLayout = fitText(
    [
      {
        field: 'header',
        text: header?.text ?? '',
        weight: 1,
        colour: theme.crisisBandText,
        align: 'center',
        fixed: true,
      },
    ],
    { ...full, height: Math.floor(sign.height / 2) },
    { sign, maxFontPx: minFont, valign: 'top' },
  );
  const bandBottom = headerLayout.bottom;
  ctx.fillStyle = cssRgb(theme.crisisBand);
  ctx.fillRect(0, 0, sign.width, bandBottom);
  const body = fitText(
    rest.map((p) => ({ ...blockFor(p, theme, undefined), align: 'center' as const })),
    { x: 0, y: bandBottom, width: sign.width, height: sign.height - bandBottom },
    { sign, maxFontPx: Math.floor(sign.height * 0.3) },
  );
  drawRows(ctx, headerLayout.rows);
  drawRows(ctx, body.rows);
  return {
    rows: [...headerLayout.rows, ...body.rows],
    omitted: [...body.omitted],
    pairs: [
      ...headerLayout.rows.map((r) => ({ field: r.field, fg: r.colour, bg: theme.crisisBand })),
      ...body.rows.map((r) => ({ field: r.field, fg: r.colour, bg: theme.background })),
    ],
  };
}

/** image: the picture fitted (contain) or cropped (cover) without distortion, the caption below it. */
function drawImageItem(
  ctx: SKRSContext2D,
  page: readonly PageField[],
  sign: Sign,
  theme: SignTheme,
  fit: 'contain' | 'cover',
  image: ImportedImage | null,
  ref: string,
): Drawing {
  if (!image) throw new MissingImageError(ref);
  const texts = page.filter((p) => p.role !== 'picture');
  let area: Box = { x: 0, y: 0, width: sign.width, height: sign.height };
  let rows: PlacedRow[] = [];
  let omitted: string[] = [];
  if (texts.length > 0) {
    const minFont = minFontPx(sign.minCharPixels);
    const captionBox: Box = {
      x: 0,
      y: Math.ceil(sign.height * 0.5),
      width: sign.width,
      height: Math.floor(sign.height * 0.5),
    };
    const layout = fitText(
      texts.map((p) => blockFor(p, theme, undefined)),
      captionBox,
      { sign, maxFontPx: Math.ceil(minFont * 1.15), valign: 'bottom' },
    );
    rows = [...layout.rows];
    omitted = [...layout.omitted];
    area = { x: 0, y: 0, width: sign.width, height: layout.top };
  }
  drawPicture(ctx, image, area, fit);
  drawRows(ctx, rows);
  return { rows, omitted, pairs: rows.map((r) => ({ field: r.field, fg: r.colour, bg: theme.background })) };
}

function drawPicture(ctx: SKRSContext2D, image: ImportedImage, area: Box, fit: 'contain' | 'cover'): void {
  const { width: iw, height: ih } = image;
  ctx.save();
  try {
    ctx.beginPath();
    ctx.rect(area.x, area.y, area.width, area.height);
    ctx.clip();
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    // One scale for both axes: the picture is never stretched.
    const scale =
      fit === 'contain' ? Math.min(area.width / iw, area.height / ih) : Math.max(area.width / iw, area.height / ih);
    const dw = Math.round(iw * scale);
    const dh = Math.round(ih * scale);
    ctx.drawImage(
      image.canvas,
      area.x + Math.round((area.width - dw) / 2),
      area.y + Math.round((area.height - dh) / 2),
      dw,
      dh,
    );
  } finally {
    // The surface is shared by every page: never leave a clip behind.
    ctx.restore();
  }
}

import { createCanvas } from '@napi-rs/canvas';
import { type LintContext, type LintFinding, lintItem, type RenderFacts } from '../domain/content-lint.ts';
import type { ItemContent } from '../domain/item-content.ts';
import { pageText } from '../domain/page-text.ts';
import { unsupportedCharacters } from './fonts.ts';
import { framePalette } from './frame-png.ts';
import type { ImportedImage } from './image-import.ts';
import { TextTooLongError, UnsupportedCharacterError } from './render-errors.ts';
import { type RenderedPage, type RenderOptions, renderItem } from './render-item.ts';
import type { SignProfile } from './sign-profile.ts';

export interface RenderedLint {
  readonly findings: LintFinding[];
  /** The rendered page, when it could be drawn. */
  readonly page: RenderedPage | null;
}

export type RenderLintContext = Omit<LintContext, 'sign' | 'rendered'> & {
  readonly render?: Omit<RenderOptions, 'infoLink' | 'showInfoLink'>;
};

/**
 * The lint as the content workflow runs it at submit and at approval: the item is drawn for the sign, and
 * what the drawing shows (sizes, colours after quantisation, text that does not fit) feeds the rules.
 * For an image item without its picture the caption is still checked; the picture's colours are not.
 */
export function lintRenderedItem(
  content: ItemContent,
  sign: SignProfile,
  context: RenderLintContext = {},
): RenderedLint {
  const { render, ...lintContext } = context;
  const image = render?.image ?? (content.kind === 'image' ? placeholderImage() : null);
  const pictureKnown = content.kind !== 'image' || Boolean(render?.image);
  const opts: RenderOptions = {
    ...render,
    image,
    infoLink: lintContext.infoLink ?? null,
    showInfoLink: lintContext.showInfoLink ?? false,
  };
  let page: RenderedPage | null = null;
  let facts: RenderFacts;
  try {
    page = renderItem(content, sign, opts);
    facts = {
      minCapHeightPx: page.minCapHeightPx,
      colourPairs: page.colourPairs,
      palette: pictureKnown ? framePalette(page.frame, sign.monoColour) : [],
    };
  } catch (e: unknown) {
    if (e instanceof TextTooLongError) {
      facts = {
        minCapHeightPx: null,
        colourPairs: [],
        palette: [],
        tooLong: {
          ...(e.field ? { field: e.field } : {}),
          charsOver: e.charsOver,
          wordsOver: e.wordsOver,
          message: e.message,
          messageSv: e.messageSv,
        },
      };
    } else if (e instanceof UnsupportedCharacterError) {
      const unsupported = pageText(content, opts)
        .map((p) => ({ field: p.field, chars: unsupportedCharacters(p.text) }))
        .filter((u) => u.chars.length > 0);
      facts = { minCapHeightPx: null, colourPairs: [], palette: [], unsupportedCharacters: unsupported };
    } else throw e;
  }
  return { findings: lintItem(content, { ...lintContext, sign, rendered: facts }), page };
}

let placeholder: ImportedImage | null = null;

function placeholderImage(): ImportedImage {
  if (!placeholder) {
    const canvas = createCanvas(4, 3);
    placeholder = {
      sourceFormat: 'png',
      sourceWidth: 4,
      sourceHeight: 3,
      width: 4,
      height: 3,
      canvas,
      toPng: () => canvas.encodeSync('png'),
    };
  }
  return placeholder;
}

import type { LintFinding } from '../domain/content-lint.ts';
import type { Organisation } from '../domain/item-content.ts';
import type { SubmittableContent } from '../domain/item-input.ts';
import type { SignConfig } from '../signs/sign-config.ts';
import { framePng } from './frame-png.ts';
import { type ImportedImage, importImage } from './image-import.ts';
import { lintRenderedItem } from './lint-render.ts';
import { RenderContentError } from './render-errors.ts';
import { renderItem } from './render-item.ts';
import { type SignProfile, signProfile } from './sign-profile.ts';

/**
 * The content workflow's one door to the renderer and the road-safety lint (src/render, src/domain/content-lint):
 * previews and approval-blocking checks go through here, so a change over there is a change in this file only.
 */

/** What is checked and drawn: the item's page and the facts the lint needs about it. */
export interface ContentToCheck {
  readonly content: SubmittableContent;
  readonly organisation: Organisation;
  readonly dwellSeconds: number;
  readonly infoLink: string;
  readonly showLink: boolean;
}

/** A lint finding, with the signs it was found on (most findings hold for both). */
export interface ContentFinding {
  readonly rule: string;
  readonly severity: 'error' | 'warning';
  readonly field?: string;
  readonly message: string;
  readonly messageSv: string;
  readonly signs: string[];
}

export function signProfileFor(sign: SignConfig): SignProfile {
  return signProfile({
    id: sign.id,
    width: sign.width,
    height: sign.height,
    format: sign.pixelFormat,
    pixelPitchMm: sign.pixelPitchMm,
    minCharHeightMm: sign.minCharHeightMm,
    monoColour: sign.monoColour,
  });
}

/** Decodes a stored (already normalised) picture for drawing. */
export function decodeImage(png: Buffer): Promise<ImportedImage> {
  return importImage(png);
}

/** Checks an uploaded file and normalises it; throws ImageImportError (with httpStatus) for bad files. */
export function importUpload(bytes: Buffer, admit?: (pixels: number) => Promise<() => void>): Promise<ImportedImage> {
  return importImage(bytes, {}, admit);
}

export { DEFAULT_IMAGE_LIMITS, ImageImportError } from './image-import.ts';

/** Runs the lint for each target sign, as drawn on that sign; identical findings are merged. */
export function checkContent(
  item: ContentToCheck,
  signs: readonly SignProfile[],
  image: ImportedImage | null,
  allowedLinkHosts: readonly string[],
): ContentFinding[] {
  const merged = new Map<string, ContentFinding>();
  for (const sign of signs) {
    const { findings } = lintRenderedItem(item.content, sign, {
      dwellSeconds: item.dwellSeconds,
      infoLink: item.infoLink,
      showInfoLink: item.showLink,
      rules: { allowedLinkHosts: [...allowedLinkHosts] },
      render: { image, organiser: item.organisation },
    });
    for (const f of findings as LintFinding[]) {
      const key = `${f.rule}|${f.field ?? ''}|${f.message}`;
      const seen = merged.get(key);
      if (seen) seen.signs.push(sign.id);
      else merged.set(key, { ...f, signs: [sign.id] });
    }
  }
  return [...merged.values()];
}

export class PreviewError extends Error {
  constructor(
    message: string,
    readonly field: string | undefined,
  ) {
    super(message);
    this.name = 'PreviewError';
  }
}

/** The page as the sign will show it, as PNG made from the sign's framebuffer bytes. */
export function previewPng(item: ContentToCheck, sign: SignProfile, image: ImportedImage | null): Buffer {
  try {
    const page = renderItem(item.content, sign, {
      image,
      infoLink: item.infoLink,
      showInfoLink: item.showLink,
      organiser: item.organisation,
    });
    return framePng(page.frame, sign.monoColour);
  } catch (e: unknown) {
    if (e instanceof RenderContentError) throw new PreviewError(e.message, e.field);
    throw e;
  }
}

import { type Canvas, createCanvas, Image } from '@napi-rs/canvas';
import {
  DEFAULT_IMAGE_LIMITS,
  ImageAnimatedError,
  ImageCorruptError,
  ImageDimensionsError,
  type ImageLimits,
  ImageTooLargeError,
  ImageTruncatedError,
  ImageTypeError,
} from './image-errors.ts';
import { type ImageFormat, type ImageHeader, ImageHeaderError, inspectImage } from './image-header.ts';

export * from './image-errors.ts';

/**
 * Uploaded pictures, checked before a single pixel is decoded: file size, type, structure and declared
 * dimensions. A picture that passes is decoded once (upright: Skia applies EXIF), scaled down to a size a sign can
 * use, and kept as a small canvas: a 50-megapixel phone photo never stays in memory.
 */

/** A checked, decoded, upright picture, scaled down to `storeMaxSidePx`: what the image template draws. */
export interface ImportedImage {
  readonly sourceFormat: ImageFormat;
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  readonly width: number;
  readonly height: number;
  /** The picture, drawable with drawImage. */
  readonly canvas: Canvas;
  /** The normalised picture as PNG, to store instead of the upload. */
  toPng(): Buffer;
}

/**
 * Checks and decodes an uploaded picture. Every failure is an ImageImportError subclass; nothing here
 * throws anything else for bad input, and nothing is decoded before the declared size has been checked.
 */
export async function importImage(
  buffer: Uint8Array,
  limits: Partial<ImageLimits> = {},
  /** Waits for room to decode this many pixels (a memory budget); returns the release. */
  admit?: (pixels: number) => Promise<() => void>,
): Promise<ImportedImage> {
  const lim: ImageLimits = { ...DEFAULT_IMAGE_LIMITS, ...limits };
  if (buffer.byteLength > lim.maxBytes) throw new ImageTooLargeError(buffer.byteLength, lim.maxBytes);

  let header: ImageHeader;
  try {
    header = inspectImage(buffer);
  } catch (e: unknown) {
    if (e instanceof ImageHeaderError) {
      const p = e.problem;
      if (p.kind === 'type') throw new ImageTypeError(p.detected);
      if (p.kind === 'truncated') throw new ImageTruncatedError(p.format, p.detail);
      throw new ImageCorruptError(p.format, p.detail);
    }
    // A header reader that trips over hostile bytes (a RangeError from a read past the end) is a damaged file.
    throw new ImageCorruptError('unknown', e instanceof Error ? e.message : String(e));
  }
  const { width, height } = header;
  if (width > lim.maxSidePx || height > lim.maxSidePx || width * height > lim.maxPixels) {
    throw new ImageDimensionsError(width, height, lim);
  }
  if (header.animated) throw new ImageAnimatedError(header.format);

  const release = admit ? await admit(width * height) : () => undefined;
  try {
    return await decodeChecked(buffer, header, lim);
  } finally {
    release();
  }
}

async function decodeChecked(buffer: Uint8Array, header: ImageHeader, lim: ImageLimits): Promise<ImportedImage> {
  const { width, height } = header;
  const image = new Image();
  try {
    image.src = Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    await image.decode();
  } catch (e: unknown) {
    throw new ImageCorruptError(header.format, `it cannot be decoded: ${e instanceof Error ? e.message : String(e)}`);
  }
  // Skia applies the EXIF orientation while decoding: an orientation of 5..8 swaps the sides.
  const swap = header.orientation >= 5 && header.orientation <= 8;
  const [uprightW, uprightH] = swap ? [height, width] : [width, height];
  if (image.naturalWidth !== uprightW || image.naturalHeight !== uprightH) {
    throw new ImageCorruptError(
      header.format,
      `its header says ${uprightW}x${uprightH} but it decodes as ${image.naturalWidth}x${image.naturalHeight}`,
    );
  }
  return normalise(image, header, lim.storeMaxSidePx);
}

/** No larger than `maxSide`, already upright (the decoder turned it). */
function normalise(image: Image, header: ImageHeader, maxSide: number): ImportedImage {
  const scale = Math.min(1, maxSide / Math.max(image.naturalWidth, image.naturalHeight));
  const w = Math.max(1, Math.round(image.naturalWidth * scale));
  const h = Math.max(1, Math.round(image.naturalHeight * scale));
  const canvas = createCanvas(w, h);
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(image, 0, 0, w, h);
  let png: Buffer | null = null;
  return {
    sourceFormat: header.format,
    sourceWidth: header.width,
    sourceHeight: header.height,
    width: w,
    height: h,
    canvas,
    toPng: () => {
      png ??= canvas.encodeSync('png');
      return png;
    },
  };
}

import { type Canvas, createCanvas, Image } from '@napi-rs/canvas';
import { type ImageFormat, type ImageHeader, ImageHeaderError, inspectImage } from './image-header.ts';

/**
 * Uploaded pictures, checked before a single pixel is decoded: file size, type, structure and declared
 * dimensions. A picture that passes is decoded once (upright: Skia applies EXIF), scaled down to a size a sign can
 * use, and kept as a small canvas: a 50-megapixel phone photo never stays in memory.
 */

export interface ImageLimits {
  /** Largest accepted file, bytes. Default 10 MB. */
  readonly maxBytes: number;
  /** Largest accepted width or height, pixels. */
  readonly maxSidePx: number;
  /** Largest accepted width x height: the decoded picture costs 4 bytes a pixel. */
  readonly maxPixels: number;
  /** Imported pictures are scaled down to fit within this many pixels a side. */
  readonly storeMaxSidePx: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = {
  maxBytes: 10 * 1024 * 1024,
  maxSidePx: 12_000,
  // 50 MP covers a 48 MP phone photo; decoded it is 200 MB, the most an edge box should spend on one upload.
  maxPixels: 50_000_000,
  // Twice the 384 px sign width and then some: room for cover crops and for larger signs.
  storeMaxSidePx: 1536,
};

/** Base of every import failure: `code` to test, `httpStatus` to answer with, `messageSv` for the UI. */
export class ImageImportError extends Error {
  readonly code: string;
  readonly httpStatus: number;
  readonly messageSv: string;
  constructor(code: string, httpStatus: number, message: string, messageSv: string) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.httpStatus = httpStatus;
    this.messageSv = messageSv;
  }
}

const mb = (n: number) => `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MB`;
const mbSv = (n: number) => mb(n).replace('.', ',');

export class ImageTooLargeError extends ImageImportError {
  constructor(
    readonly bytes: number,
    readonly maxBytes: number,
  ) {
    super(
      'image-file-too-large',
      413,
      `the image file is ${mb(bytes)}; at most ${mb(maxBytes)} is accepted: save it smaller (a sign needs no more than about 2000 pixels across)`,
      `Bildfilen är ${mbSv(bytes)}. Högst ${mbSv(maxBytes)} tas emot – spara bilden i mindre storlek (skylten behöver högst cirka 2000 pixlar i bredd).`,
    );
  }
}

export class ImageDimensionsError extends ImageImportError {
  constructor(
    readonly width: number,
    readonly height: number,
    limits: ImageLimits,
  ) {
    const mp = (limits.maxPixels / 1e6).toFixed(0);
    super(
      'image-too-many-pixels',
      422,
      `the image says it is ${width}x${height} pixels; at most ${limits.maxSidePx} pixels a side and ${mp} megapixels are accepted: scale it down (about 2000 pixels across is plenty for the sign)`,
      `Bilden anger storleken ${width}×${height} pixlar. Högst ${limits.maxSidePx} pixlar per sida och ${mp} megapixlar tas emot – förminska bilden (cirka 2000 pixlar i bredd räcker).`,
    );
  }
}

export class ImageTypeError extends ImageImportError {
  constructor(readonly detected: string) {
    super(
      'image-type',
      415,
      `the file is ${detected}, not a PNG, JPEG or WebP image: export the picture as PNG or JPEG and upload that`,
      `Filen är inte en PNG-, JPEG- eller WebP-bild. Spara bilden som PNG eller JPEG och ladda upp den igen.`,
    );
  }
}

export class ImageTruncatedError extends ImageImportError {
  constructor(
    readonly format: ImageFormat,
    detail: string,
  ) {
    super(
      'image-truncated',
      422,
      `the ${format.toUpperCase()} file is incomplete (${detail}): the upload or the copy was cut off; upload the original file again`,
      `Bildfilen är ofullständig – uppladdningen eller kopieringen avbröts. Ladda upp originalfilen igen.`,
    );
  }
}

export class ImageCorruptError extends ImageImportError {
  constructor(
    readonly format: ImageFormat | 'unknown',
    detail: string,
  ) {
    super(
      'image-corrupt',
      422,
      `the ${format === 'unknown' ? 'image' : format.toUpperCase()} file is damaged (${detail}): open it in an image editor, save it again as PNG or JPEG, and upload that`,
      `Bildfilen är skadad. Öppna den i ett bildprogram, spara den på nytt som PNG eller JPEG och ladda upp den igen.`,
    );
  }
}

export class ImageAnimatedError extends ImageImportError {
  constructor(readonly format: ImageFormat) {
    super(
      'image-animated',
      422,
      `the ${format.toUpperCase()} is animated; the signs show still pictures only (moving images distract drivers): upload a single still frame`,
      `Bilden är animerad. Skyltarna visar bara stillbilder (rörliga bilder distraherar förare) – ladda upp en stillbild.`,
    );
  }
}

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
export async function importImage(buffer: Uint8Array, limits: Partial<ImageLimits> = {}): Promise<ImportedImage> {
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

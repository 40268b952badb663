import { Refusal } from '../domain/refusal.ts';
import type { ImageFormat } from './image-header.ts';

/**
 * The limits of an uploaded picture and every way it can be refused, with an English message for the API and a
 * Swedish one for the UI. Apart from the decoder (image-import.ts), so the upload route can refuse a file from its
 * first bytes without loading the canvas.
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

/** Base of every import failure: `code` to test, `kind` for the edges, `messageSv` for the UI. */
export class ImageImportError extends Refusal {
  readonly code: string;
  readonly messageSv: string;
  constructor(
    code: string,
    kind: 'tooLarge' | 'unsupportedType' | 'unprocessable',
    message: string,
    messageSv: string,
  ) {
    super(kind, message, [{ field: 'file', message }]);
    this.name = new.target.name;
    this.code = code;
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
      'tooLarge',
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
      'unprocessable',
      `the image says it is ${width}x${height} pixels; at most ${limits.maxSidePx} pixels a side and ${mp} megapixels are accepted: scale it down (about 2000 pixels across is plenty for the sign)`,
      `Bilden anger storleken ${width}×${height} pixlar. Högst ${limits.maxSidePx} pixlar per sida och ${mp} megapixlar tas emot – förminska bilden (cirka 2000 pixlar i bredd räcker).`,
    );
  }
}

export class ImageTypeError extends ImageImportError {
  constructor(readonly detected: string) {
    super(
      'image-type',
      'unsupportedType',
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
      'unprocessable',
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
      'unprocessable',
      `the ${format === 'unknown' ? 'image' : format.toUpperCase()} file is damaged (${detail}): open it in an image editor, save it again as PNG or JPEG, and upload that`,
      `Bildfilen är skadad. Öppna den i ett bildprogram, spara den på nytt som PNG eller JPEG och ladda upp den igen.`,
    );
  }
}

export class ImageAnimatedError extends ImageImportError {
  constructor(readonly format: ImageFormat) {
    super(
      'image-animated',
      'unprocessable',
      `the ${format.toUpperCase()} is animated; the signs show still pictures only (moving images distract drivers): upload a single still frame`,
      `Bilden är animerad. Skyltarna visar bara stillbilder (rörliga bilder distraherar förare) – ladda upp en stillbild.`,
    );
  }
}

import { crc32 } from 'node:zlib';

/**
 * Reads an image's type and pixel dimensions from its header and walks its structure to the end, without
 * decoding a pixel: a decompression bomb is refused from its declared size, and a truncated file from its
 * missing end (Skia would otherwise draw a cut-off PNG as a half-transparent picture, silently).
 */

export type ImageFormat = 'png' | 'jpeg' | 'webp';

export interface ImageHeader {
  readonly format: ImageFormat;
  readonly width: number;
  readonly height: number;
  /** APNG or animated WebP: the sign must not animate (DESIGN.md Content rules). */
  readonly animated: boolean;
  /** EXIF orientation 1..8 (JPEG only; 1 = as stored). */
  readonly orientation: number;
}

export type ImageHeaderProblem =
  | { readonly kind: 'type'; readonly detected: string }
  | { readonly kind: 'truncated'; readonly format: ImageFormat; readonly detail: string }
  | { readonly kind: 'corrupt'; readonly format: ImageFormat; readonly detail: string };

export class ImageHeaderError extends Error {
  constructor(readonly problem: ImageHeaderProblem) {
    super(
      problem.kind === 'type'
        ? `not a PNG, JPEG or WebP image (${problem.detected})`
        : `${problem.format} ${problem.kind}: ${problem.detail}`,
    );
    this.name = 'ImageHeaderError';
  }
}

const truncated = (format: ImageFormat, detail: string) => new ImageHeaderError({ kind: 'truncated', format, detail });
const corrupt = (format: ImageFormat, detail: string) => new ImageHeaderError({ kind: 'corrupt', format, detail });

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function inspectImage(buf: Uint8Array): ImageHeader {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length >= 8 && b.subarray(0, 8).equals(PNG_SIGNATURE)) return inspectPng(b);
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return inspectJpeg(b);
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP')
    return inspectWebp(b);
  throw new ImageHeaderError({ kind: 'type', detected: sniffOther(b) });
}

/** A human name for what the bytes are instead, so the error can say "this is a GIF", "this is text". */
function sniffOther(b: Buffer): string {
  const ascii = b.toString('latin1', 0, Math.min(b.length, 64));
  if (b.length === 0) return 'the file is empty';
  if (ascii.startsWith('GIF8')) return 'a GIF image';
  if (ascii.startsWith('BM')) return 'a BMP image';
  if (ascii.startsWith('%PDF')) return 'a PDF document';
  if (b.length >= 12 && b.toString('latin1', 4, 8) === 'ftyp') {
    const brand = b.toString('latin1', 8, 12);
    if (/hei|mif|hev/.test(brand)) return 'a HEIC image (iPhone photo format)';
    if (/avi/.test(brand)) return 'an AVIF image';
    return 'an MP4/QuickTime file';
  }
  if (b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a) return 'a TIFF image';
  if (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0x00 && b[3] === 0x2a) return 'a TIFF image';
  if (/^\s*<(\?xml|svg)/i.test(ascii)) return 'an SVG or XML file';
  if (b[0] === 0x50 && b[1] === 0x4b) return 'a ZIP or Office document';
  if (b.subarray(0, 8).equals(PNG_SIGNATURE.subarray(0, Math.min(8, b.length))) && b.length < 8)
    return 'a PNG cut off in its signature';
  const sample = b.subarray(0, Math.min(b.length, 512));
  const texty = sample.every((c) => c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127) || c >= 128);
  return texty ? 'text, not an image' : 'an unknown file type';
}

function inspectPng(b: Buffer): ImageHeader {
  let off = 8;
  let width = 0;
  let height = 0;
  let animated = false;
  let sawIdat = false;
  let first = true;
  while (true) {
    if (off + 8 > b.length) throw truncated('png', 'the file ends before its IEND chunk');
    const len = b.readUInt32BE(off);
    const type = b.toString('latin1', off + 4, off + 8);
    if (len > 0x7fffffff) throw corrupt('png', `chunk ${JSON.stringify(type)} has an impossible length`);
    if (off + 12 + len > b.length) throw truncated('png', `the file ends inside its ${JSON.stringify(type)} chunk`);
    const stored = b.readUInt32BE(off + 8 + len);
    if (crc32(b.subarray(off + 4, off + 8 + len)) >>> 0 !== stored)
      throw corrupt('png', `chunk ${JSON.stringify(type)} fails its CRC`);
    if (first) {
      if (type !== 'IHDR' || len !== 13) throw corrupt('png', 'the first chunk is not IHDR');
      width = b.readUInt32BE(off + 8);
      height = b.readUInt32BE(off + 12);
      if (width === 0 || height === 0) throw corrupt('png', 'width or height is zero');
      first = false;
    }
    if (type === 'acTL') animated = true;
    if (type === 'IDAT') sawIdat = true;
    if (type === 'IEND') break;
    off += 12 + len;
  }
  if (!sawIdat) throw corrupt('png', 'it has no image data (IDAT)');
  return { format: 'png', width, height, animated, orientation: 1 };
}

const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

function inspectJpeg(b: Buffer): ImageHeader {
  let off = 2;
  let width = 0;
  let height = 0;
  let orientation = 1;
  let sawScan = false;
  while (true) {
    if (off >= b.length)
      throw truncated('jpeg', sawScan ? 'the image data stops before the end marker' : 'the file ends in its header');
    if (b[off] !== 0xff) throw corrupt('jpeg', `expected a marker at byte ${off}`);
    while (off < b.length && b[off] === 0xff) off++; // fill bytes
    if (off >= b.length) throw truncated('jpeg', 'the file ends in a marker');
    const marker = b[off] ?? 0;
    off++;
    if (marker === 0xd9) break; // EOI
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) continue; // no length
    if (off + 2 > b.length) throw truncated('jpeg', 'the file ends in a segment header');
    const len = b.readUInt16BE(off);
    if (len < 2) throw corrupt('jpeg', `segment 0x${marker.toString(16)} has an impossible length`);
    if (off + len > b.length) throw truncated('jpeg', `the file ends inside segment 0x${marker.toString(16)}`);
    if (SOF.has(marker)) {
      if (len < 7) throw corrupt('jpeg', 'its frame header is too short');
      height = b.readUInt16BE(off + 3);
      width = b.readUInt16BE(off + 5);
      if (width === 0 || height === 0) throw corrupt('jpeg', 'width or height is zero (DNL images are not supported)');
    } else if (marker === 0xe1 && orientation === 1) {
      orientation = exifOrientation(b.subarray(off + 2, off + len));
    }
    off += len;
    if (marker === 0xda) {
      if (width === 0) throw corrupt('jpeg', 'image data comes before the frame header');
      sawScan = true;
      // Entropy-coded data runs to the next marker that is not a stuffed 0xFF00 or a restart marker.
      while (true) {
        const ff = b.indexOf(0xff, off);
        if (ff < 0 || ff + 1 >= b.length) throw truncated('jpeg', 'the image data stops before the end marker');
        const next = b[ff + 1] ?? 0;
        if (next === 0x00 || (next >= 0xd0 && next <= 0xd7) || next === 0xff) {
          off = next === 0xff ? ff + 1 : ff + 2;
          continue;
        }
        off = ff;
        break;
      }
    }
  }
  if (!sawScan) throw corrupt('jpeg', 'it has no image data');
  return { format: 'jpeg', width, height, animated: false, orientation };
}

/** Orientation tag (0x0112) from an APP1 Exif payload; 1 when absent or unreadable. */
function exifOrientation(app1: Buffer): number {
  if (app1.length < 14 || app1.toString('latin1', 0, 6) !== 'Exif\0\0') return 1;
  const tiff = app1.subarray(6);
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (o: number) => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number) => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  try {
    const ifd = u32(4);
    const count = u16(ifd);
    for (let i = 0; i < count; i++) {
      const e = ifd + 2 + i * 12;
      if (u16(e) === 0x0112) {
        const v = u16(e + 8);
        return v >= 1 && v <= 8 ? v : 1;
      }
    }
  } catch {
    // A broken Exif block is common and harmless: ignore its orientation.
  }
  return 1;
}

function inspectWebp(b: Buffer): ImageHeader {
  const riffEnd = 8 + b.readUInt32LE(4);
  if (riffEnd > b.length) throw truncated('webp', `the file is ${b.length} bytes but says it is ${riffEnd}`);
  let off = 12;
  let width = 0;
  let height = 0;
  let animated = false;
  let sawImage = false;
  while (off + 8 <= riffEnd) {
    const type = b.toString('latin1', off, off + 4);
    const len = b.readUInt32LE(off + 4);
    const data = off + 8;
    if (data + len > riffEnd) throw truncated('webp', `the file ends inside its ${JSON.stringify(type)} chunk`);
    if (type === 'VP8X') {
      if (len < 10) throw corrupt('webp', 'its VP8X header is too short');
      animated = ((b[data] ?? 0) & 0x02) !== 0;
      width = 1 + b.readUIntLE(data + 4, 3);
      height = 1 + b.readUIntLE(data + 7, 3);
    } else if (type === 'VP8 ') {
      if (len < 10 || b[data + 3] !== 0x9d || b[data + 4] !== 0x01 || b[data + 5] !== 0x2a) {
        throw corrupt('webp', 'its VP8 frame header is damaged');
      }
      if (!width) {
        width = b.readUInt16LE(data + 6) & 0x3fff;
        height = b.readUInt16LE(data + 8) & 0x3fff;
      }
      sawImage = true;
    } else if (type === 'VP8L') {
      if (len < 5 || b[data] !== 0x2f) throw corrupt('webp', 'its lossless header is damaged');
      if (!width) {
        const bits = b.readUInt32LE(data + 1);
        width = 1 + (bits & 0x3fff);
        height = 1 + ((bits >>> 14) & 0x3fff);
      }
      sawImage = true;
    } else if (type === 'ANMF') {
      animated = true;
      sawImage = true;
    }
    off = data + len + (len & 1);
  }
  if (!sawImage) throw corrupt('webp', 'it has no image data');
  if (width === 0 || height === 0) throw corrupt('webp', 'width or height is zero');
  return { format: 'webp', width, height, animated, orientation: 1 };
}

/** What the first bytes of an upload say: enough to refuse it before the rest of it is read. */
export type DeclaredImage =
  | { readonly kind: 'image'; readonly format: ImageFormat; readonly width: number; readonly height: number }
  | { readonly kind: 'not-an-image'; readonly detected: string }
  | { readonly kind: 'unknown-yet' };

const JPEG_SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/**
 * The type and declared dimensions from the start of a file (the first chunks of an upload), without needing the
 * rest: PNG's IHDR, JPEG's frame header (after any EXIF), WebP's VP8/VP8L/VP8X header. "unknown-yet" when the
 * bytes so far do not say. Only a first look: inspectImage still checks the whole file.
 */
export function declaredImage(prefix: Uint8Array): DeclaredImage {
  const b = Buffer.from(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  const unknown: DeclaredImage = { kind: 'unknown-yet' };
  if (b.length < 12) return unknown;
  if (b.subarray(0, 8).equals(PNG_SIGNATURE)) {
    if (b.length < 24) return unknown;
    return { kind: 'image', format: 'png', width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
  }
  if (b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) {
    let off = 2;
    while (off + 4 <= b.length) {
      if (b[off] !== 0xff) return unknown; // damaged: the full check will say how
      const marker = b[off + 1] as number;
      if (marker === 0xff) {
        off += 1; // fill byte
        continue;
      }
      if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
        off += 2;
        continue;
      }
      const len = b.readUInt16BE(off + 2);
      if (JPEG_SOF.has(marker)) {
        if (off + 9 > b.length) return unknown;
        return { kind: 'image', format: 'jpeg', height: b.readUInt16BE(off + 5), width: b.readUInt16BE(off + 7) };
      }
      if (marker === 0xda || len < 2) return unknown;
      off += 2 + len;
    }
    return unknown;
  }
  if (b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') {
    if (b.length < 30) return unknown;
    const chunk = b.toString('latin1', 12, 16);
    if (chunk === 'VP8X')
      return { kind: 'image', format: 'webp', width: b.readUIntLE(24, 3) + 1, height: b.readUIntLE(27, 3) + 1 };
    if (chunk === 'VP8L') {
      const bits = b.readUInt32LE(21);
      return { kind: 'image', format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
    }
    if (chunk === 'VP8 ')
      return { kind: 'image', format: 'webp', width: b.readUInt16LE(26) & 0x3fff, height: b.readUInt16LE(28) & 0x3fff };
    return unknown;
  }
  return { kind: 'not-an-image', detected: sniffOther(b) };
}

import { type Frame, type PixelFormat, framebufferSize, pixelValue, type Rgb, rowBytes, valueToRgb } from './frame.ts';

/**
 * Packs canvas RGBA into the panel's framebuffer bytes. Skylt quantises itself (no dithering: on a
 * 10 mm pitch LED panel dithered edges read as noise at distance; a hard threshold keeps glyphs crisp).
 * One loop per format: this runs for every page, and a per-pixel switch costs as much as drawing the page.
 */
export function packRgba(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number, format: PixelFormat): Frame {
  // One element kind for every caller keeps the loops monomorphic (a mix of Uint8ClampedArray and
  // Uint8Array makes V8 run them several times slower).
  const src = new Uint8Array(rgba.buffer, rgba.byteOffset, width * height * 4);
  const bytes = new Uint8Array(framebufferSize(width, height, format));
  switch (format) {
    case 'rgb888':
      packRgb888(src, bytes, width * height);
      break;
    case 'rgb565':
      packRgb565(src, bytes, width * height);
      break;
    case 'gray4':
      packGray4(src, bytes, width, height, rowBytes(width, format));
      break;
    case 'mono':
      packMono(src, bytes, width, height, rowBytes(width, format));
      break;
  }
  return { width, height, format, bytes };
}

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function packRgb888(src: Uint8Array, out: Uint8Array, pixels: number): void {
  let p = 0;
  if (LITTLE_ENDIAN && src.byteOffset % 4 === 0) {
    // Four RGBA pixels (four u32 reads) become three u32 writes of RGB: about twice as fast as bytes.
    const s32 = new Uint32Array(src.buffer, src.byteOffset, pixels);
    const o32 = new Uint32Array(out.buffer, out.byteOffset, Math.floor((pixels * 3) / 4));
    const whole = pixels - (pixels % 4);
    for (let q = 0; p < whole; p += 4, q += 3) {
      const p0 = (s32[p] as number) & 0xffffff;
      const p1 = (s32[p + 1] as number) & 0xffffff;
      const p2 = (s32[p + 2] as number) & 0xffffff;
      const p3 = (s32[p + 3] as number) & 0xffffff;
      o32[q] = p0 | (p1 << 24);
      o32[q + 1] = (p1 >>> 8) | (p2 << 16);
      o32[q + 2] = (p2 >>> 16) | (p3 << 8);
    }
  }
  for (let i = p * 4, o = p * 3; p < pixels; p++, i += 4, o += 3) {
    out[o] = src[i] as number;
    out[o + 1] = src[i + 1] as number;
    out[o + 2] = src[i + 2] as number;
  }
}

function packRgb565(src: Uint8Array, out: Uint8Array, pixels: number): void {
  if (LITTLE_ENDIAN && src.byteOffset % 4 === 0) {
    const s32 = new Uint32Array(src.buffer, src.byteOffset, pixels);
    const o16 = new Uint16Array(out.buffer, out.byteOffset, pixels);
    for (let p = 0; p < pixels; p++) {
      const v = s32[p] as number;
      o16[p] = ((v & 0xf8) << 8) | ((v >> 5) & 0x07e0) | ((v >> 19) & 0x1f);
    }
    return;
  }
  for (let p = 0, i = 0, o = 0; p < pixels; p++, i += 4, o += 2) {
    const v = (((src[i] as number) >> 3) << 11) | (((src[i + 1] as number) >> 2) << 5) | ((src[i + 2] as number) >> 3);
    out[o] = v & 0xff;
    out[o + 1] = v >> 8;
  }
}

function packGray4(src: Uint8Array, out: Uint8Array, width: number, height: number, stride: number): void {
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    let i = y * width * 4;
    for (let x = 0; x < width; x++, i += 4) {
      const level = grayLevel(src[i] as number, src[i + 1] as number, src[i + 2] as number);
      const o = row + (x >> 1);
      out[o] = (out[o] as number) | (x & 1 ? level : level << 4);
    }
  }
}

function packMono(src: Uint8Array, out: Uint8Array, width: number, height: number, stride: number): void {
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    let i = y * width * 4;
    for (let x = 0; x < width; x++, i += 4) {
      if (lit(src[i] as number, src[i + 1] as number, src[i + 2] as number)) {
        const o = row + (x >> 3);
        out[o] = (out[o] as number) | (0x80 >> (x & 7));
      }
    }
  }
}

/** ITU-R BT.601 luma, rounded to 16 levels. */
function grayLevel(r: number, g: number, b: number): number {
  return Math.round((0.299 * r + 0.587 * g + 0.114 * b) / 17);
}

/** A mono LED is lit where the luma is at least half scale. */
function lit(r: number, g: number, b: number): boolean {
  return 0.299 * r + 0.587 * g + 0.114 * b >= 128;
}

/** The colour a sign of `format` shows for `rgb`: the same quantisation as packRgba, pixel for pixel. */
export function quantiseColour(rgb: Rgb, format: PixelFormat, monoColour: Rgb = [255, 176, 0]): Rgb {
  const frame = packRgba(new Uint8Array([rgb[0], rgb[1], rgb[2], 255]), 1, 1, format);
  return valueToRgb(pixelValue(frame, 0, 0), format, monoColour);
}

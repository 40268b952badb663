import { crc32 } from 'node:zlib';

/** Pixel formats a sign panel can take; the codes are the bridge protocol's (PROTOCOL.md section 4). */
export const PIXEL_FORMATS = ['rgb888', 'rgb565', 'gray4', 'mono'] as const;
export type PixelFormat = (typeof PIXEL_FORMATS)[number];

export const PIXEL_FORMAT_CODE: Record<PixelFormat, number> = { rgb888: 1, rgb565: 2, gray4: 3, mono: 4 };

export function pixelFormatFromCode(code: number): PixelFormat | null {
  return PIXEL_FORMATS.find((f) => PIXEL_FORMAT_CODE[f] === code) ?? null;
}

/** An RGB colour, each channel 0..255. */
export type Rgb = readonly [number, number, number];

/**
 * A frame exactly as the sign stores it: framebuffer bytes in the panel's pixel format.
 * Everything downstream (bridge upload, CRC-32, preview PNG) works from these bytes, so a preview
 * can never differ from what the sign shows.
 */
export interface Frame {
  readonly width: number;
  readonly height: number;
  readonly format: PixelFormat;
  readonly bytes: Uint8Array;
}

/** Bytes per row of a framebuffer; gray4 and mono rows are padded to a whole byte. */
export function rowBytes(width: number, format: PixelFormat): number {
  switch (format) {
    case 'rgb888':
      return width * 3;
    case 'rgb565':
      return width * 2;
    case 'gray4':
      return Math.ceil(width / 2);
    case 'mono':
      return Math.ceil(width / 8);
  }
}

export function framebufferSize(width: number, height: number, format: PixelFormat): number {
  return rowBytes(width, format) * height;
}

/** CRC-32/ISO-HDLC of the framebuffer bytes: the identity of a frame on both sides of the link. */
export function frameCrc32(frame: Frame): number {
  return crc32(frame.bytes) >>> 0;
}

/** Value of pixel (x, y) in the format's own value space (rgb888 0xRRGGBB, rgb565 u16, gray4 0..15, mono 0/1). */
export function pixelValue(frame: Frame, x: number, y: number): number {
  const { bytes, width, format } = frame;
  const row = y * rowBytes(width, format);
  switch (format) {
    case 'rgb888': {
      const i = row + x * 3;
      return ((bytes[i] ?? 0) << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    }
    case 'rgb565': {
      const i = row + x * 2;
      return (bytes[i] ?? 0) | ((bytes[i + 1] ?? 0) << 8);
    }
    case 'gray4': {
      const b = bytes[row + (x >> 1)] ?? 0;
      return x & 1 ? b & 0x0f : b >> 4;
    }
    case 'mono': {
      const b = bytes[row + (x >> 3)] ?? 0;
      return (b >> (7 - (x & 7))) & 1;
    }
  }
}

/** Writes a pixel value (as returned by pixelValue) into a framebuffer. */
export function setPixelValue(
  bytes: Uint8Array,
  width: number,
  format: PixelFormat,
  x: number,
  y: number,
  value: number,
): void {
  const row = y * rowBytes(width, format);
  switch (format) {
    case 'rgb888': {
      const i = row + x * 3;
      bytes[i] = (value >> 16) & 0xff;
      bytes[i + 1] = (value >> 8) & 0xff;
      bytes[i + 2] = value & 0xff;
      return;
    }
    case 'rgb565': {
      const i = row + x * 2;
      bytes[i] = value & 0xff;
      bytes[i + 1] = (value >> 8) & 0xff;
      return;
    }
    case 'gray4': {
      const i = row + (x >> 1);
      const b = bytes[i] ?? 0;
      bytes[i] = x & 1 ? (b & 0xf0) | (value & 0x0f) : (b & 0x0f) | ((value & 0x0f) << 4);
      return;
    }
    case 'mono': {
      const i = row + (x >> 3);
      const bit = 0x80 >> (x & 7);
      bytes[i] = value ? (bytes[i] ?? 0) | bit : (bytes[i] ?? 0) & ~bit;
      return;
    }
  }
}

/** Converts a format value to the RGB a viewer sees; `monoColour` is the lit colour of a mono panel. */
export function valueToRgb(value: number, format: PixelFormat, monoColour: Rgb): Rgb {
  switch (format) {
    case 'rgb888':
      return [(value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff];
    case 'rgb565': {
      const r = (value >> 11) & 0x1f;
      const g = (value >> 5) & 0x3f;
      const b = value & 0x1f;
      return [(r << 3) | (r >> 2), (g << 2) | (g >> 4), (b << 3) | (b >> 2)];
    }
    case 'gray4':
      return [value * 17, value * 17, value * 17];
    case 'mono':
      return value ? monoColour : [0, 0, 0];
  }
}

/** RGBA pixels (for PNG previews) made from the exact framebuffer bytes. */
export function frameToRgba(frame: Frame, monoColour: Rgb = [255, 176, 0]): Uint8ClampedArray {
  const out = new Uint8ClampedArray(frame.width * frame.height * 4);
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      const [r, g, b] = valueToRgb(pixelValue(frame, x, y), frame.format, monoColour);
      const o = (y * frame.width + x) * 4;
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      out[o + 3] = 255;
    }
  }
  return out;
}

/** A frame of one colour value (black is 0 in every format). */
export function solidFrame(width: number, height: number, format: PixelFormat, value = 0): Frame {
  const bytes = new Uint8Array(framebufferSize(width, height, format));
  if (value !== 0)
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) setPixelValue(bytes, width, format, x, y, value);
  return { width, height, format, bytes };
}

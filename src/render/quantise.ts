import { type Frame, type PixelFormat, framebufferSize, rowBytes } from './frame.ts';

/**
 * Packs canvas RGBA into the panel's framebuffer bytes. Skylt quantises itself (no dithering: on a
 * 10 mm pitch LED panel dithered edges read as noise at distance; a hard threshold keeps glyphs crisp).
 */
export function packRgba(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number, format: PixelFormat): Frame {
  const bytes = new Uint8Array(framebufferSize(width, height, format));
  const stride = rowBytes(width, format);
  for (let y = 0; y < height; y++) {
    const row = y * stride;
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const r = rgba[i] ?? 0;
      const g = rgba[i + 1] ?? 0;
      const b = rgba[i + 2] ?? 0;
      switch (format) {
        case 'rgb888': {
          const o = row + x * 3;
          bytes[o] = r;
          bytes[o + 1] = g;
          bytes[o + 2] = b;
          break;
        }
        case 'rgb565': {
          const v = ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3);
          const o = row + x * 2;
          bytes[o] = v & 0xff;
          bytes[o + 1] = v >> 8;
          break;
        }
        case 'gray4': {
          // ITU-R BT.601 luma, rounded to 16 levels.
          const level = Math.round((0.299 * r + 0.587 * g + 0.114 * b) / 17);
          const o = row + (x >> 1);
          bytes[o] = (bytes[o] ?? 0) | (x & 1 ? level : level << 4);
          break;
        }
        case 'mono': {
          if (0.299 * r + 0.587 * g + 0.114 * b >= 128) {
            const o = row + (x >> 3);
            bytes[o] = (bytes[o] ?? 0) | (0x80 >> (x & 7));
          }
          break;
        }
      }
    }
  }
  return { width, height, format, bytes };
}

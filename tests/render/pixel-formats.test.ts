import { loadImage } from '@napi-rs/canvas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  framebufferSize,
  frameToRgba,
  PIXEL_FORMATS,
  type PixelFormat,
  pixelValue,
  setPixelValue,
  valueToRgb,
} from '../../src/render/frame.ts';
import { framePng } from '../../src/render/frame-png.ts';
import { packRgba, quantiseColour, rgb888Packer } from '../../src/render/quantise.ts';

/** The spec's packing (PROTOCOL.md section 4), pixel by pixel: what the fast loops must agree with. */
function referencePack(rgba: Uint8Array, width: number, height: number, format: PixelFormat): Uint8Array {
  const bytes = new Uint8Array(framebufferSize(width, height, format));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const [r, g, b] = [rgba[i] ?? 0, rgba[i + 1] ?? 0, rgba[i + 2] ?? 0];
      const luma = 0.299 * r + 0.587 * g + 0.114 * b;
      const value =
        format === 'rgb888'
          ? (r << 16) | (g << 8) | b
          : format === 'rgb565'
            ? ((r >> 3) << 11) | ((g >> 2) << 5) | (b >> 3)
            : format === 'gray4'
              ? Math.round(luma / 17)
              : luma >= 128
                ? 1
                : 0;
      setPixelValue(bytes, width, format, x, y, value);
    }
  }
  return bytes;
}

const image = fc
  .record({
    width: fc.integer({ min: 1, max: 37 }),
    height: fc.integer({ min: 1, max: 9 }),
    offset: fc.integer({ min: 0, max: 3 }),
  })
  .chain(({ width, height, offset }) =>
    fc
      .uint8Array({ minLength: width * height * 4, maxLength: width * height * 4 })
      .map((px) => ({ width, height, offset, px })),
  );

describe('pixel formats', () => {
  for (const format of PIXEL_FORMATS) {
    it(`${format}: packing matches the protocol's definition for any size and buffer alignment`, () => {
      fc.assert(
        fc.property(image, ({ width, height, offset, px }) => {
          // An unaligned view exercises the byte-wise path, an aligned one the word-wise path.
          const backing = new Uint8Array(px.length + offset);
          backing.set(px, offset);
          const view = backing.subarray(offset);
          const frame = packRgba(view, width, height, format);
          expect(frame.bytes.length).toBe(framebufferSize(width, height, format));
          expect(Buffer.from(frame.bytes).equals(Buffer.from(referencePack(px, width, height, format)))).toBe(true);
        }),
        { numRuns: 60 },
      );
    });

    it(`${format}: round trip — colours the format can hold come back exactly`, () => {
      const width = 13;
      const height = 3;
      const rgba = new Uint8Array(width * height * 4);
      const colours = [
        [0, 0, 0],
        [255, 255, 255],
        [255, 196, 92],
        [0, 170, 180],
        [17, 34, 51],
      ] as const;
      for (let p = 0; p < width * height; p++) {
        const c = colours[p % colours.length] ?? colours[0];
        rgba.set([c[0], c[1], c[2], 255], p * 4);
      }
      const frame = packRgba(rgba, width, height, format);
      const shown = frameToRgba(frame);
      // Packing what the sign shows gives the same bytes again: quantisation is idempotent.
      expect(Buffer.from(packRgba(shown, width, height, format).bytes).equals(Buffer.from(frame.bytes))).toBe(true);
      for (let p = 0; p < width * height; p++) {
        const c = colours[p % colours.length] ?? colours[0];
        const expected = quantiseColour(c, format);
        expect([shown[p * 4], shown[p * 4 + 1], shown[p * 4 + 2], shown[p * 4 + 3]]).toEqual([...expected, 255]);
        expect(valueToRgb(pixelValue(frame, p % width, Math.floor(p / width)), format, [255, 176, 0])).toEqual(
          expected,
        );
      }
    });

    it(`${format}: the preview PNG holds exactly the framebuffer's pixels`, async () => {
      const width = 21;
      const height = 5;
      const rgba = new Uint8Array(width * height * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * 37) & 0xff));
      const frame = packRgba(rgba, width, height, format);
      const png = framePng(frame, [255, 176, 0]);
      const decoded = await loadImage(png);
      const { createCanvas } = await import('@napi-rs/canvas');
      const ctx = createCanvas(width, height).getContext('2d');
      ctx.drawImage(decoded, 0, 0);
      expect(
        Buffer.from(ctx.getImageData(0, 0, width, height).data).equals(Buffer.from(frameToRgba(frame, [255, 176, 0]))),
      ).toBe(true);
    });
  }

  it('packs rgb888 with WebAssembly SIMD on this Node', () => {
    expect(rgb888Packer()).toBe('simd');
  });

  it('mono shows the sign colour for lit pixels, black for unlit', () => {
    expect(quantiseColour([255, 255, 255], 'mono', [255, 176, 0])).toEqual([255, 176, 0]);
    expect(quantiseColour([40, 40, 40], 'mono', [255, 176, 0])).toEqual([0, 0, 0]);
    expect(quantiseColour([255, 255, 255], 'mono', [255, 0, 0])).toEqual([255, 0, 0]);
  });

  it('gray4 keeps 16 levels and rgb565 5-6-5 bits', () => {
    expect(quantiseColour([255, 255, 255], 'gray4')).toEqual([255, 255, 255]);
    expect(quantiseColour([128, 128, 128], 'gray4')).toEqual([136, 136, 136]);
    expect(quantiseColour([255, 196, 92], 'rgb565')).toEqual([255, 199, 90]);
  });
});

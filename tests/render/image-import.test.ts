import { crc32 } from 'node:zlib';
import { createCanvas } from '@napi-rs/canvas';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ImageAnimatedError,
  ImageCorruptError,
  ImageDimensionsError,
  ImageImportError,
  ImageTooLargeError,
  ImageTruncatedError,
  ImageTypeError,
  importImage,
} from '../../src/render/image-import.ts';

function picture(width: number, height: number) {
  const canvas = createCanvas(width, height);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#203040';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#f0c040';
  ctx.fillRect(0, 0, Math.ceil(width / 3), height);
  return canvas;
}

const png = (w = 60, h = 30) => picture(w, h).encodeSync('png');
const jpeg = (w = 60, h = 30) => picture(w, h).encodeSync('jpeg', 90);
const webp = (w = 60, h = 30) => picture(w, h).encodeSync('webp', 90);

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0);
  return Buffer.concat([head, data, crc]);
}

/** A valid, tiny PNG whose IHDR claims `width` x `height`: decoding it would need width*height*4 bytes. */
function pngClaiming(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 6, 0, 0, 0], 8);
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([
    signature,
    chunk('IHDR', ihdr),
    chunk('IDAT', Buffer.from([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01])),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A real JPEG with its frame header rewritten to claim other dimensions. */
function jpegClaiming(width: number, height: number): Buffer {
  const j = Buffer.from(jpeg());
  for (let i = 2; i < j.length - 9; i++) {
    if (j[i] === 0xff && (j[i + 1] === 0xc0 || j[i + 1] === 0xc2)) {
      j.writeUInt16BE(height, i + 5);
      j.writeUInt16BE(width, i + 7);
      return j;
    }
  }
  throw new Error('no SOF in test JPEG');
}

/** An extended WebP header (VP8X) claiming a 16384 x 16384 canvas. */
function webpClaiming(width: number, height: number): Buffer {
  const inner = Buffer.from(webp()).subarray(12);
  const vp8x = Buffer.alloc(18);
  vp8x.write('VP8X', 0, 'latin1');
  vp8x.writeUInt32LE(10, 4);
  vp8x.writeUIntLE(width - 1, 12, 3);
  vp8x.writeUIntLE(height - 1, 15, 3);
  const body = Buffer.concat([Buffer.from('WEBP', 'latin1'), vp8x, inner.subarray(0, 0), stripVp8x(inner)]);
  const head = Buffer.alloc(8);
  head.write('RIFF', 0, 'latin1');
  head.writeUInt32LE(body.length, 4);
  return Buffer.concat([head, body]);
}

function stripVp8x(chunks: Buffer): Buffer {
  return chunks.toString('latin1', 0, 4) === 'VP8X' ? chunks.subarray(8 + chunks.readUInt32LE(4)) : chunks;
}

async function failure(p: Promise<unknown>): Promise<ImageImportError> {
  try {
    await p;
  } catch (e: unknown) {
    if (e instanceof ImageImportError) return e;
    throw new Error(`expected an ImageImportError, got ${String(e)}`);
  }
  throw new Error('expected the import to fail');
}

describe('importImage', () => {
  it.each([
    ['PNG', png],
    ['JPEG', jpeg],
    ['WebP', webp],
  ])('imports a %s', async (_name, make) => {
    const img = await importImage(make(60, 30));
    expect([img.width, img.height, img.sourceWidth, img.sourceHeight]).toEqual([60, 30, 60, 30]);
    expect(img.toPng().subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('scales big pictures down to the stored size, keeping the aspect ratio', async () => {
    const img = await importImage(png(2000, 1000), { storeMaxSidePx: 500 });
    expect([img.width, img.height]).toEqual([500, 250]);
    expect(img.sourceWidth).toBe(2000);
  });

  it('turns a phone photo upright from its EXIF orientation', async () => {
    const j = jpeg(60, 30);
    const tiff = Buffer.alloc(26);
    tiff.write('MM', 0, 'latin1');
    tiff.writeUInt16BE(42, 2);
    tiff.writeUInt32BE(8, 4);
    tiff.writeUInt16BE(1, 8);
    tiff.writeUInt16BE(0x0112, 10);
    tiff.writeUInt16BE(3, 12);
    tiff.writeUInt32BE(1, 14);
    tiff.writeUInt16BE(6, 18); // rotate 90° clockwise to display
    const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
    const app1 = Buffer.from([0xff, 0xe1, 0, 0]);
    app1.writeUInt16BE(payload.length + 2, 2);
    const img = await importImage(Buffer.concat([j.subarray(0, 2), app1, payload, j.subarray(2)]));
    expect([img.width, img.height]).toEqual([30, 60]);
    // The yellow left third of the stored picture is now the top third.
    const px = img.canvas.getContext('2d').getImageData(15, 2, 1, 1).data;
    expect(px[0]).toBeGreaterThan(200);
  });

  describe('hostile and broken files', () => {
    it('refuses a decompression bomb: a tiny PNG claiming 100000 x 100000, before decoding it', async () => {
      const bomb = pngClaiming(100_000, 100_000);
      expect(bomb.length).toBeLessThan(100);
      const e = await failure(importImage(bomb));
      expect(e).toBeInstanceOf(ImageDimensionsError);
      expect(e.code).toBe('image-too-many-pixels');
      expect(e.message).toContain('100000x100000');
      expect(e.message).toContain('scale it down');
      expect(e.messageSv).toContain('förminska');
    });

    it('refuses a JPEG and a WebP that claim huge dimensions', async () => {
      expect(await failure(importImage(jpegClaiming(60_000, 60_000)))).toBeInstanceOf(ImageDimensionsError);
      expect(await failure(importImage(webpClaiming(16_384, 16_384)))).toBeInstanceOf(ImageDimensionsError);
    });

    it('refuses pictures over the pixel limit even when each side is allowed', async () => {
      const e = await failure(importImage(pngClaiming(10_000, 10_000)));
      expect(e).toBeInstanceOf(ImageDimensionsError);
    });

    it('refuses a truncated JPEG', async () => {
      const j = jpeg(200, 100);
      const e = await failure(importImage(j.subarray(0, Math.floor(j.length / 2))));
      expect(e).toBeInstanceOf(ImageTruncatedError);
      expect(e.message).toMatch(/incomplete.*upload the original file again/);
    });

    it('refuses a truncated PNG (Skia would draw it half transparent without a word)', async () => {
      const p = png(200, 100);
      expect(await failure(importImage(p.subarray(0, p.length - 20)))).toBeInstanceOf(ImageTruncatedError);
    });

    it('refuses a truncated WebP', async () => {
      const w = webp(200, 100);
      expect(await failure(importImage(w.subarray(0, w.length - 10)))).toBeInstanceOf(ImageTruncatedError);
    });

    it('refuses a text file named .png, saying what it is', async () => {
      const e = await failure(importImage(Buffer.from('Välkommen till Vara!\nThis is not a picture.\n')));
      expect(e).toBeInstanceOf(ImageTypeError);
      expect(e.kind).toBe('unsupportedType');
      expect(e.message).toContain('text, not an image');
      expect(e.message).toContain('PNG or JPEG');
    });

    it('names other formats it does not take', async () => {
      expect((await failure(importImage(Buffer.from('GIF89a\x01\x00\x01\x00', 'latin1')))).message).toContain('GIF');
      expect((await failure(importImage(Buffer.from('\0\0\0\x18ftypheic\0\0\0\0', 'latin1')))).message).toContain(
        'HEIC',
      );
      expect((await failure(importImage(Buffer.alloc(0)))).message).toContain('empty');
    });

    it('refuses a file over the size limit before looking at it', async () => {
      const huge = Buffer.alloc(10 * 1024 * 1024 + 1, 0xff);
      const e = await failure(importImage(huge));
      expect(e).toBeInstanceOf(ImageTooLargeError);
      expect(e.kind).toBe('tooLarge');
      expect(e.message).toMatch(/10 MB/);
      expect(await failure(importImage(png(), { maxBytes: 100 }))).toBeInstanceOf(ImageTooLargeError);
    });

    it('refuses a PNG with a damaged chunk', async () => {
      const p = Buffer.from(png());
      p[40] = (p[40] ?? 0) ^ 0xff;
      expect(await failure(importImage(p))).toBeInstanceOf(ImageCorruptError);
    });

    it('refuses animated PNGs: the signs show still pictures', async () => {
      const p = png();
      const actl = chunk('acTL', Buffer.from([0, 0, 0, 2, 0, 0, 0, 0]));
      const e = await failure(importImage(Buffer.concat([p.subarray(0, 33), actl, p.subarray(33)])));
      expect(e).toBeInstanceOf(ImageAnimatedError);
    });

    it('never throws anything but an ImageImportError, whatever the bytes (fuzzed)', async () => {
      const seeds = [png(40, 20), jpeg(40, 20), webp(40, 20)];
      await fc.assert(
        fc.asyncProperty(
          fc.integer({ min: 0, max: 2 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
          fc.option(fc.nat(), { nil: undefined }),
          async (which, flips, cut) => {
            const bytes = Buffer.from(seeds[which] ?? png());
            for (const [at, value] of flips) bytes[at % bytes.length] = value;
            const input = cut === undefined ? bytes : bytes.subarray(0, cut % bytes.length);
            try {
              const img = await importImage(input);
              expect(img.width).toBeGreaterThan(0);
            } catch (e: unknown) {
              expect(e).toBeInstanceOf(ImageImportError);
            }
          },
        ),
        { numRuns: 150 },
      );
    });
  });
});

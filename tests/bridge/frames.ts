import { type Frame, frameCrc32, setPixelValue, solidFrame } from '../../src/render/frame.ts';
import { mulberry32 } from './emulator.ts';

/** A page like a rendered text page: dark ground, a few bright bars (few colours, long runs: PRLE pays). */
export function textLikeFrame(width: number, height: number, seed: number): Frame {
  const f = solidFrame(width, height, 'rgb888');
  const rnd = mulberry32(seed);
  const colours = [0xffffff, 0xffb000, 0x40c0ff];
  for (let bar = 0; bar < 6; bar++) {
    const y0 = Math.floor(rnd() * (height - 6));
    const x0 = Math.floor(rnd() * (width / 2));
    const w = 4 + Math.floor(rnd() * (width / 2));
    const colour = colours[bar % colours.length] as number;
    for (let y = y0; y < y0 + 5; y++)
      for (let x = x0; x < Math.min(width, x0 + w); x++) setPixelValue(f.bytes, width, 'rgb888', x, y, colour);
  }
  return f;
}

/** A photo-like page: every pixel its own colour, so PRLE cannot pay and the upload goes raw. */
export function noiseFrame(width: number, height: number, seed: number): Frame {
  const f = solidFrame(width, height, 'rgb888');
  const rnd = mulberry32(seed);
  for (let i = 0; i < f.bytes.length; i++) f.bytes[i] = Math.floor(rnd() * 256);
  return f;
}

export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return (
    a.length === b.length &&
    Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
  );
}

export { frameCrc32 };

import { type Frame, framebufferSize, type PixelFormat, pixelValue, setPixelValue } from '../../render/frame.ts';

/** Slot encodings (PROTOCOL.md section 4). */
export const Encoding = { raw: 0, prle: 1 } as const;

const VALUE_BYTES: Record<PixelFormat, number> = { rgb888: 3, rgb565: 2, gray4: 1, mono: 1 };

/** Appends bytes to a buffer sized for the worst case up front. */
class ByteWriter {
  private readonly buffer: Uint8Array;
  private length = 0;
  constructor(capacity: number) {
    this.buffer = new Uint8Array(capacity);
  }
  push(...bytes: number[]): void {
    for (const b of bytes) this.buffer[this.length++] = b;
  }
  bytes(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

function writeValue(out: ByteWriter, value: number, format: PixelFormat): void {
  if (format === 'rgb888') out.push((value >> 16) & 0xff, (value >> 8) & 0xff, value & 0xff);
  else if (format === 'rgb565') out.push(value & 0xff, value >> 8);
  else out.push(value);
}

/**
 * Palette + run length: simple enough for a microcontroller to decode in one pass with no buffer
 * beyond the slot, and text pages (a few colours, long runs of background) shrink 20x to 100x.
 * Returns null when the frame has more than 256 colours (photos): the caller sends it raw.
 */
export function encodePrle(frame: Frame): Uint8Array | null {
  const { width, height, format } = frame;
  const count = width * height;
  const indices = new Uint8Array(count);
  const palette = new Map<number, number>();
  const bytes = frame.bytes;
  // Runs are long on a sign page: look a value up only when it differs from the pixel before.
  let prev = -1;
  let prevIdx = 0;
  let p = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v =
        format === 'rgb888'
          ? ((bytes[p * 3] as number) << 16) | ((bytes[p * 3 + 1] as number) << 8) | (bytes[p * 3 + 2] as number)
          : pixelValue(frame, x, y);
      if (v !== prev) {
        let idx = palette.get(v);
        if (idx === undefined) {
          if (palette.size === 256) return null;
          idx = palette.size;
          palette.set(v, idx);
        }
        prev = v;
        prevIdx = idx;
      }
      indices[p++] = prevIdx;
    }
  }
  // A typed buffer, not number[]: a page's runs are thousands of bytes and push() on an array is the slow part.
  const out = new ByteWriter(1 + palette.size * VALUE_BYTES[format] + count * 2);
  out.push(palette.size - 1);
  for (const value of palette.keys()) writeValue(out, value, format);

  let i = 0;
  let literalStart = -1;
  const flushLiteral = (end: number) => {
    while (literalStart >= 0 && literalStart < end) {
      const n = Math.min(128, end - literalStart);
      out.push(n - 1);
      for (let k = 0; k < n; k++) out.push(indices[literalStart + k] as number);
      literalStart += n;
    }
    literalStart = -1;
  };
  while (i < count) {
    const v = indices[i] as number;
    let run = 1;
    while (i + run < count && indices[i + run] === v && run < 65535) run++;
    // A run of 3 or more pays for its two control bytes; shorter ones ride in a literal.
    if (run >= 3) {
      flushLiteral(i);
      if (run <= 127) out.push(0x7f + run, v);
      else out.push(0xff, run & 0xff, run >> 8, v);
      i += run;
    } else {
      if (literalStart < 0) literalStart = i;
      i += run;
    }
  }
  flushLiteral(count);
  return out.bytes();
}

/** Decodes PRLE into framebuffer bytes; null on any malformed input (the sign refuses the commit). */
export function decodePrle(encoded: Uint8Array, width: number, height: number, format: PixelFormat): Uint8Array | null {
  const vb = VALUE_BYTES[format];
  if (encoded.length < 1) return null;
  const n = (encoded[0] as number) + 1;
  let o = 1;
  if (encoded.length < o + n * vb) return null;
  const palette: number[] = [];
  for (let k = 0; k < n; k++) {
    let v: number;
    if (format === 'rgb888')
      v = ((encoded[o] as number) << 16) | ((encoded[o + 1] as number) << 8) | (encoded[o + 2] as number);
    else if (format === 'rgb565') v = (encoded[o] as number) | ((encoded[o + 1] as number) << 8);
    else v = encoded[o] as number;
    if ((format === 'gray4' && v > 15) || (format === 'mono' && v > 1)) return null;
    palette.push(v);
    o += vb;
  }
  const bytes = new Uint8Array(framebufferSize(width, height, format));
  const total = width * height;
  let p = 0;
  const put = (idx: number): boolean => {
    const v = palette[idx];
    if (v === undefined || p >= total) return false;
    setPixelValue(bytes, width, format, p % width, Math.floor(p / width), v);
    p++;
    return true;
  };
  while (p < total) {
    if (o >= encoded.length) return null;
    const c = encoded[o++] as number;
    if (c <= 0x7f) {
      const n2 = c + 1;
      if (o + n2 > encoded.length) return null;
      for (let k = 0; k < n2; k++) if (!put(encoded[o++] as number)) return null;
    } else {
      let run: number;
      if (c === 0xff) {
        if (o + 2 > encoded.length) return null;
        run = (encoded[o] as number) | ((encoded[o + 1] as number) << 8);
        o += 2;
        if (run === 0) return null;
      } else run = c - 0x7f;
      if (o >= encoded.length) return null;
      const idx = encoded[o++] as number;
      if (idx >= n || p + run > total) return null;
      for (let k = 0; k < run; k++) put(idx);
    }
  }
  if (o !== encoded.length) return null;
  return bytes;
}

/** What goes into a slot: PRLE where it pays, raw otherwise. */
export function encodeForSlot(frame: Frame): { encoding: number; data: Uint8Array } {
  const prle = encodePrle(frame);
  if (prle && prle.length < frame.bytes.length) return { encoding: Encoding.prle, data: prle };
  return { encoding: Encoding.raw, data: frame.bytes };
}

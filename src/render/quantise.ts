import { type Frame, framebufferSize, type PixelFormat, pixelValue, type Rgb, rowBytes, valueToRgb } from './frame.ts';

/**
 * Packs canvas RGBA into the panel's framebuffer bytes. Skylt quantises itself (no dithering: on a
 * 10 mm pitch LED panel dithered edges read as noise at distance; a hard threshold keeps glyphs crisp).
 * One loop per format: this runs for every page, and a per-pixel switch costs as much as drawing the page.
 */
export function packRgba(
  rgba: Uint8ClampedArray | Uint8Array,
  width: number,
  height: number,
  format: PixelFormat,
): Frame {
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
  const simd = rgb888Simd();
  if (simd && pixels >= 4) {
    p = pixels - (pixels % 4);
    simd(src, out, p / 4);
  } else if (LITTLE_ENDIAN && src.byteOffset % 4 === 0) {
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

/**
 * RGBA -> RGB with one WebAssembly SIMD shuffle per four pixels: the per-page pack drops from ~65 us to
 * ~25 us for 384x192, which is what keeps a page's cost near a bare canvas read-back. The module is 112
 * hand-assembled bytes (below); where WebAssembly SIMD is missing the plain loops above do the same work.
 *
 *   (func (export "rgb888") (param $src i32) (param $dst i32) (param $groups i32)
 *     (loop (v128.store (local.get $dst) (i8x16.shuffle 0 1 2 4 5 6 8 9 10 12 13 14 0 0 0 0
 *                                          (v128.load (local.get $src)) (v128.load (local.get $src))))
 *           (local.set $src (i32.add (local.get $src) (i32.const 16)))
 *           (local.set $dst (i32.add (local.get $dst) (i32.const 12)))
 *           (br_if 0 (local.tee $groups (i32.sub (local.get $groups) (i32.const 1))))))
 */
// biome-ignore format: one line per section of the module
const RGB888_WASM = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
  0x01, 0x07, 0x01, 0x60, 0x03, 0x7f, 0x7f, 0x7f, 0x00, // type: (i32 i32 i32) -> ()
  0x03, 0x02, 0x01, 0x00, // function 0 has type 0
  0x05, 0x03, 0x01, 0x00, 0x01, // one memory, 1 page, growable
  0x07, 0x10, 0x02, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, 0x06, 0x72, 0x67, 0x62, 0x38, 0x38, 0x38, 0x00, 0x00, // exports
  0x0a, 0x42, 0x01, 0x40, 0x00, // code: one body of 64 bytes, no locals
  0x03, 0x40, // loop
  0x20, 0x01, 0x20, 0x00, 0xfd, 0x00, 0x00, 0x00, 0x20, 0x00, 0xfd, 0x00, 0x00, 0x00, // dst, load src, load src
  0xfd, 0x0d, 0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x08, 0x09, 0x0a, 0x0c, 0x0d, 0x0e, 0x00, 0x00, 0x00, 0x00, // shuffle
  0xfd, 0x0b, 0x00, 0x00, // v128.store
  0x20, 0x00, 0x41, 0x10, 0x6a, 0x21, 0x00, // src += 16
  0x20, 0x01, 0x41, 0x0c, 0x6a, 0x21, 0x01, // dst += 12
  0x20, 0x02, 0x41, 0x01, 0x6b, 0x22, 0x02, 0x0d, 0x00, // br_if (--groups)
  0x0b, 0x0b, // end loop, end function
]);

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, unknown> };
}

type Rgb888Simd = (src: Uint8Array, out: Uint8Array, groups: number) => void;
let simdPack: Rgb888Simd | null | undefined;

function rgb888Simd(): Rgb888Simd | null {
  if (simdPack !== undefined) return simdPack;
  try {
    // tsconfig carries no DOM lib, so WebAssembly is typed here by the little that is used.
    const wasm = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
    if (!wasm) throw new Error('no WebAssembly');
    const instance = new wasm.Instance(new wasm.Module(RGB888_WASM), {});
    const memory = instance.exports.mem as { readonly buffer: ArrayBuffer; grow(pages: number): number };
    const run = instance.exports.rgb888 as (src: number, dst: number, groups: number) => void;
    simdPack = (src, out, groups) => {
      const inBytes = groups * 16;
      // The last 16-byte store runs 4 bytes past the output: keep 16 spare bytes.
      const needed = inBytes + groups * 12 + 16;
      if (memory.buffer.byteLength < needed) memory.grow(Math.ceil((needed - memory.buffer.byteLength) / 65536));
      new Uint8Array(memory.buffer, 0, inBytes).set(src.subarray(0, inBytes));
      run(0, inBytes, groups);
      out.set(new Uint8Array(memory.buffer, inBytes, groups * 12));
    };
  } catch {
    simdPack = null;
  }
  return simdPack;
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
  const key = `${format}|${rgb.join(',')}|${monoColour.join(',')}`;
  const hit = colourCache.get(key);
  if (hit) return hit;
  const shown = computeQuantisedColour(rgb, format, monoColour);
  if (colourCache.size > 4096) colourCache.clear();
  colourCache.set(key, shown);
  return shown;
}

const colourCache = new Map<string, Rgb>();

function computeQuantisedColour(rgb: Rgb, format: PixelFormat, monoColour: Rgb): Rgb {
  const frame = packRgba(new Uint8Array([rgb[0], rgb[1], rgb[2], 255]), 1, 1, format);
  return valueToRgb(pixelValue(frame, 0, 0), format, monoColour);
}

/** Which rgb888 packer runs here: WebAssembly SIMD, or the plain loops where that is missing. */
export function rgb888Packer(): 'simd' | 'js' {
  return rgb888Simd() ? 'simd' : 'js';
}

/**
 * Keeps at most `max` colours in an opaque RGBA page: the most frequent colours stay, every other
 * pixel (anti-aliased glyph edges) takes the nearest kept colour. The bridge's palette + run length
 * encoding holds 256 colours; a page above that would cross a 115200-baud line raw, 221 KB in 19 s.
 * Used for the crisis page, which must reach the sign within a second. Returns the pixels changed.
 */
export function limitPalette(rgba: Uint8Array | Uint8ClampedArray, max = 256): number {
  const counts = new Map<number, number>();
  let prev = -1;
  let run = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    const v = ((rgba[i] as number) << 16) | ((rgba[i + 1] as number) << 8) | (rgba[i + 2] as number);
    if (v === prev) {
      run++;
      continue;
    }
    if (prev >= 0) counts.set(prev, (counts.get(prev) ?? 0) + run);
    prev = v;
    run = 1;
  }
  if (prev >= 0) counts.set(prev, (counts.get(prev) ?? 0) + run);
  if (counts.size <= max) return 0;
  const keep = [...counts.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, max)
    .map(([v]) => v);
  const kept = new Set(keep);
  const nearest = new Map<number, number>();
  let changed = 0;
  for (let i = 0; i < rgba.length; i += 4) {
    const r = rgba[i] as number;
    const g = rgba[i + 1] as number;
    const b = rgba[i + 2] as number;
    const v = (r << 16) | (g << 8) | b;
    if (kept.has(v)) continue;
    let to = nearest.get(v);
    if (to === undefined) {
      let best = Number.POSITIVE_INFINITY;
      to = 0;
      for (const k of keep) {
        const dr = ((k >> 16) & 0xff) - r;
        const dg = ((k >> 8) & 0xff) - g;
        const db = (k & 0xff) - b;
        const d = dr * dr + dg * dg + db * db;
        if (d < best) {
          best = d;
          to = k;
        }
      }
      nearest.set(v, to);
    }
    rgba[i] = (to >> 16) & 0xff;
    rgba[i + 1] = (to >> 8) & 0xff;
    rgba[i + 2] = to & 0xff;
    changed++;
  }
  return changed;
}

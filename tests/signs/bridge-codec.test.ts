import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import type { PixelFormat } from '../../src/render/frame.ts';
import { decodeFrame, encodeFrame, FrameParser } from '../../src/signs/bridge/bridge-codec.ts';
import { cobsDecode, cobsEncode } from '../../src/signs/bridge/cobs.ts';
import { crc16, crc32 } from '../../src/signs/bridge/crc.ts';
import { type BridgeMessage, decodeMessage, encodeMessage } from '../../src/signs/bridge/messages.ts';
import { decodePrle, encodePrle } from '../../src/signs/bridge/prle.ts';
import { VirtualSign } from '../../src/signs/virtual-sign.ts';

const vectors = JSON.parse(
  readFileSync(new URL('../../firmware-bridge/vectors/vectors.json', import.meta.url), 'utf8'),
);
const bytes = (hex: string) => Uint8Array.from(Buffer.from(hex, 'hex'));
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('shared vectors (firmware-bridge/vectors/vectors.json)', () => {
  it('is not stale', () => {
    execFileSync('npx', ['tsx', 'firmware-bridge/vectors/generate-vectors.ts', '--check'], { stdio: 'pipe' });
  });

  it('CRC-16/CCITT-FALSE and CRC-32 check values', () => {
    for (const v of vectors.crc16) expect(crc16(bytes(v.hex))).toBe(v.crc);
    for (const v of vectors.crc32) expect(crc32(bytes(v.hex))).toBe(v.crc);
  });

  it('COBS pairs both ways', () => {
    for (const v of vectors.cobs) {
      expect(hex(cobsEncode(bytes(v.decoded)))).toBe(v.encoded);
      expect(hex(cobsDecode(bytes(v.encoded)) as Uint8Array)).toBe(v.decoded);
    }
  });

  it('frames decode to their fields and re-encode to the same wire bytes', () => {
    for (const v of vectors.frames) {
      const w = bytes(v.wire);
      expect(w[w.length - 1]).toBe(0);
      const f = decodeFrame(w.subarray(0, w.length - 1));
      expect(f).toEqual({ type: v.type, seq: v.seq, ack: v.ack, payload: bytes(v.payload) });
      expect(hex(encodeFrame({ type: v.type, seq: v.seq, ack: v.ack, payload: bytes(v.payload) }))).toBe(v.wire);
    }
  });

  it('message payloads', () => {
    for (const v of vectors.messages) {
      const m = decodeMessage(v.type, bytes(v.payload)) as unknown as Record<string, unknown>;
      expect(m.type).toBe(v.name);
      for (const [k, value] of Object.entries(v.fields)) {
        expect(m[k] instanceof Uint8Array ? hex(m[k] as Uint8Array) : m[k]).toEqual(value);
      }
      expect(hex(encodeMessage(m as unknown as BridgeMessage).payload)).toBe(v.payload);
    }
  });

  it('PRLE encodings decode to the framebuffer and its CRC-32; invalid ones are refused', () => {
    for (const v of vectors.prle) {
      const fb = decodePrle(bytes(v.encoded), v.width, v.height, v.format as PixelFormat) as Uint8Array;
      expect(hex(fb)).toBe(v.framebuffer);
      expect(crc32(fb)).toBe(v.crc32);
    }
    for (const v of vectors.prle_invalid) {
      expect(decodePrle(bytes(v.encoded), v.width, v.height, v.format as PixelFormat), v.name).toBeNull();
    }
  });

  it('sessions: the virtual sign sends exactly the replies and shows exactly the frame', () => {
    for (const s of vectors.sessions) {
      const clock = new ManualClock(0);
      let replies: string[] = [];
      const p = s.panel;
      const sign = new VirtualSign(
        { width: p.width, height: p.height, format: p.format, slotCount: p.slot_count, slotBytes: p.slot_bytes },
        clock,
        (b) => replies.push(hex(b)),
        p.boot_id,
      );
      for (const step of s.steps) {
        clock.advance(step.advance_ms);
        replies = [];
        sign.receive(bytes(step.send));
        expect(replies, s.name).toEqual(step.replies);
      }
      const st = sign.status();
      expect([st.showingSlot, st.showingCrc32, st.showingPriority], s.name).toEqual([
        s.final.showing_slot,
        s.final.showing_crc32,
        s.final.showing_priority,
      ]);
      expect(hex(sign.framebuffer().bytes), s.name).toBe(s.final.framebuffer);
    }
  });
});

describe('FrameParser on a byte stream', () => {
  const frameA = encodeFrame({ type: 0x08, seq: 1, ack: 0, payload: new Uint8Array(0) });
  const frameB = encodeFrame({ type: 0x06, seq: 2, ack: 0, payload: Uint8Array.from([50]) });

  it('reassembles a frame split across reads, byte by byte', () => {
    const parser = new FrameParser();
    const out = [...frameA, ...frameB].flatMap((b) => parser.push(Uint8Array.from([b])));
    expect(out.map((r) => ('frame' in r ? r.frame.seq : r.defect))).toEqual([1, 2]);
  });

  it('skips garbage before a frame and reports it as a defect', () => {
    const parser = new FrameParser();
    const out = parser.push(Uint8Array.from([0x13, 0x37, 0x42, 0, ...frameA]));
    expect(out.map((r) => ('frame' in r ? 'frame' : r.defect))).toEqual(['cobs', 'frame']);
  });

  it('rejects a corrupted frame by its CRC and keeps going', () => {
    const bad = frameB.slice();
    bad[4] = (bad[4] as number) ^ 0x40;
    const out = new FrameParser().push(Uint8Array.from([...bad, ...frameA]));
    expect('defect' in (out[0] as object)).toBe(true);
    expect(out[1]).toMatchObject({ frame: { seq: 1 } });
  });

  it('bounds its buffer on an endless run of non-zero bytes', () => {
    const parser = new FrameParser();
    const out = parser.push(new Uint8Array(100_000).fill(7));
    expect(out).toEqual([]);
    expect(parser.push(Uint8Array.from([0, ...frameA]))).toEqual([
      { defect: 'oversize' },
      expect.objectContaining({ frame: expect.anything() }),
    ]);
  });

  it('round-trips any payload through COBS framing (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1024 }), fc.integer({ min: 0, max: 255 }), (payload, seq) => {
        const wire = encodeFrame({ type: 0x03, seq, ack: 0, payload });
        expect(wire.indexOf(0)).toBe(wire.length - 1);
        const [r] = new FrameParser().push(wire);
        expect(r).toEqual({ frame: { type: 0x03, seq, ack: 0, payload } });
      }),
      { numRuns: 200 },
    );
  });

  it('PRLE round-trips random frames in every format (property)', () => {
    const formats = ['rgb888', 'rgb565', 'gray4', 'mono'] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...formats),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer(),
        (format, w, h, seed) => {
          const size = { rgb888: w * 3, rgb565: w * 2, gray4: Math.ceil(w / 2), mono: Math.ceil(w / 8) }[format] * h;
          const fb = new Uint8Array(size);
          let s = seed;
          for (let i = 0; i < size; i++) {
            s = (s * 1103515245 + 12345) | 0;
            fb[i] = (s >>> 16) % 3 === 0 ? (s >>> 8) & 0xff : 0;
          }
          // Padding bits of gray4/mono rows are not pixels: zero them so the round trip is exact.
          const frame = { width: w, height: h, format, bytes: decodeOrPad(fb, w, h, format) };
          const enc = encodePrle(frame);
          if (enc) expect(hex(decodePrle(enc, w, h, format) as Uint8Array)).toBe(hex(frame.bytes));
        },
      ),
      { numRuns: 200 },
    );
  });
});

function decodeOrPad(fb: Uint8Array, w: number, h: number, format: PixelFormat): Uint8Array {
  if (format === 'gray4' && w % 2)
    for (let y = 0; y < h; y++)
      fb[y * Math.ceil(w / 2) + (w >> 1)] = (fb[y * Math.ceil(w / 2) + (w >> 1)] as number) & 0xf0;
  if (format === 'mono' && w % 8) {
    const mask = (0xff << (8 - (w % 8))) & 0xff;
    for (let y = 0; y < h; y++)
      fb[y * Math.ceil(w / 8) + (w >> 3)] = (fb[y * Math.ceil(w / 8) + (w >> 3)] as number) & mask;
  }
  return fb;
}

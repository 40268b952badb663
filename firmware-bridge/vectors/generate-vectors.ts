/**
 * Generates vectors.json, the byte-level test vectors that the TypeScript codec and the C receiver
 * must both pass. Run: `npx tsx firmware-bridge/vectors/generate-vectors.ts` (a test fails when the
 * committed file is stale). Check values (CRC "123456789", COBS examples) are from the published
 * algorithm definitions, so the file is not only self-consistent.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManualClock } from '../../src/domain/clock.ts';
import { type Frame, type PixelFormat, PIXEL_FORMAT_CODE, frameCrc32, setPixelValue, solidFrame } from '../../src/render/frame.ts';
import { encodeFrame } from '../../src/signs/bridge/bridge-codec.ts';
import { cobsEncode } from '../../src/signs/bridge/cobs.ts';
import { crc16, crc32 } from '../../src/signs/bridge/crc.ts';
import { type BridgeMessage, type ControllerMessage, encodeMessage } from '../../src/signs/bridge/messages.ts';
import { encodePrle } from '../../src/signs/bridge/prle.ts';
import { type PanelSpec, VirtualSign } from '../../src/signs/virtual-sign.ts';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const ascii = (s: string) => new TextEncoder().encode(s);

function wire(message: BridgeMessage, seq: number, ack = 0): Uint8Array {
  const { type, payload } = encodeMessage(message);
  return encodeFrame({ type, seq, ack, payload });
}

/** A small test card: a few colours and long runs, like a text page. */
function testCard(width: number, height: number, format: PixelFormat, seed: number): Frame {
  const white = format === 'rgb888' ? 0xffffff : format === 'rgb565' ? 0xffff : format === 'gray4' ? 15 : 1;
  const accent = format === 'rgb888' ? 0xffb000 : format === 'rgb565' ? 0xfd80 : format === 'gray4' ? 9 : 1;
  const f = solidFrame(width, height, format);
  for (let x = 0; x < width; x++) setPixelValue(f.bytes, width, format, x, seed % height, white);
  for (let y = 0; y < height; y++) setPixelValue(f.bytes, width, format, (seed * 3) % width, y, accent);
  setPixelValue(f.bytes, width, format, width - 1, height - 1, white);
  return f;
}

interface Step {
  advance_ms: number;
  send: string;
  replies: string[];
}

function session(name: string, panel: PanelSpec, build: (s: (m: ControllerMessage | Uint8Array, seq: number, advance?: number) => void) => void) {
  const clock = new ManualClock(0);
  let replies: Uint8Array[] = [];
  const sign = new VirtualSign(panel, clock, (b) => replies.push(b), 0x12345678);
  const steps: Step[] = [];
  build((m, seq, advance = 0) => {
    clock.advance(advance);
    const bytes = m instanceof Uint8Array ? m : wire(m, seq);
    replies = [];
    sign.receive(bytes);
    steps.push({ advance_ms: advance, send: hex(bytes), replies: replies.map(hex) });
  });
  const s = sign.status();
  return {
    name,
    panel: { width: panel.width, height: panel.height, format: panel.format, slot_count: panel.slotCount, slot_bytes: panel.slotBytes, boot_id: 0x12345678 },
    steps,
    final: { showing_slot: s.showingSlot, showing_crc32: s.showingCrc32, showing_priority: s.showingPriority, framebuffer: hex(sign.framebuffer().bytes) },
  };
}

function upload(send: (m: ControllerMessage, seq: number) => void, frame: Frame, slot: number, firstSeq: number, chunk = 40): number {
  const encoded = encodePrle(frame);
  const data = encoded && encoded.length < frame.bytes.length ? encoded : frame.bytes;
  const encoding = data === frame.bytes ? 0 : 1;
  let seq = firstSeq;
  send({ type: 'SLOT_BEGIN', slot, format: PIXEL_FORMAT_CODE[frame.format], encoding, width: frame.width, height: frame.height, encodedLength: data.length, crc32: frameCrc32(frame) }, seq++);
  for (let o = 0; o < data.length; o += chunk) send({ type: 'SLOT_DATA', slot, offset: o, data: data.subarray(o, o + chunk) }, seq++);
  send({ type: 'SLOT_COMMIT', slot }, seq++);
  return seq;
}

const panel = (format: PixelFormat): PanelSpec => ({ width: 16, height: 8, format, slotCount: 4, slotBytes: 16 * 8 * 3 });
const HELLO: ControllerMessage = { type: 'HELLO', protocolVersion: 1 };

const card = testCard(16, 8, 'rgb888', 3);
const sessions = [
  session('hello, upload with PRLE, play', panel('rgb888'), (send) => {
    send(HELLO, 0);
    const seq = upload(send, card, 2, 1);
    send({ type: 'PLAY', slot: 2, crc32: frameCrc32(card), priority: 2, ttlMs: 30000 }, seq);
  }),
  ...(['rgb565', 'gray4', 'mono'] as const).map((format) =>
    session(`upload and play in ${format}`, panel(format), (send) => {
      const f = testCard(16, 8, format, 5);
      send(HELLO, 0);
      const seq = upload(send, f, 3, 1, 17);
      send({ type: 'PLAY', slot: 3, crc32: frameCrc32(f), priority: 1, ttlMs: 0xffffffff }, seq);
    }),
  ),
  session('raw upload of a frame PRLE cannot shrink', panel('rgb888'), (send) => {
    const noisy = solidFrame(16, 8, 'rgb888');
    for (let i = 0; i < noisy.bytes.length; i++) noisy.bytes[i] = (i * 73 + 11) & 0xff;
    send(HELLO, 0);
    const seq = upload(send, noisy, 1, 1, 100);
    send({ type: 'PLAY', slot: 1, crc32: frameCrc32(noisy), priority: 4, ttlMs: 60000 }, seq);
  }),
  session('duplicate is re-acknowledged, a gap is NAKed', panel('rgb888'), (send) => {
    send(HELLO, 0);
    send({ type: 'HEARTBEAT' }, 1);
    send({ type: 'HEARTBEAT' }, 1);
    send({ type: 'HEARTBEAT' }, 3);
    send({ type: 'BRIGHTNESS', percent: 40 }, 2);
  }),
  session('corrupt frames are NAKed and never processed', panel('rgb888'), (send) => {
    send(HELLO, 0);
    const good = wire({ type: 'BRIGHTNESS', percent: 10 }, 1);
    const bad = good.slice();
    bad[3] = (bad[3] as number) ^ 0x01;
    send(bad, 1);
    send(Uint8Array.from([0x41, 0x42, 0x43, 0x00]), 1);
    send(good, 1);
    send({ type: 'STATUS', querySlot: 0xff }, 2);
  }),
  session('PLAY with the wrong CRC-32 is refused, commit with the wrong CRC-32 fails', panel('rgb888'), (send) => {
    send(HELLO, 0);
    const seq = upload(send, card, 2, 1);
    send({ type: 'PLAY', slot: 2, crc32: (frameCrc32(card) ^ 1) >>> 0, priority: 2, ttlMs: 30000 }, seq);
    send({ type: 'PLAY', slot: 3, crc32: 0, priority: 2, ttlMs: 30000 }, seq + 1);
    const encoded = encodePrle(card) as Uint8Array;
    send({ type: 'SLOT_BEGIN', slot: 3, format: 1, encoding: 1, width: 16, height: 8, encodedLength: encoded.length, crc32: 0xdeadbeef }, seq + 2);
    send({ type: 'SLOT_DATA', slot: 3, offset: 0, data: encoded }, seq + 3);
    send({ type: 'SLOT_COMMIT', slot: 3 }, seq + 4);
    send({ type: 'STATUS', querySlot: 3 }, seq + 5);
  }),
  session('a shown slot is BUSY; bad begin fields are refused', panel('rgb888'), (send) => {
    send(HELLO, 0);
    let seq = upload(send, card, 2, 1);
    send({ type: 'PLAY', slot: 2, crc32: frameCrc32(card), priority: 2, ttlMs: 30000 }, seq++);
    send({ type: 'SLOT_BEGIN', slot: 2, format: 1, encoding: 0, width: 16, height: 8, encodedLength: 384, crc32: 0 }, seq++);
    send({ type: 'SLOT_BEGIN', slot: 9, format: 1, encoding: 0, width: 16, height: 8, encodedLength: 384, crc32: 0 }, seq++);
    send({ type: 'SLOT_BEGIN', slot: 3, format: 2, encoding: 0, width: 16, height: 8, encodedLength: 256, crc32: 0 }, seq++);
    send({ type: 'SLOT_BEGIN', slot: 3, format: 1, encoding: 0, width: 16, height: 8, encodedLength: 385, crc32: 0 }, seq++);
    send({ type: 'SLOT_BEGIN', slot: 3, format: 1, encoding: 7, width: 16, height: 8, encodedLength: 10, crc32: 0 }, seq++);
    send({ type: 'SLOT_BEGIN', slot: 3, format: 1, encoding: 0, width: 16, height: 8, encodedLength: 300, crc32: 0 }, seq++);
    send({ type: 'SLOT_DATA', slot: 3, offset: 0, data: Uint8Array.from([1, 2]) }, seq++);
    send({ type: 'BRIGHTNESS', percent: 101 }, seq++);
  }),
  session('priorities: crisis over scheduled, leases expire, ttl 0 ends a lease', panel('rgb888'), (send) => {
    const crisis = testCard(16, 8, 'rgb888', 6);
    send(HELLO, 0);
    let seq = upload(send, card, 2, 1);
    seq = upload(send, crisis, 1, seq);
    send({ type: 'PLAY', slot: 2, crc32: frameCrc32(card), priority: 2, ttlMs: 5000 }, seq++);
    send({ type: 'PLAY', slot: 1, crc32: frameCrc32(crisis), priority: 4, ttlMs: 0xffffffff }, seq++);
    send({ type: 'STATUS', querySlot: 0xff }, seq++, 1000);
    send({ type: 'PLAY', slot: 0, crc32: 0, priority: 4, ttlMs: 0 }, seq++);
    send({ type: 'STATUS', querySlot: 0xff }, seq++, 1000);
    send({ type: 'STATUS', querySlot: 0xff }, seq++, 3500);
  }),
  session('default slot shows when no lease is live', panel('rgb888'), (send) => {
    const fallback = testCard(16, 8, 'rgb888', 1);
    send(HELLO, 0);
    let seq = upload(send, card, 2, 1);
    send({ type: 'PLAY', slot: 2, crc32: frameCrc32(card), priority: 1, ttlMs: 2000 }, seq++);
    seq = upload(send, fallback, 0, seq);
    send({ type: 'STATUS', querySlot: 0 }, seq++, 2500);
  }),
  session('HELLO resynchronises the sequence and abandons an upload', panel('rgb888'), (send) => {
    send(HELLO, 0);
    send({ type: 'SLOT_BEGIN', slot: 2, format: 1, encoding: 0, width: 16, height: 8, encodedLength: 384, crc32: 0 }, 1);
    send({ type: 'HEARTBEAT' }, 2);
    send(HELLO, 0);
    send({ type: 'SLOT_DATA', slot: 2, offset: 0, data: Uint8Array.from([1]) }, 1);
    send({ type: 'STATUS', querySlot: 2 }, 2);
  }),
];

const controllerMessages: ControllerMessage[] = [
  HELLO,
  { type: 'SLOT_BEGIN', slot: 2, format: 1, encoding: 1, width: 384, height: 192, encodedLength: 4321, crc32: 0xcafebabe },
  { type: 'SLOT_DATA', slot: 2, offset: 512, data: Uint8Array.from([0, 1, 2, 0xff]) },
  { type: 'SLOT_COMMIT', slot: 2 },
  { type: 'PLAY', slot: 1, crc32: 0x01020304, priority: 4, ttlMs: 0xffffffff },
  { type: 'BRIGHTNESS', percent: 35 },
  { type: 'STATUS', querySlot: 0xff },
  { type: 'HEARTBEAT' },
];
const signMessages: BridgeMessage[] = [
  { type: 'HELLO_REPLY', protocolVersion: 1, width: 384, height: 192, formats: 1, nativeFormat: 1, slotCount: 16, slotBytes: 221184, maxPayload: 1024, bootId: 0x12345678, flags: 0 },
  { type: 'ACK', code: 0 },
  { type: 'NAK', reason: 2 },
  { type: 'STATUS_REPORT', showingSlot: 2, showingCrc32: 0xcafebabe, showingPriority: 2, leaseLeftMs: 12000, brightness: 80, photocell: 0xffff, bootId: 7, uptimeMs: 123456, rxErrors: 3, querySlot: 1, queryValid: 1, queryCrc32: 0x01020304 },
];
const fieldsOf = (m: BridgeMessage) => Object.fromEntries(Object.entries(m).filter(([k]) => k !== 'type').map(([k, v]) => [k, v instanceof Uint8Array ? hex(v) : v]));

const prleFrames = (['rgb888', 'rgb565', 'gray4', 'mono'] as const).map((format) => {
  const f = testCard(16, 8, format, 2);
  return { name: `test card ${format}`, format, width: 16, height: 8, framebuffer: hex(f.bytes), encoded: hex(encodePrle(f) as Uint8Array), crc32: frameCrc32(f) };
});
// A long run (the 0xFF u16 form) on a wider panel.
const wide = solidFrame(200, 2, 'rgb888', 0x102030);
prleFrames.push({ name: 'long run', format: 'rgb888', width: 200, height: 2, framebuffer: hex(wide.bytes), encoded: hex(encodePrle(wide) as Uint8Array), crc32: frameCrc32(wide) });

const vectors = {
  protocol_version: 1,
  crc16: [
    { hex: hex(ascii('123456789')), crc: 0x29b1 },
    { hex: '', crc: 0xffff },
    { hex: '00', crc: crc16(Uint8Array.from([0])) },
  ],
  crc32: [
    { hex: hex(ascii('123456789')), crc: 0xcbf43926 },
    { hex: '', crc: 0 },
    { hex: hex(card.bytes), crc: crc32(card.bytes) },
  ],
  cobs: [
    ['00', '0101'],
    ['0000', '010101'],
    ['11220033', '03112202 33'.replace(' ', '')],
    ['11223344', '0511223344'],
    ['11000000', '02110101 01'.replace(' ', '')],
  ]
    .map(([d, e]) => ({ decoded: d as string, encoded: e as string }))
    .concat([
      { decoded: hex(Uint8Array.from({ length: 254 }, (_, i) => i + 1)), encoded: hex(cobsEncode(Uint8Array.from({ length: 254 }, (_, i) => i + 1))) },
      { decoded: hex(Uint8Array.from({ length: 255 }, (_, i) => (i % 255) + 1)), encoded: hex(cobsEncode(Uint8Array.from({ length: 255 }, (_, i) => (i % 255) + 1))) },
    ]),
  frames: [...controllerMessages.map((m, i) => ({ m, seq: m.type === 'HELLO' ? 0 : i + 1, ack: 0 })), ...signMessages.map((m, i) => ({ m, seq: 0, ack: 200 + i }))].map(({ m, seq, ack }) => {
    const { type, payload } = encodeMessage(m);
    return { name: m.type, type, seq, ack, payload: hex(payload), wire: hex(encodeFrame({ type, seq, ack, payload })) };
  }),
  messages: [...controllerMessages, ...signMessages].map((m) => ({ name: m.type, type: encodeMessage(m).type, fields: fieldsOf(m), payload: hex(encodeMessage(m).payload) })),
  prle: prleFrames,
  prle_invalid: [
    { name: 'empty', format: 'rgb888', width: 4, height: 1, encoded: '' },
    { name: 'palette cut short', format: 'rgb888', width: 4, height: 1, encoded: '01ffffff00' },
    { name: 'index beyond palette', format: 'rgb888', width: 4, height: 1, encoded: '00ffffff8301' },
    { name: 'run past the frame', format: 'rgb888', width: 4, height: 1, encoded: '00ffffff8400' },
    { name: 'ends early', format: 'rgb888', width: 4, height: 1, encoded: '00ffffff8100' },
    { name: 'bytes left over', format: 'rgb888', width: 4, height: 1, encoded: '00ffffff830000' },
    { name: 'literal cut short', format: 'rgb888', width: 4, height: 1, encoded: '00ffffff030000' },
    { name: 'long run of zero', format: 'rgb888', width: 4, height: 1, encoded: '00ffffffff000000' },
    { name: 'gray4 palette value above 15', format: 'gray4', width: 4, height: 1, encoded: '00108300' },
    { name: 'mono palette value above 1', format: 'mono', width: 8, height: 1, encoded: '00028700' },
  ],
  sessions,
};

const out = join(dirname(fileURLToPath(import.meta.url)), 'vectors.json');
const text = `${JSON.stringify(vectors, null, 1)}\n`;
if (process.argv.includes('--check')) {
  const { readFileSync } = await import('node:fs');
  if (readFileSync(out, 'utf8') !== text) {
    console.error('firmware-bridge/vectors/vectors.json is stale: run npx tsx firmware-bridge/vectors/generate-vectors.ts');
    process.exit(1);
  }
} else writeFileSync(out, text);

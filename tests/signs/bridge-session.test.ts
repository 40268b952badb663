import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/domain/clock.ts';
import { type Frame, frameCrc32, setPixelValue, solidFrame } from '../../src/render/frame.ts';
import { encodeFrame, MessageType } from '../../src/signs/bridge/bridge-codec.ts';
import { BridgeSession, LinkDownError } from '../../src/signs/bridge/bridge-session.ts';
import { cobsDecode } from '../../src/signs/bridge/cobs.ts';
import { encodeMessage } from '../../src/signs/bridge/messages.ts';
import { MemoryLink } from '../../src/signs/memory-transport.ts';
import { SignController, SignRefusedError } from '../../src/signs/sign-controller.ts';
import { CRISIS_SLOT } from '../../src/signs/slot-cache.ts';
import type { Transport } from '../../src/signs/transport.ts';
import { VirtualSign } from '../../src/signs/virtual-sign.ts';
import { mulberry32 } from '../bridge/emulator.ts';
import { SMALL_PANEL, virtualRig, waitFor } from './helpers.ts';

const { width: W, height: H } = SMALL_PANEL;

function textLike(seed: number): Frame {
  const f = solidFrame(W, H, 'rgb888');
  for (let x = 0; x < 30; x++) setPixelValue(f.bytes, W, 'rgb888', (x * seed) % W, (x * 7 + seed) % H, 0xffb000);
  return f;
}

function noise(seed: number): Frame {
  const f = solidFrame(W, H, 'rgb888');
  const rnd = mulberry32(seed);
  for (let i = 0; i < f.bytes.length; i++) f.bytes[i] = Math.floor(rnd() * 256);
  return f;
}

const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));

/** The message type of one wire frame (a MemoryLink chunk is one whole frame). */
function wireType(chunk: Uint8Array): number | null {
  const body = cobsDecode(chunk.subarray(0, chunk.length - 1));
  return body ? (body[1] ?? null) : null;
}

type Rig = ReturnType<typeof virtualRig>;
const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) await r.controller.stop();
});

async function upRig(...args: Parameters<typeof virtualRig>): Promise<Rig> {
  const rig = virtualRig(...args);
  rigs.push(rig);
  rig.controller.start();
  await waitFor('link up', () => rig.controller.linkUp);
  return rig;
}

describe('BridgeSession reliability', () => {
  it('processes every frame exactly once, in order, across the sequence wrap with a 127-frame window', async () => {
    // 6144 raw bytes in 16-byte chunks: ~390 sequenced frames, past seq 255 with up to 127 in flight.
    const rig = await upRig(SMALL_PANEL, systemClock, { window: 127 }, { chunkBytes: 16 });
    const rnd = mulberry32(7);
    rig.link.tamper = (chunk) => (rnd() < 0.05 ? null : chunk);
    rig.link.tamperReplies = (chunk) => (rnd() < 0.05 ? null : chunk);
    for (const seed of [1, 2]) {
      const frame = noise(seed);
      await rig.controller.show({ frame, priority: 'scheduled', ttlMs: 30_000, itemId: `n${seed}` });
      expect(same(rig.sign.framebuffer().bytes, frame.bytes)).toBe(true);
    }
    expect(rig.bridge.stats.framesSent).toBeGreaterThan(2 * 256);
    expect(rig.bridge.stats.retransmits).toBeGreaterThan(0);
  });

  it('survives bit flips and lost frames both ways; the sign only ever shows frames that passed their CRC', async () => {
    const rig = await upRig(SMALL_PANEL, systemClock, { window: 8, maxRetries: 8 }, { chunkBytes: 128 });
    const frames = [textLike(3), noise(4), textLike(5), textLike(9), noise(10), textLike(11)];
    const allowed = new Set([0, ...frames.map(frameCrc32)].map(String));
    const shown: string[] = [];
    rig.sign.onPanel((panel) => shown.push(String(frameCrc32(panel))));
    allowed.add(String(frameCrc32(solidFrame(W, H, 'rgb888'))));
    const rnd = mulberry32(0xbad);
    const flip = (chunk: Uint8Array, p: number) => {
      if (rnd() < p) {
        const bit = Math.floor(rnd() * chunk.length * 8);
        chunk[bit >> 3] = (chunk[bit >> 3] as number) ^ (1 << (bit & 7));
      }
      return chunk;
    };
    rig.link.tamper = (chunk) => (rnd() < 0.05 ? null : flip(chunk, 0.1));
    rig.link.tamperReplies = (chunk) => (rnd() < 0.05 ? null : flip(chunk, 0.05));
    for (const [i, frame] of frames.entries()) {
      for (;;) {
        try {
          await waitFor('link up', () => rig.controller.linkUp);
          await rig.controller.show({ frame, priority: 'scheduled', ttlMs: 30_000, itemId: `f${i}` });
          break;
        } catch (error: unknown) {
          if (!(error instanceof LinkDownError)) throw error;
        }
      }
      expect(same(rig.sign.framebuffer().bytes, frame.bytes)).toBe(true);
    }
    expect(shown.every((crc) => allowed.has(crc))).toBe(true);
    expect(rig.sign.status().rxErrors).toBeGreaterThan(0);
    expect(rig.bridge.stats.naksReceived).toBeGreaterThan(0);
  });

  it('answers a lost frame in a full window with one go-back, not one per GAP NAK', async () => {
    // At 115200 baud the NAKs of the frames behind a lost one arrive ~45 ms apart.
    const rig = await upRig(
      SMALL_PANEL,
      systemClock,
      { window: 8 },
      { chunkBytes: 512, link: { bytesPerSecond: 11_520 } },
    );
    let n = 0;
    rig.link.tamper = (chunk) => (wireType(chunk) === MessageType.SLOT_DATA && ++n === 3 ? null : chunk);
    const frame = noise(12);
    await rig.controller.show({ frame, priority: 'scheduled', ttlMs: 30_000, itemId: 'n' });
    expect(same(rig.sign.framebuffer().bytes, frame.bytes)).toBe(true);
    expect(rig.bridge.stats.retransmits).toBeLessThanOrEqual(8);
  });

  it('never crashes on garbage from the line, and keeps working', async () => {
    const rig = await upRig();
    const rnd = mulberry32(42);
    const garbage = Uint8Array.from({ length: 20_000 }, () => (rnd() < 0.02 ? 0 : Math.floor(rnd() * 256)));
    rig.signSend(garbage);
    // Well-formed frames that make no sense here: an ACK for nothing in flight, a STATUS_REPORT nobody
    // asked for, a HELLO_REPLY of another protocol version, a controller message echoed back.
    const frame = (type: number, payload: Uint8Array, ack = 0) => encodeFrame({ type, seq: 0, ack, payload });
    rig.signSend(frame(MessageType.ACK, Uint8Array.of(0), 200));
    rig.signSend(frame(MessageType.STATUS_REPORT, new Uint8Array(36), 77));
    rig.signSend(frame(MessageType.NAK, Uint8Array.of(2), 99));
    const hello = encodeMessage({
      type: 'HELLO_REPLY',
      protocolVersion: 2,
      width: 1,
      height: 1,
      formats: 1,
      nativeFormat: 1,
      slotCount: 3,
      slotBytes: 3,
      maxPayload: 0,
      bootId: 1,
      flags: 0,
    });
    rig.signSend(frame(hello.type, hello.payload));
    rig.signSend(frame(MessageType.PLAY, new Uint8Array(10)));
    rig.signSend(Uint8Array.from({ length: 5000 }, () => 0x41));
    rig.signSend(Uint8Array.of(0));
    await new Promise((r) => setTimeout(r, 20));
    const page = textLike(13);
    await rig.controller.show({ frame: page, priority: 'scheduled', ttlMs: 30_000, itemId: 'p' });
    expect(same(rig.sign.framebuffer().bytes, page.bytes)).toBe(true);
    expect(rig.bridge.capabilities?.width).toBe(W);
    expect(rig.bridge.stats.rxErrors).toBeGreaterThan(0);
  });

  it('asks again when a STATUS_REPORT is lost', async () => {
    const rig = await upRig();
    let dropped = 0;
    rig.link.tamperReplies = (chunk) =>
      wireType(chunk) === MessageType.STATUS_REPORT && dropped++ === 0 ? null : chunk;
    const report = await rig.controller.readBack(0);
    expect(dropped).toBe(2);
    expect(report.querySlot).toBe(0);
  });

  it('reopens the transport when HELLOs go unanswered, and reports the outage once', async () => {
    const link = new MemoryLink('silent');
    let opens = 0;
    const transport: Transport = {
      ...link.controller,
      open: async () => {
        opens++;
        await link.controller.open();
      },
    };
    const session = new BridgeSession(transport, { maxRetries: 2, backoffMinMs: 10, backoffMaxMs: 20 });
    const downs: string[] = [];
    session.on('down', (r) => downs.push(r));
    session.start();
    await waitFor('a reopen', () => opens >= 3, 5000);
    await session.stop();
    expect(downs).toHaveLength(1);
  });

  it('withdraws the rest of an upload that the sign refused', async () => {
    const rig = await upRig(SMALL_PANEL, systemClock, {}, { chunkBytes: 64 });
    const wrong = { ...noise(3), width: W - 1 } as Frame;
    await expect(
      rig.controller.show({ frame: wrong, priority: 'scheduled', ttlMs: 30_000, itemId: 'w' }),
    ).rejects.toBeInstanceOf(SignRefusedError);
    // ~96 chunks were queued; only the window's worth went out before the refusal came back.
    expect(rig.bridge.stats.framesSent).toBeLessThan(20);
    expect(rig.bridge.backlog).toBe(0);
  });

  it('recovers when a write never settles and the link then drops (a device that stopped draining)', async () => {
    const link = new MemoryLink('stuck');
    const sign = new VirtualSign(SMALL_PANEL, systemClock, (b) => signSend(b), 1);
    const signSend = link.attachSign((chunk) => sign.receive(chunk));
    let hang = false;
    const transport: Transport = {
      ...link.controller,
      write: (bytes) => (hang ? new Promise<void>(() => undefined) : link.controller.write(bytes)),
    };
    const session = new BridgeSession(transport, { backoffMinMs: 10, heartbeatMs: 0 });
    const controller = new SignController('STUCK', session, systemClock, { leaseMs: 30_000, chunkBytes: 256 });
    rigs.push({ link, sign, bridge: session, controller, signSend });
    controller.start();
    await waitFor('up', () => controller.linkUp);
    hang = true;
    const lost = controller.show({ frame: textLike(61), priority: 'scheduled', ttlMs: 30_000, itemId: 'a' });
    await new Promise((r) => setTimeout(r, 20));
    hang = false;
    link.cut();
    await expect(lost).rejects.toBeInstanceOf(LinkDownError);
    await waitFor('up again', () => controller.linkUp);
    const page = textLike(62);
    await controller.show({ frame: page, priority: 'scheduled', ttlMs: 30_000, itemId: 'b' });
    expect(same(sign.framebuffer().bytes, page.bytes)).toBe(true);
  });

  it('clamps the window to 127 frames, beyond which mod-256 sequence numbers are ambiguous', async () => {
    const rig = await upRig(SMALL_PANEL, systemClock, { window: 1000, rtoInitialMs: 300 }, { chunkBytes: 8 });
    rig.link.tamperReplies = () => null;
    const frame = noise(5);
    const done = rig.controller.show({ frame, priority: 'scheduled', ttlMs: 30_000, itemId: 'n' });
    await waitFor('a full window', () => rig.bridge.inFlight >= 127);
    await new Promise((r) => setTimeout(r, 20));
    expect(rig.bridge.inFlight).toBe(127);
    rig.link.tamperReplies = null;
    await done;
    expect(same(rig.sign.framebuffer().bytes, frame.bytes)).toBe(true);
  });
});

describe('SignController over a flaky link', () => {
  it('gets a crisis PLAY through in the middle of a long upload on a paced link', async () => {
    const rig = await upRig(SMALL_PANEL, systemClock, {}, { chunkBytes: 512, link: { bytesPerSecond: 11_520 } });
    const crisis = textLike(17);
    rig.controller.setCrisisFrame(crisis);
    await waitFor('crisis slot ready', async () => (await rig.controller.readBack(CRISIS_SLOT)).queryValid === 1);
    const photo = noise(18);
    let uploaded = false;
    const upload = rig.controller
      .show({ frame: photo, priority: 'scheduled', ttlMs: 30_000, itemId: 'photo' })
      .then(() => {
        uploaded = true;
      });
    await new Promise((r) => setTimeout(r, 100));
    await rig.controller.playCrisisSlot(null);
    expect(uploaded).toBe(false);
    expect(rig.sign.status()).toMatchObject({ showingSlot: CRISIS_SLOT, showingPriority: 4 });
    await upload;
    expect(rig.sign.status().showingPriority).toBe(4);
    await rig.controller.end('crisis');
    expect(same(rig.sign.framebuffer().bytes, photo.bytes)).toBe(true);
  });

  it('re-asserts what it holds after a cut that outlasted the lease', async () => {
    const clock = new ManualClock(Date.parse('2026-12-01T12:00:00Z'));
    const rig = await upRig(SMALL_PANEL, clock);
    const page = textLike(21);
    await rig.controller.show({ frame: page, priority: 'scheduled', ttlMs: 3000, itemId: 'p' });
    rig.link.cut();
    await waitFor('link down', () => !rig.controller.linkUp);
    clock.advance(10_000);
    expect(rig.sign.status().showingPriority).toBe(0);
    await waitFor('link up again', () => rig.controller.linkUp);
    await waitFor('page back', () => rig.sign.status().showingPriority === 2);
    expect(same(rig.sign.framebuffer().bytes, page.bytes)).toBe(true);
  });

  it('rebuilds its slot cache after a sign reboot and uploads the content again', async () => {
    const rig = await upRig();
    const crisis = textLike(31);
    const page = noise(32);
    rig.controller.setCrisisFrame(crisis);
    await rig.controller.show({ frame: page, priority: 'scheduled', ttlMs: 30_000, itemId: 'p' });
    await waitFor('crisis slot ready', async () => (await rig.controller.readBack(CRISIS_SLOT)).queryValid === 1);
    const sent = rig.bridge.stats.bytesSent;
    rig.sign.reboot(0x9999);
    await waitFor('page back after reboot', () => rig.sign.status().showingPriority === 2);
    expect(same(rig.sign.framebuffer().bytes, page.bytes)).toBe(true);
    expect(rig.bridge.capabilities?.bootId).toBe(0x9999);
    expect(rig.bridge.stats.bytesSent - sent).toBeGreaterThan(page.bytes.length);
    await waitFor('crisis slot rebuilt', async () => (await rig.controller.readBack(CRISIS_SLOT)).queryValid === 1);
  });

  it('does not refresh a crisis lease past its expiry, and refreshes normal leases ahead of uploads', async () => {
    const clock = new ManualClock(Date.parse('2026-12-01T12:00:00Z'));
    const rig = await upRig(SMALL_PANEL, clock);
    rig.controller.setCrisisFrame(textLike(41));
    await waitFor('crisis slot ready', async () => (await rig.controller.readBack(CRISIS_SLOT)).queryValid === 1);
    await rig.controller.show({ frame: textLike(42), priority: 'scheduled', ttlMs: 30_000, itemId: 'p' });
    await rig.controller.playCrisisSlot(60_000);
    clock.advance(40_000);
    rig.controller.refreshLeases();
    await waitFor('refresh acknowledged', () => rig.bridge.backlog === 0);
    const status = rig.sign.status();
    expect(status.showingPriority).toBe(4);
    // 60 s from the PLAY, not from the refresh: the crisis ends when it was meant to.
    expect(status.leaseLeftMs).toBe(20_000);
    clock.advance(20_001);
    expect(rig.sign.status().showingPriority).toBe(2);
  });

  it('steps around a slot that a lease from before a restart still holds', async () => {
    const rig = await upRig();
    await rig.controller.show({ frame: textLike(51), priority: 'crisis', ttlMs: null, itemId: 'old', urgent: true });
    const held = rig.sign.status().showingSlot;
    await rig.controller.stop();
    // A new Skylt process on the same sign: its slot cache is empty, the sign still shows the crisis.
    const session = new BridgeSession(rig.link.controller, { heartbeatMs: 0 });
    const controller = new SignController('TEST', session, systemClock, { leaseMs: 30_000, chunkBytes: 256 });
    rigs.push({ ...rig, bridge: session, controller });
    controller.start();
    await waitFor('link up', () => controller.linkUp);
    const page = textLike(52);
    await controller.show({ frame: page, priority: 'scheduled', ttlMs: 30_000, itemId: 'new' });
    expect(controller.showing()?.slot).not.toBe(held);
    expect(rig.sign.status()).toMatchObject({ showingSlot: held, showingPriority: 4 });
    await controller.end('crisis');
    expect(same(rig.sign.framebuffer().bytes, page.bytes)).toBe(true);
  });
});

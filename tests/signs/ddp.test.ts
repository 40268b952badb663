import { createSocket, type Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.ts';
import { type Frame, setPixelValue, solidFrame } from '../../src/render/frame.ts';
import { BridgeSession } from '../../src/signs/bridge/bridge-session.ts';
import { DdpOutput } from '../../src/signs/ddp/ddp-output.ts';
import {
  DDP_FLAG_PUSH,
  DDP_HEADER_BYTES,
  DDP_ID_DISPLAY,
  DDP_TYPE_RGB24,
  ddpPackets,
  frameToRgb,
  parseDdpHeader,
} from '../../src/signs/ddp/ddp-packets.ts';
import { SignConfig } from '../../src/signs/sign-config.ts';
import { SignController } from '../../src/signs/sign-controller.ts';
import { createSignLink } from '../../src/signs/sign-link.ts';
import { waitFor } from './helpers.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A pixel controller on loopback: reassembles DDP frames and keeps every pushed one. */
async function ddpReceiver() {
  const socket: Socket = createSocket('udp4');
  const frames: Uint8Array[] = [];
  let buffer = new Uint8Array(0);
  socket.on('message', (packet: Buffer) => {
    const h = parseDdpHeader(packet);
    if (!h) return;
    const end = h.offset + h.length;
    if (buffer.length < end) {
      const grown = new Uint8Array(end);
      grown.set(buffer);
      buffer = grown;
    }
    buffer.set(packet.subarray(DDP_HEADER_BYTES, DDP_HEADER_BYTES + h.length), h.offset);
    if (h.flags & DDP_FLAG_PUSH) frames.push(buffer.slice());
  });
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', () => r()));
  cleanups.push(() => new Promise<void>((r) => socket.close(() => r())));
  return { port: socket.address().port, frames };
}

function page(width: number, height: number, seed: number): Frame {
  const f = solidFrame(width, height, 'rgb888');
  for (let x = 0; x < width; x++) setPixelValue(f.bytes, width, 'rgb888', x, (x * seed) % height, 0xffb000);
  return f;
}

describe('DDP packets', () => {
  it('splits a 384x192 frame into 154 packets of whole pixels, push on the last only', () => {
    const rgb = new Uint8Array(384 * 192 * 3).map((_, i) => i & 0xff);
    const { packets, nextSequence } = ddpPackets(rgb, 15);
    expect(packets).toHaveLength(154);
    let offset = 0;
    for (const [i, p] of packets.entries()) {
      const h = parseDdpHeader(p);
      expect(h).toMatchObject({ dataType: DDP_TYPE_RGB24, destination: DDP_ID_DISPLAY, offset });
      expect((h?.flags ?? 0) & 0xc0).toBe(0x40);
      expect((h?.flags ?? 0) & DDP_FLAG_PUSH).toBe(i === packets.length - 1 ? DDP_FLAG_PUSH : 0);
      expect(h?.length).toBeLessThanOrEqual(1440);
      expect((h?.length ?? 0) % 3).toBe(0);
      // Sequence numbers run 1..15 and never 0 ("unused").
      expect(h?.sequence).toBeGreaterThanOrEqual(1);
      expect(
        Buffer.from(p.subarray(DDP_HEADER_BYTES)).equals(Buffer.from(rgb.subarray(offset, offset + (h?.length ?? 0)))),
      ).toBe(true);
      offset += h?.length ?? 0;
    }
    expect(offset).toBe(rgb.length);
    expect(parseDdpHeader(packets[0] as Uint8Array)?.sequence).toBe(15);
    expect(parseDdpHeader(packets[1] as Uint8Array)?.sequence).toBe(1);
    expect(nextSequence).toBeGreaterThanOrEqual(1);
  });

  it('turns any panel format into RGB, with brightness applied', () => {
    const mono = solidFrame(8, 1, 'mono');
    setPixelValue(mono.bytes, 8, 'mono', 0, 0, 1);
    expect([...frameToRgb(mono, 50, [255, 176, 0]).subarray(0, 6)]).toEqual([128, 88, 0, 0, 0, 0]);
  });
});

describe('DdpOutput (stream mode)', () => {
  it('sends a frame when it changes and again as keep-alive', async () => {
    const rx = await ddpReceiver();
    const out = new DdpOutput({ host: '127.0.0.1', port: rx.port, keepAliveMs: 50 });
    cleanups.push(() => out.stop());
    await out.start();
    const a = page(40, 20, 3);
    out.show(a);
    out.show(a);
    await waitFor('first frame', () => rx.frames.length >= 1);
    expect(Buffer.from(rx.frames[0] as Uint8Array).equals(Buffer.from(a.bytes))).toBe(true);
    await waitFor('keep-alive re-sends', () => rx.frames.length >= 3, 2000);
    const b = page(40, 20, 5);
    out.show(b);
    await waitFor('new frame', () =>
      Buffer.from(rx.frames[rx.frames.length - 1] as Uint8Array).equals(Buffer.from(b.bytes)),
    );
  });
});

describe('a DDP sign driven by SignController', () => {
  it('shows pages, pushes a crisis at once, and falls back when the crisis ends', async () => {
    const rx = await ddpReceiver();
    const sign = SignConfig.parse({
      id: 'WLED-1',
      name: 'WLED',
      direction: 'northbound',
      facing: 'f',
      lat: 58,
      lon: 12,
      width: 48,
      height: 24,
      pixelPitchMm: 16,
      pixelFormat: 'rgb888',
      link: `ddp://127.0.0.1:${rx.port}`,
    });
    const link = createSignLink(sign, systemClock);
    const controller = new SignController(sign.id, new BridgeSession(link.transport, { heartbeatMs: 0 }), systemClock);
    cleanups.push(() => controller.stop());
    controller.start();
    await waitFor('up', () => controller.linkUp);
    const crisis = page(48, 24, 7);
    controller.setCrisisFrame(crisis);
    await waitFor('crisis slot ready', async () => (await controller.readBack(1)).queryValid === 1);

    const content = page(48, 24, 11);
    await controller.show({ frame: content, priority: 'scheduled', ttlMs: 30_000, itemId: 'c' });
    const last = () => rx.frames[rx.frames.length - 1] as Uint8Array;
    await waitFor(
      'content streamed',
      () => rx.frames.length > 0 && Buffer.from(last()).equals(Buffer.from(content.bytes)),
    );

    const t0 = performance.now();
    await controller.playCrisisSlot(null);
    await waitFor('crisis streamed', () => Buffer.from(last()).equals(Buffer.from(crisis.bytes)), 2000);
    // Pushed on the change, not at the next 1 s keep-alive.
    expect(performance.now() - t0).toBeLessThan(500);

    await controller.end('crisis');
    await waitFor('content again', () => Buffer.from(last()).equals(Buffer.from(content.bytes)), 2000);
    expect(link.ddp?.stats.sendErrors).toBe(0);
  });
});

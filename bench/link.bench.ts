/**
 * The bridge on a link paced to 115200 baud (11520 B/s each way, as a UART sends 10 bits per byte):
 * compression of a text playlist, upload time against raw DDP-style streaming, goodput during a raw
 * upload, and how long a crisis PLAY takes to be acknowledged, idle and in the middle of an upload.
 * Measured on the in-process virtual sign over a paced in-memory link; when the C sign emulator is
 * built (make -C firmware-bridge) and socat is installed, also against it over a paced pty.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../src/domain/clock.ts';
import { type Frame, framebufferSize } from '../src/render/frame.ts';
import { renderTextPage } from '../src/render/text-page.ts';
import { BridgeSession, type SessionOptions } from '../src/signs/bridge/bridge-session.ts';
import { DDP_HEADER_BYTES, DDP_MAX_DATA_BYTES } from '../src/signs/ddp/ddp-packets.ts';
import { MemoryLink } from '../src/signs/memory-transport.ts';
import { baudToBytesPerSecond, pacedTransport } from '../src/signs/paced-transport.ts';
import { SerialTransport } from '../src/signs/serial-transport.ts';
import { SignController } from '../src/signs/sign-controller.ts';
import { CRISIS_SLOT } from '../src/signs/slot-cache.ts';
import { VirtualSign } from '../src/signs/virtual-sign.ts';
import { Emulator, haveSocat, SocatPair } from '../tests/bridge/emulator.ts';
import { type Benchmark, median, percentile } from './lib.ts';

const RATE = baudToBytesPerSecond(115_200);
const WIDTH = 384;
const HEIGHT = 192;
const RAW_BYTES = framebufferSize(WIDTH, HEIGHT, 'rgb888');
/** The runtime's settings: 512-byte chunks keep a crisis PLAY's wait behind the chunk on the wire to ~45 ms. */
const CHUNK_BYTES = 512;
const SESSION: SessionOptions = { heartbeatMs: 0 };

/** A playlist of the kind Skylt plays: short Swedish pages, at most 8 words each. */
const PAGES: string[][] = [
  ['Välkommen till', 'Vara'],
  ['Vara Konserthus', 'Jazzkväll fredag 19.00'],
  ['Messias', 'Vara Konserthus 14 december'],
  ['Julmarknad på torget', 'lördag 10–15'],
  ['Biblioteket', 'öppet till 19 i kväll'],
  ['Vägarbete Allégatan', 'välj annan väg'],
  ['Simhallen stängd', 'måndag–onsdag'],
  ['Kammarmusik', 'söndag 15.00'],
  ['Lucia i kyrkan', '13 december 18.00'],
  ['Vara kommun', 'Läs mer på vara.se'],
  ['Symfoniorkester', 'Beethoven nio'],
  ['Loppis i Kvänum', 'lördag 9–13'],
  ['Nyårskonsert', 'Vara Konserthus'],
  ['Skridskobanan', 'öppen i helgen'],
  ['Trafikinfo', 'E20 halka i kväll'],
  ['Ungdomens hus', 'disco fredag 18'],
  ['Återvinningscentralen', 'stängd på helgdag'],
  ['Vårkonsert', 'Vara musikskola'],
  ['Föreläsning', 'Västgötarnas historia'],
  ['Tack för besöket', 'Välkommen åter'],
];

function noiseFrame(seed: number): Frame {
  const bytes = new Uint8Array(RAW_BYTES);
  let a = seed >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    bytes[i] = a >>> 24;
  }
  return { width: WIDTH, height: HEIGHT, format: 'rgb888', bytes };
}

/** DDP on the same byte rate: the whole frame, 10 header bytes per 1440 of pixels, every time. */
function ddpWireBytes(frameBytes: number): number {
  return frameBytes + Math.ceil(frameBytes / DDP_MAX_DATA_BYTES) * DDP_HEADER_BYTES;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function virtualRig() {
  const link = new MemoryLink('virtual:bench', { bytesPerSecond: RATE });
  const sign = new VirtualSign(
    { width: WIDTH, height: HEIGHT, format: 'rgb888', slotCount: 32, slotBytes: RAW_BYTES },
    systemClock,
    (b) => send(b),
  );
  const send = link.attachSign((chunk) => sign.receive(chunk));
  const session = new BridgeSession(link.controller, SESSION);
  const controller = new SignController('BENCH', session, systemClock, { leaseMs: 60_000, chunkBytes: CHUNK_BYTES });
  controller.start();
  while (!controller.linkUp) await sleep(5);
  return { link, sign, session, controller };
}

async function crisisReady(controller: SignController, frame: Frame): Promise<void> {
  controller.setCrisisFrame(frame);
  for (;;) {
    const r = await controller.readBack(CRISIS_SLOT);
    if (r.queryValid === 1) return;
    await sleep(50);
  }
}

async function crisisAckTimes(controller: SignController, rounds: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    await controller.playCrisisSlot(null);
    out.push(performance.now() - t0);
    await sleep(2);
  }
  await controller.end('crisis');
  return out;
}

/** Crisis PLAYs fired at random moments while `upload` runs; the times of those answered during it. */
async function crisisAckTimesDuring(controller: SignController, upload: Promise<void>): Promise<number[]> {
  let done = false;
  const finished = upload.then(() => {
    done = true;
  });
  const out: number[] = [];
  let seed = 1;
  while (!done) {
    const t0 = performance.now();
    await controller.playCrisisSlot(null);
    if (!done) out.push(performance.now() - t0);
    seed = (seed * 48271) % 2147483647;
    await sleep(10 + (seed % 60));
  }
  await finished;
  await controller.end('crisis');
  return out;
}

async function measureVirtual(): Promise<Record<string, number>> {
  const { link, session, controller } = await virtualRig();
  const down = link.downLine;
  if (!down) throw new Error('the bench link must be paced');
  const surface = { width: WIDTH, height: HEIGHT, format: 'rgb888' as const, minCharPixels: Math.ceil(380 / 16) };
  const pages = PAGES.map((lines) => renderTextPage(lines, surface));
  const crisis = renderTextPage(['VIKTIGT MEDDELANDE', 'Lyssna på Sveriges Radio P4'], surface);
  await crisisReady(controller, crisis);

  // Crisis PLAY -> ACK on an idle link (after a warm-up, so JIT compilation is not in the tail).
  await crisisAckTimes(controller, 20);
  const idle = await crisisAckTimes(controller, 101);

  // The playlist: each page uploaded once (PRLE) and played.
  const b0 = down.bytes;
  const t0 = performance.now();
  for (const [i, frame] of pages.entries()) {
    await controller.show({ frame, priority: 'scheduled', ttlMs: 60_000, itemId: `page-${i}` });
  }
  const uploadMs = performance.now() - t0;
  const wireBytes = down.bytes - b0;
  const rawStreamMs = ((pages.length * ddpWireBytes(RAW_BYTES)) / RATE) * 1000;

  // A raw (photo-like) upload alone: goodput.
  const photo = noiseFrame(1);
  const t1 = performance.now();
  await controller.show({ frame: photo, priority: 'scheduled', ttlMs: 60_000, itemId: 'photo-1' });
  const goodput = RAW_BYTES / (((performance.now() - t1) / 1000) * RATE);

  // Another raw upload, with crisis PLAYs fired into it.
  const busy = await crisisAckTimesDuring(
    controller,
    controller.show({ frame: noiseFrame(2), priority: 'scheduled', ttlMs: 60_000, itemId: 'photo-2' }),
  );
  const retransmits = session.stats.retransmits;
  await controller.stop();

  return {
    compression_ratio_vs_raw: (pages.length * RAW_BYTES) / wireBytes,
    upload_vs_raw_stream_ratio: uploadMs / rawStreamMs,
    goodput_share: goodput,
    crisis_play_ack_ms_p50: median(idle),
    crisis_play_ack_ms_p99: percentile(busy, 99),
    // Context for the figures above.
    playlist_upload_s: uploadMs / 1000,
    playlist_wire_bytes: wireBytes,
    crisis_play_ack_ms_p50_during_upload: median(busy),
    crisis_play_ack_ms_p99_idle: percentile(idle, 99),
    crisis_samples_during_upload: busy.length,
    retransmits,
  };
}

/** The same crisis and goodput figures against the C emulator over a pty, controller writes paced. */
async function measureEmulator(): Promise<Record<string, number>> {
  const bin = join(import.meta.dirname, '../firmware-bridge/build/skylt-sign');
  if (!existsSync(bin) || !haveSocat()) return {};
  const dir = mkdtempSync(join(tmpdir(), 'skylt-bench-'));
  const pair = new SocatPair(dir);
  let emu: Emulator | null = null;
  let controller: SignController | null = null;
  try {
    await pair.start();
    emu = await Emulator.start({ link: { tty: pair.b }, width: WIDTH, height: HEIGHT, slots: 8 });
    const session = new BridgeSession(pacedTransport(new SerialTransport(pair.a), RATE), SESSION);
    controller = new SignController('EMU', session, systemClock, { leaseMs: 60_000, chunkBytes: CHUNK_BYTES });
    controller.start();
    const started = Date.now();
    while (!controller.linkUp) {
      if (Date.now() - started > 10_000) throw new Error('no link to the emulator');
      await sleep(5);
    }
    const surface = { width: WIDTH, height: HEIGHT, format: 'rgb888' as const, minCharPixels: 24 };
    await crisisReady(controller, renderTextPage(['VIKTIGT MEDDELANDE', 'Lyssna på Sveriges Radio P4'], surface));
    const idle = await crisisAckTimes(controller, 51);
    const t0 = performance.now();
    const busy = await crisisAckTimesDuring(
      controller,
      controller.show({ frame: noiseFrame(3), priority: 'scheduled', ttlMs: 60_000, itemId: 'photo' }),
    );
    const seconds = (performance.now() - t0) / 1000;
    return {
      emulator_crisis_play_ack_ms_p50: median(idle),
      emulator_crisis_play_ack_ms_p99: percentile(busy, 99),
      // Lower bound: the crisis PLAYs fired into this upload share the line with it.
      emulator_goodput_share_with_crisis_probes: RAW_BYTES / (seconds * RATE),
      emulator_retransmits: session.stats.retransmits,
      emulator_timeouts: session.stats.timeouts,
    };
  } catch (error: unknown) {
    console.warn(`link bench: C emulator part skipped: ${error instanceof Error ? error.message : String(error)}`);
    return {};
  } finally {
    await controller?.stop();
    await emu?.stop();
    await pair.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}

export default {
  name: 'link',
  async run() {
    const virtual = process.env.SKYLT_BENCH_VIRTUAL === '0' ? {} : await measureVirtual();
    const emulator = process.env.SKYLT_BENCH_EMULATOR === '0' ? {} : await measureEmulator();
    return { ...virtual, ...emulator };
  },
} satisfies Benchmark;

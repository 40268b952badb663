/**
 * The bridge session's timing in virtual time: its timers and clock are injected (SessionTimers), so a retransmission
 * timeout, a HELLO back-off or a heartbeat happens when the test moves the scheduler, never by sleeping. The sign is
 * the in-process virtual sign over an in-memory link, as the embedded default runs; the link's tamper hooks unplug it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { solidFrame } from '../../src/render/frame.ts';
import { decodeFrame, MessageType } from '../../src/signs/bridge/bridge-codec.ts';
import { BridgeSession, LinkDownError, type SessionTimers } from '../../src/signs/bridge/bridge-session.ts';
import { MemoryLink } from '../../src/signs/memory-transport.ts';
import { SignController } from '../../src/signs/sign-controller.ts';
import { VirtualSign } from '../../src/signs/virtual-sign.ts';
import { SMALL_PANEL } from './helpers.ts';

const T0 = Date.parse('2026-12-05T08:00:00Z');

/**
 * Timers in virtual time, also a Clock for the controller and the sign. `advance` runs each due timer at its own
 * instant, in order, and after each lets the in-memory link deliver (it hands bytes over with setImmediate).
 */
class VirtualTimers implements SessionTimers {
  private ms = T0;
  private nextId = 1;
  private readonly pending = new Map<number, { at: number; run: () => void }>();

  now(): number {
    return this.ms;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { at: this.ms + Math.max(0, ms), run: callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  async advance(ms: number): Promise<void> {
    const until = this.ms + ms;
    await settle();
    for (;;) {
      let next: [number, { at: number; run: () => void }] | null = null;
      for (const entry of this.pending) if (entry[1].at <= until && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.pending.delete(next[0]);
      this.ms = next[1].at;
      next[1].run();
      await settle();
    }
    this.ms = until;
    await settle();
  }
}

/** Lets every chain of setImmediate hand-overs and promise callbacks run out (no time passes). */
async function settle(): Promise<void> {
  for (let i = 0; i < 30; i++) await new Promise((r) => setImmediate(r));
}

/** What the controller put on the wire, with the virtual time it went out. */
interface Sent {
  at: number;
  type: number;
}

function rig(options: { heartbeatMs?: number; maxRetries?: number } = {}) {
  const timers = new VirtualTimers();
  const link = new MemoryLink('virtual:timers');
  const sign = new VirtualSign(SMALL_PANEL, timers, (b) => signSend(b), 0x5150);
  const signSend = link.attachSign((chunk) => sign.receive(chunk));
  const session = new BridgeSession(link.controller, {
    timers,
    rtoInitialMs: 250,
    rtoMaxMs: 2000,
    maxRetries: options.maxRetries ?? 4,
    backoffMinMs: 100,
    backoffMaxMs: 1600,
    heartbeatMs: options.heartbeatMs ?? 0,
  });
  const sent: Sent[] = [];
  let unplugged = false;
  link.tamper = (chunk) => {
    const frame = decodeFrame(chunk.subarray(0, chunk.length - 1));
    if (typeof frame === 'object') sent.push({ at: timers.now() - T0, type: frame.type });
    return unplugged ? null : chunk;
  };
  const downs: { at: number; reason: string }[] = [];
  session.on('down', (reason) => downs.push({ at: timers.now() - T0, reason }));
  const ups: number[] = [];
  session.on('up', () => ups.push(timers.now() - T0));
  sessions.push(session);
  return {
    timers,
    session,
    sign,
    sent,
    downs,
    ups,
    unplug: () => {
      unplugged = true;
    },
    plugIn: () => {
      unplugged = false;
    },
    /** Virtual times (ms from T0) at which frames of a type went out. */
    times: (type: number) => sent.filter((s) => s.type === type).map((s) => s.at),
  };
}

const sessions: BridgeSession[] = [];
afterEach(async () => {
  for (const s of sessions.splice(0)) await s.stop();
});

describe('BridgeSession timing, driven by injected timers', () => {
  it('retransmits on a doubling timeout and declares a silent sign down after the last retry', async () => {
    const r = rig({ maxRetries: 4 });
    r.session.start();
    await r.timers.advance(0);
    expect(r.session.state).toBe('up');
    expect(r.ups).toEqual([0]);

    r.unplug();
    const at = r.timers.now() - T0;
    const sent = r.session.send({ type: 'HEARTBEAT' });
    const failure = sent.catch((e: unknown) => e);
    await r.timers.advance(249);
    expect(r.times(MessageType.HEARTBEAT)).toEqual([at]);
    // RTO 250 ms, doubling to the 2 s cap: sent again at 250, 750, 1750 and 3750 ms.
    await r.timers.advance(10_000);
    expect(r.times(MessageType.HEARTBEAT)).toEqual([0, 250, 750, 1750, 3750].map((t) => at + t));
    expect(r.session.stats.timeouts).toBe(5);
    expect(r.session.stats.rtoMs).toBe(2000);
    // The fifth fruitless round is one more than maxRetries: the link is down 5.75 s after the frame went out.
    expect(r.downs[0]).toEqual({ at: at + 5750, reason: 'no answer from the sign after 4 retries' });
    expect(await failure).toBeInstanceOf(LinkDownError);
  });

  it('keeps saying HELLO with back-off while the sign is away, and is up at the first HELLO after it is back', async () => {
    const r = rig({ maxRetries: 3 });
    r.unplug();
    r.session.start();
    await r.timers.advance(0);
    expect(r.session.state).toBe('connecting');
    // The first HELLO at once, then after max(back-off, 300 ms) each: back-off 100 -> 200 -> 400.
    await r.timers.advance(1000);
    expect(r.times(MessageType.HELLO)).toEqual([0, 300, 600]);
    // After maxRetries unanswered HELLOs the transport is reopened after the back-off (800 ms), once reported down.
    await r.timers.advance(10_000);
    const hellos = r.times(MessageType.HELLO);
    expect(hellos.slice(0, 6)).toEqual([0, 300, 600, 1000 + 800, 1000 + 800 + 1600, 1000 + 800 + 2 * 1600]);
    expect(r.downs).toEqual([{ at: 1000, reason: 'no HELLO_REPLY after 3 attempts' }]);
    expect(r.session.stats.reconnects).toBeGreaterThan(0);

    r.plugIn();
    const before = r.timers.now() - T0;
    await r.timers.advance(5000);
    const firstHelloBack = r.times(MessageType.HELLO).find((t) => t > before);
    expect(r.ups).toEqual([firstHelloBack]);
    expect(r.session.state).toBe('up');
  });

  it('sends a heartbeat after 5 s of silence, so an unplugged sign shows as down within seconds', async () => {
    const r = rig({ heartbeatMs: 5000, maxRetries: 2 });
    r.session.start();
    await r.timers.advance(0);
    await r.timers.advance(4999);
    expect(r.times(MessageType.HEARTBEAT)).toEqual([]);
    await r.timers.advance(1);
    expect(r.times(MessageType.HEARTBEAT)).toEqual([5000]);
    // Answered: the next one only after another 5 s of silence.
    await r.timers.advance(4999);
    expect(r.times(MessageType.HEARTBEAT)).toEqual([5000]);
    expect(r.downs).toEqual([]);

    r.unplug();
    await r.timers.advance(10_000);
    // Unanswered heartbeat at 10 s. The RTO was learnt from the first one's round trip (0 ms in virtual time, so the
    // 20 ms floor), doubling: retries at +20 and +60 ms, down at the third timeout (+140 ms).
    expect(r.session.stats.srttMs).toBe(0);
    expect(r.times(MessageType.HEARTBEAT).slice(0, 4)).toEqual([5000, 10_000, 10_020, 10_060]);
    expect(r.downs[0]).toEqual({ at: 10_140, reason: 'no answer from the sign after 2 retries' });
  });

  it('puts a frame on the sign, holds its lease, and the sign drops it when the lease runs out unrefreshed', async () => {
    const r = rig({ heartbeatMs: 0 });
    const controller = new SignController('TIMERS', r.session, r.timers, { leaseMs: 30_000, chunkBytes: 256 });
    controller.start();
    await r.timers.advance(0);
    const frame = solidFrame(SMALL_PANEL.width, SMALL_PANEL.height, 'rgb888');
    frame.bytes.fill(0xb0);
    const shown = controller.show({ frame, priority: 'scheduled', ttlMs: 30_000, itemId: 'page-1' });
    await r.timers.advance(0);
    await shown;
    expect(controller.showing()).toMatchObject({ priority: 'scheduled', itemId: 'page-1' });
    expect(r.sign.framebuffer().bytes[0]).toBe(0xb0);
    // Nobody refreshes the lease: 30 s later both the controller and the sign agree it is over.
    await r.timers.advance(29_999);
    expect(controller.showing()?.itemId).toBe('page-1');
    await r.timers.advance(1);
    expect(controller.showing()).toBeNull();
    expect(r.sign.framebuffer().bytes[0]).not.toBe(0xb0);
  });
});

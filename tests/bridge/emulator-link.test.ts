/**
 * Skylt's SignController against the C sign emulator (firmware-bridge/build/skylt-sign), over a real
 * pseudo-terminal pair (socat) and over TCP: what the emulator's panel dump shows is compared
 * pixel for pixel with the frame the controller sent.
 */
import { rmSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { systemClock } from '../../src/domain/clock.ts';
import type { Frame } from '../../src/render/frame.ts';
import { BridgeSession, LinkDownError, type SessionOptions } from '../../src/signs/bridge/bridge-session.ts';
import { Priority } from '../../src/signs/bridge/messages.ts';
import { pacedTransport } from '../../src/signs/paced-transport.ts';
import { SerialTransport } from '../../src/signs/serial-transport.ts';
import { type ShowRequest, SignController } from '../../src/signs/sign-controller.ts';
import { CRISIS_SLOT } from '../../src/signs/slot-cache.ts';
import { TcpTransport } from '../../src/signs/tcp-transport.ts';
import type { Transport } from '../../src/signs/transport.ts';
import { buildEmulator, Emulator, haveSocat, rgbCrc, SocatPair, TamperProxy, tempDir, waitFor } from './emulator.ts';
import { frameCrc32, noiseFrame, sameBytes, textLikeFrame } from './frames.ts';

const W = 96;
const H = 48;
const SESSION: SessionOptions = { rtoInitialMs: 100, backoffMinMs: 50, backoffMaxMs: 500, heartbeatMs: 300 };

let build: { ok: true } | { ok: false; reason: string } = { ok: false, reason: 'not built yet' };
let socat = false;

beforeAll(() => {
  build = buildEmulator();
  socat = haveSocat();
  if (!build.ok) console.warn(`SKIPPING the C emulator integration tests: ${build.reason}`);
  if (!socat) console.warn('SKIPPING the pty integration tests: socat is not installed (apt-get install socat)');
}, 120_000);

/** On a developer's box a missing tool skips with the reason; in CI (.ci/run installs them) it fails. */
function needEmulator(ctx: TestContext, pty = false): void {
  const missing = !build.ok
    ? `the C sign emulator cannot be built: ${build.reason}`
    : pty && !socat
      ? 'socat is not installed, so there is no pty pair (apt-get install socat)'
      : null;
  if (!missing) return;
  if (process.env.CI) throw new Error(missing);
  ctx.skip(missing);
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Rig {
  emu: Emulator;
  session: BridgeSession;
  controller: SignController;
}

function controllerOver(
  transport: Transport,
  session: SessionOptions = SESSION,
): { session: BridgeSession; controller: SignController } {
  const bridge = new BridgeSession(transport, session);
  const controller = new SignController('EMU', bridge, systemClock, { leaseMs: 30_000, chunkBytes: 512 });
  // The runtime's tick: leases are refreshed while the link is up.
  const tick = setInterval(() => controller.refreshLeases(), 100);
  cleanups.push(async () => {
    clearInterval(tick);
    await controller.stop();
  });
  return { session: bridge, controller };
}

async function ptyRig(
  options: { pace?: number; width?: number; height?: number } = {},
): Promise<Rig & { socat: SocatPair }> {
  const dir = tempDir('skylt-pty-');
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const pair = new SocatPair(dir);
  await pair.start();
  cleanups.push(() => pair.kill());
  const emu = await Emulator.start({
    link: { tty: pair.b },
    width: options.width ?? W,
    height: options.height ?? H,
    bootId: 100,
  });
  cleanups.push(() => emu.stop());
  const serial: Transport = new SerialTransport(pair.a, { watchMs: 100 });
  const transport = options.pace ? pacedTransport(serial, options.pace) : serial;
  const { session, controller } = controllerOver(transport);
  controller.start();
  await waitFor('link up over the pty', () => controller.linkUp);
  return { emu, session, controller, socat: pair };
}

async function tcpRig(
  proxy?: (emulatorPort: number) => Promise<TamperProxy>,
): Promise<Rig & { proxy: TamperProxy | null }> {
  const emu = await Emulator.start({ link: { tcp: 0 }, width: W, height: H, bootId: 200 });
  cleanups.push(() => emu.stop());
  let port = emu.port as number;
  let p: TamperProxy | null = null;
  if (proxy) {
    p = await proxy(port);
    const started = p;
    cleanups.push(() => started.cut());
    port = p.port;
  }
  const { session, controller } = controllerOver(new TcpTransport('127.0.0.1', port));
  controller.start();
  await waitFor('link up over TCP', () => controller.linkUp);
  return { emu, session, controller, proxy: p };
}

/** Retries through link-downs, as the runtime's player does on its next tick. */
async function showEventually(controller: SignController, request: ShowRequest, timeoutMs = 20_000): Promise<void> {
  const started = Date.now();
  for (;;) {
    try {
      await waitFor('link up', () => controller.linkUp, timeoutMs);
      await controller.show(request);
      return;
    } catch (error: unknown) {
      if (!(error instanceof LinkDownError) || Date.now() - started > timeoutMs) throw error;
    }
  }
}

async function panelShows(emu: Emulator, frame: Frame, timeoutMs = 10_000): Promise<void> {
  await waitFor(
    `the emulator's panel to show the frame with CRC ${frameCrc32(frame).toString(16)}`,
    () => {
      const dump = emu.dump();
      return dump !== null && sameBytes(dump.rgb, frame.bytes);
    },
    timeoutMs,
  );
}

describe.each(['pty', 'tcp'] as const)('SignController and the C emulator over %s', (kind) => {
  const rig = () => (kind === 'pty' ? ptyRig() : tcpRig());

  it('uploads and plays text-like (PRLE) and photo-like (raw) frames, pixel-exact on the panel', async (ctx) => {
    needEmulator(ctx, kind === 'pty');
    const { emu, controller } = await rig();
    for (const [i, frame] of [textLikeFrame(W, H, 1), noiseFrame(W, H, 2), textLikeFrame(W, H, 3)].entries()) {
      await controller.show({ frame, priority: 'scheduled', ttlMs: 30_000, itemId: `item-${i}` });
      await panelShows(emu, frame);
      expect(emu.status()).toMatchObject({ showing_crc32: frameCrc32(frame), showing_priority: Priority.scheduled });
    }
    const report = await controller.readBack();
    expect(report.showingCrc32).toBe(frameCrc32(textLikeFrame(W, H, 3)));
  });
});

describe('crisis preemption', () => {
  it('gets the crisis PLAY through in the middle of a long raw upload on a 115200-baud line', async (ctx) => {
    needEmulator(ctx, true);
    // 128x64 RGB888 noise is 24.6 KB raw: about 2.2 s at 11520 B/s.
    const w = 128;
    const h = 64;
    const { emu, session, controller } = await ptyRig({ pace: 11_520, width: w, height: h });
    const crisis = textLikeFrame(w, h, 99);
    controller.setCrisisFrame(crisis);
    await waitFor('crisis slot uploaded', async () => (await controller.readBack(CRISIS_SLOT)).queryValid === 1);

    const photo = noiseFrame(w, h, 7);
    const before = session.stats.bytesSent;
    let uploadDone = false;
    const upload = controller.show({ frame: photo, priority: 'scheduled', ttlMs: 30_000, itemId: 'photo' }).then(() => {
      uploadDone = true;
    });
    await waitFor(
      'a quarter of the upload on the wire',
      () => session.stats.bytesSent - before > photo.bytes.length / 4,
    );
    await controller.playCrisisSlot(null);
    expect(uploadDone).toBe(false);
    const during = await controller.readBack();
    expect(during).toMatchObject({
      showingSlot: CRISIS_SLOT,
      showingPriority: Priority.crisis,
      showingCrc32: frameCrc32(crisis),
    });
    expect(uploadDone).toBe(false);
    await panelShows(emu, crisis);

    await upload;
    // The upload finished under the crisis: the crisis stays on top until it is ended.
    expect((await controller.readBack()).showingPriority).toBe(Priority.crisis);
    await controller.end('crisis');
    await panelShows(emu, photo);
  });
});

describe('a link cut and restored', () => {
  it('over the pty: socat killed and restarted, the sign converges to what the controller holds', async (ctx) => {
    needEmulator(ctx, true);
    const { emu, controller, socat: pair } = await ptyRig();
    const a = textLikeFrame(W, H, 11);
    await controller.show({ frame: a, priority: 'scheduled', ttlMs: 1500, itemId: 'a' });
    await panelShows(emu, a);

    await pair.kill();
    await waitFor('the controller to see the link down', () => !controller.linkUp);
    // The lease runs out on the sign while the cable is out: it falls back to its (empty) default slot.
    await waitFor('lease expiry on the sign', () => emu.status()?.showing_priority === 0, 5000);

    await pair.start();
    await waitFor('link up again', () => controller.linkUp, 10_000);
    await panelShows(emu, a);
    expect(emu.status()?.showing_priority).toBe(Priority.scheduled);
  });

  it('over TCP: the connection dropped and the network back later, the sign converges', async (ctx) => {
    needEmulator(ctx);
    const { emu, controller, proxy } = await tcpRig(async (port) => {
      const p = new TamperProxy(port, { seed: 1 });
      await p.start();
      return p;
    });
    const a = textLikeFrame(W, H, 21);
    const b = textLikeFrame(W, H, 22);
    await controller.show({ frame: a, priority: 'scheduled', ttlMs: 30_000, itemId: 'a' });
    await panelShows(emu, a);

    const port = proxy?.port as number;
    await proxy?.cut();
    await waitFor('the controller to see the link down', () => !controller.linkUp);
    await expect(
      controller.show({ frame: b, priority: 'scheduled', ttlMs: 30_000, itemId: 'b' }),
    ).rejects.toBeInstanceOf(LinkDownError);

    await new Promise((r) => setTimeout(r, 300));
    await proxy?.start(port);
    await showEventually(controller, { frame: b, priority: 'scheduled', ttlMs: 30_000, itemId: 'b' });
    await panelShows(emu, b);
  });
});

describe('a sign restart', () => {
  it('SIGHUP: new boot id, the cache is rebuilt and the content re-uploaded', async (ctx) => {
    needEmulator(ctx);
    const { emu, session, controller } = await tcpRig();
    const crisis = textLikeFrame(W, H, 31);
    const fallback = textLikeFrame(W, H, 32);
    const page = noiseFrame(W, H, 33);
    controller.setCrisisFrame(crisis);
    controller.setDefaultFrame(fallback);
    await waitFor(
      'reserved slots uploaded',
      async () => (await controller.readBack(0)).queryValid === 1 && (await controller.readBack(1)).queryValid === 1,
    );
    await controller.show({ frame: page, priority: 'scheduled', ttlMs: 30_000, itemId: 'page' });
    await panelShows(emu, page);
    const bootBefore = session.capabilities?.bootId;
    const sentBefore = session.stats.bytesSent;
    let reboots = 0;
    session.on('reboot', () => reboots++);

    emu.reboot();
    await waitFor('the controller to see the new boot id', () => session.capabilities?.bootId !== bootBefore);
    expect(reboots).toBe(1);
    // Slot 0 survives a reboot, so the sign shows its default page until the controller is back.
    await panelShows(emu, page);
    expect(emu.status()).toMatchObject({ boot_id: session.capabilities?.bootId, showing_priority: Priority.scheduled });
    // The page went over the wire again (raw), and the crisis slot was rebuilt.
    expect(session.stats.bytesSent - sentBefore).toBeGreaterThan(page.bytes.length);
    await waitFor('crisis slot rebuilt', async () => {
      const r = await controller.readBack(CRISIS_SLOT);
      return r.queryValid === 1 && r.queryCrc32 === frameCrc32(crisis);
    });
  });
});

describe('byte corruption and dropped frames', () => {
  it('through a tampering proxy the sign never shows a frame that failed its CRC, and converges', async (ctx) => {
    needEmulator(ctx);
    const { emu, session, controller, proxy } = await tcpRig(async (port) => {
      const p = new TamperProxy(port, {
        seed: 0x5eed,
        dropChunk: 0.05,
        flipBit: 0.08,
        dropReplyChunk: 0.03,
        flipReplyBit: 0.03,
      });
      await p.start();
      return p;
    });
    const frames = Array.from({ length: 12 }, (_, i) =>
      i % 3 === 1 ? noiseFrame(W, H, 40 + i) : textLikeFrame(W, H, 40 + i),
    );
    const allowed = new Set([rgbCrc(new Uint8Array(W * H * 3)), ...frames.map((f) => rgbCrc(f.bytes))]);
    const seen = new Set<number>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const dump = emu.dump();
        if (dump) seen.add(rgbCrc(dump.rgb));
        await new Promise((r) => setTimeout(r, 5));
      }
    })();

    for (const [i, frame] of frames.entries()) {
      await showEventually(controller, { frame, priority: 'scheduled', ttlMs: 30_000, itemId: `f${i}` });
      await panelShows(emu, frame);
    }
    watching = false;
    await watcher;

    for (const crc of seen) expect(allowed.has(crc), `panel showed an unknown frame ${crc.toString(16)}`).toBe(true);
    expect(proxy?.stats.flippedDown).toBeGreaterThan(0);
    expect(proxy?.stats.droppedDown).toBeGreaterThan(0);
    expect(emu.status()?.rx_errors).toBeGreaterThan(0);
    expect(session.stats.retransmits).toBeGreaterThan(0);
    expect(emu.status()?.showing_crc32).toBe(frameCrc32(frames[frames.length - 1] as Frame));
  });
});

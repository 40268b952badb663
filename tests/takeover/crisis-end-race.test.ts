/**
 * An all-clear or a feed's Cancel that lands while the two-stage takeover is still on its way to the signs must win:
 * afterwards no sign shows the crisis, and /api/crisis, /api/health and each sign agree. The end is made to land at
 * each stage of the takeover (hooked on the commands as Skylt hands them to the link), over each kind of link:
 * virtual signs, the C sign emulator on a paced pty (115200 baud) and over TCP. What is checked is what the sign
 * itself reports and shows (its STATUS and framebuffer / panel dump), not Skylt's own bookkeeping.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { frameToRgba } from '../../src/render/frame.ts';
import { renderItemForSign } from '../../src/render/sign-page.ts';
import { type ControllerMessage, Priority } from '../../src/signs/bridge/messages.ts';
import { CRISIS_SLOT } from '../../src/signs/slot-cache.ts';
import type { CrisisRecord } from '../../src/store/crisis-repository.ts';
import { rgbCrc } from '../bridge/emulator.ts';
import { FeedReplayServer, fixture } from '../crisis/feed-replay-server.ts';
import { build, type TestApp } from '../helper.ts';
import { communicatorFetch, decodePng } from '../integration/app-helpers.ts';
import {
  type Emulator,
  fallbackPages,
  ptyPair,
  requireEmulator,
  startEmulatorTcp,
  startEmulatorTty,
  tempDir,
  writeSignFile,
} from '../resilience/sign-rig.ts';
import { waitFor } from '../signs/helpers.ts';

const SIGNS = ['E20-N', 'E20-S'] as const;

/** Where in the takeover the end lands. */
const STAGES = [
  'the generic PLAY is on the wire, not yet acknowledged',
  'the generic page is confirmed and read back, the specific text not yet sent',
  'the specific text is half uploaded',
  'the specific PLAY is on the wire, not yet acknowledged',
  'the takeover is complete',
] as const;
type Stage = (typeof STAGES)[number];

interface Rig {
  app: TestApp;
  /** The sign's own report of what it shows: priority and the CRC-32 of its picture. */
  signShows(signId: string): Promise<{ priority: number; pictureCrc: number }>;
  close(): Promise<void>;
}

/** The runtime's tick with its clock following real time, as in production: leases are refreshed. */
function ticking(app: TestApp): () => void {
  let last = performance.now();
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    const now = performance.now();
    app.clock.advance(Math.round(now - last));
    last = now;
    void app.runtime
      .tick()
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, 50);
  return () => clearInterval(timer);
}

async function virtualRig(): Promise<Rig> {
  const app = await build({ listen: true });
  const stop = ticking(app);
  return {
    app,
    async signShows(signId) {
      const report = await app.runtime.signs.get(signId)?.controller.readBack();
      const png = await fetch(`${app.url}/api/signs/${signId}/frame.png`);
      const { rgba } = decodePng(Buffer.from(await png.arrayBuffer()));
      return { priority: report?.showingPriority ?? -1, pictureCrc: rgbaCrc(rgba) };
    },
    async close() {
      stop();
      await app.close();
    },
  };
}

async function emulatorRig(kind: 'serial' | 'tcp'): Promise<Rig> {
  requireEmulator(kind === 'serial');
  const cleanups: Array<() => unknown> = [];
  const emu = new Map<string, Emulator>();
  const links: Record<'north' | 'south', string> = { north: '', south: '' };
  for (const [n, side] of (['north', 'south'] as const).entries()) {
    if (kind === 'tcp') {
      const e = await startEmulatorTcp(300 + n);
      cleanups.push(() => e.stop());
      emu.set(SIGNS[n] as string, e);
      links[side] = `tcp://127.0.0.1:${e.port}`;
    } else {
      const { pair, remove } = ptyPair();
      cleanups.push(remove);
      await pair.start();
      cleanups.push(() => pair.kill());
      const e = await startEmulatorTty(pair.b, 400 + n);
      cleanups.push(() => e.stop());
      emu.set(SIGNS[n] as string, e);
      // Paced like the real line, so an upload takes as long as it would at 115200 baud.
      links[side] = `serial:${pair.a}?baud=115200&pace=11520`;
    }
  }
  const dir = tempDir('skylt-end-race-');
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const app = await build({ env: { SKYLT_CONFIG: writeSignFile(dir, links), SKYLT_DATA_DIR: dir }, listen: true });
  const stop = ticking(app);
  return {
    app,
    async signShows(signId) {
      const e = emu.get(signId);
      const status = e?.status();
      const dump = e?.dump();
      return { priority: status?.showing_priority ?? -1, pictureCrc: dump ? rgbCrc(dump.rgb) : -1 };
    },
    async close() {
      stop();
      await app.close();
      for (const c of cleanups.reverse()) await c();
    },
  };
}

function rgbaCrc(rgba: Uint8ClampedArray): number {
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i] as number;
    rgb[j + 1] = rgba[i + 1] as number;
    rgb[j + 2] = rgba[i + 2] as number;
  }
  return rgbCrc(rgb);
}

/** The CRC-32 of every fallback page's picture on a sign, rendered here with the runtime's renderer. */
function fallbackPictures(app: TestApp, signId: string): Set<number> {
  const sign = app.runtime.signs.get(signId);
  if (!sign) throw new Error(signId);
  return new Set(
    fallbackPages().map((p) => {
      const rgba = frameToRgba(renderItemForSign(p, sign.surface));
      return rgbaCrc(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength));
    }),
  );
}

/**
 * Calls `then` once, right after Skylt hands the first command matching `stage` to either sign's link (before the
 * sign can have answered it). Resolves true when it fired.
 */
function atStage(app: TestApp, stage: Stage, then: () => void): { fired: () => boolean; remove: () => void } {
  let fired = false;
  const restore: Array<() => void> = [];
  let genericSent = false;
  let specificSlot: number | null = null;
  const matches = (m: ControllerMessage): boolean => {
    if (m.type === 'PLAY' && m.slot === CRISIS_SLOT && m.priority === Priority.crisis) {
      genericSent = true;
      return stage === STAGES[0];
    }
    if (m.type === 'SLOT_BEGIN' && genericSent) specificSlot = m.slot;
    if (m.type === 'SLOT_DATA' && m.slot === specificSlot && m.offset > 0) return stage === STAGES[2];
    if (m.type === 'PLAY' && m.priority === Priority.crisis && m.slot !== CRISIS_SLOT && m.crc32 !== 0)
      return stage === STAGES[3];
    return false;
  };
  for (const id of SIGNS) {
    const session = app.runtime.signs.get(id)?.controller.session;
    if (!session) throw new Error(id);
    const original = session.send.bind(session);
    session.send = (message, options) => {
      const sent = original(message, options);
      if (!fired && matches(message)) {
        fired = true;
        // After this command is queued and before any answer can arrive.
        queueMicrotask(then);
      }
      return sent;
    };
    // The read-back after the generic PLAY: the generic page is confirmed, the specific text comes next.
    const originalStatus = session.status.bind(session);
    session.status = (querySlot) => {
      const asked = originalStatus(querySlot);
      if (!fired && genericSent && specificSlot === null && stage === STAGES[1]) {
        fired = true;
        queueMicrotask(then);
      }
      return asked;
    };
    restore.push(() => {
      session.send = original;
      session.status = originalStatus;
    });
  }
  return {
    fired: () => fired,
    remove: () => {
      for (const r of restore) r();
    },
  };
}

async function crisisState(app: TestApp): Promise<{ active: boolean; crisis: CrisisRecord | null }> {
  const res = await communicatorFetch(app)('/api/crisis');
  expect(res.status).toBe(200);
  return (await res.json()) as { active: boolean; crisis: CrisisRecord | null };
}

async function healthPriorities(app: TestApp): Promise<Record<string, string | null>> {
  const body = (await (await fetch(`${app.url}/api/health`)).json()) as {
    signs: Array<{ id: string; showing: { priority: string } | null }>;
  };
  return Object.fromEntries(body.signs.map((s) => [s.id, s.showing?.priority ?? null]));
}

async function onFallback(rig: Rig): Promise<void> {
  await waitFor(
    'both signs on the fallback loop with the reserved crisis slot ready',
    async () => {
      for (const id of SIGNS) {
        const c = rig.app.runtime.signs.get(id)?.controller;
        if (c?.showing()?.priority !== 'fallback') return false;
        if ((await c.readBack(CRISIS_SLOT)).queryValid !== 1) return false;
      }
      return true;
    },
    30_000,
  );
}

/** Starts a crisis over HTTP and ends it (as the Cancel from the feed does) at `stage`; checks what the signs show. */
async function endAtStage(rig: Rig, stage: Stage, n: number): Promise<void> {
  const { app } = rig;
  await onFallback(rig);
  const api = communicatorFetch(app);
  let ended: Promise<unknown> | null = null;
  const endNow = () => {
    const running = app.runtime.crisis.active();
    if (running) ended = app.runtime.crisis.end(running.id, 'feed:sr-vma', 'cancelled by sr-vma: Cancel');
  };
  const hook = atStage(app, stage, endNow);
  try {
    // A text of its own each time, so the specific page is never already in a slot from an earlier round.
    const started = await api('/api/crisis', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ headline: `Brand i Vara ${n}`, instruction: 'Stäng fönster' }),
    });
    expect(started.status).toBe(201);
    if (stage === 'the takeover is complete') endNow();
    expect(hook.fired() || stage === 'the takeover is complete').toBe(true);
    await ended;
  } finally {
    hook.remove();
  }

  expect((await crisisState(app)).active).toBe(false);
  for (const id of SIGNS) {
    const pictures = fallbackPictures(app, id);
    const shows = await waitFor(
      `${id} back on the fallback loop`,
      async () => {
        const s = await rig.signShows(id);
        return s.priority === Priority.fallback && pictures.has(s.pictureCrc) ? s : null;
      },
      15_000,
    );
    expect(shows.priority).toBe(Priority.fallback);
  }
  // Whatever of the takeover was still in flight has landed by now: it must not have put the crisis back.
  await new Promise((r) => setTimeout(r, 1500));
  for (const id of SIGNS) {
    const s = await rig.signShows(id);
    expect(s.priority, `${id} shows priority ${s.priority} after the end (stage: ${stage})`).toBe(Priority.fallback);
    expect(fallbackPictures(app, id).has(s.pictureCrc)).toBe(true);
  }
  expect(await healthPriorities(app)).toEqual({ 'E20-N': 'fallback', 'E20-S': 'fallback' });
  expect((await crisisState(app)).active).toBe(false);
}

for (const kind of ['virtual', 'serial', 'tcp'] as const) {
  describe(`a crisis end landing mid-takeover wins (${kind} signs)`, () => {
    let rig: Rig;
    beforeAll(async () => {
      rig = kind === 'virtual' ? await virtualRig() : await emulatorRig(kind);
    }, 60_000);
    afterAll(async () => {
      await rig?.close();
    });

    STAGES.forEach((stage, n) => {
      it(`ends when ${stage}`, async () => {
        await endAtStage(rig, stage, n);
      }, 60_000);
    });
  });
}

describe('an Alert and its Cancel in the same SR VMA answer (fixtures over local HTTP, real client)', () => {
  // The fixtures' own day: the policy ignores expired and stale alerts, so the clock stands where they were sent.
  const VMA_DAY = Date.parse('2026-03-02T10:15:30+01:00');
  let server: FeedReplayServer | null = null;
  let rig: Rig | null = null;
  afterAll(async () => {
    await rig?.close();
    await server?.close();
  });

  it('leaves no crisis on either sign, and /api/crisis and /api/health say so', async () => {
    const alert = JSON.parse(fixture('sr-vma-vara-alert.json')) as { alerts: Array<Record<string, unknown>> };
    const cancel = JSON.parse(fixture('sr-vma-vara-cancel.json')) as { alerts: Array<Record<string, unknown>> };
    const [first] = alert.alerts;
    const [withdrawn] = cancel.alerts;
    if (!first || !withdrawn) throw new Error('fixtures without alerts');
    // The Cancel, sent a minute after the Alert, both in one answer (newest first, as SR lists them).
    withdrawn.sent = '2026-03-02T10:13:00+01:00';
    withdrawn.references = `${first.sender},${first.identifier},${first.sent}`;
    server = await FeedReplayServer.start();
    server.serveJson('/api/v3/alerts', { timestamp: '2026-03-02T10:15:00+01:00', alerts: [withdrawn, first] });
    const app = await build({
      env: { SKYLT_FEED_POLL_SECONDS: '0.05', SKYLT_VMA_PUSH: 'off', SKYLT_VMA_URL: `${server.url}/api/v3` },
      start: VMA_DAY,
      listen: true,
    });
    const stop = ticking(app);
    rig = {
      app,
      signShows: async (signId) => {
        const report = await app.runtime.signs.get(signId)?.controller.readBack();
        const png = await fetch(`${app.url}/api/signs/${signId}/frame.png`);
        return {
          priority: report?.showingPriority ?? -1,
          pictureCrc: rgbaCrc(decodePng(Buffer.from(await png.arrayBuffer())).rgba),
        };
      },
      close: async () => {
        stop();
        await app.close();
      },
    };
    // Several polls of the same answer have come and gone.
    await waitFor(
      'the feed polled a few times',
      () => (server?.requests.filter((r) => r.path.startsWith('/api/v3/alerts')).length ?? 0) >= 5,
      10_000,
    );
    const state = await crisisState(app);
    expect(state.active).toBe(false);
    for (const id of SIGNS) {
      const pictures = fallbackPictures(app, id);
      await waitFor(
        `${id} on the fallback loop`,
        async () => {
          const s = await rig?.signShows(id);
          return s?.priority === Priority.fallback && pictures.has(s.pictureCrc);
        },
        15_000,
      );
    }
    expect(await healthPriorities(app)).toEqual({ 'E20-N': 'fallback', 'E20-S': 'fallback' });
  }, 60_000);
});

import { type Clock, systemClock } from '../../src/domain/clock.ts';
import { BridgeSession, type SessionOptions } from '../../src/signs/bridge/bridge-session.ts';
import { MemoryLink, type MemoryLinkOptions } from '../../src/signs/memory-transport.ts';
import { SignController } from '../../src/signs/sign-controller.ts';
import { type PanelSpec, VirtualSign } from '../../src/signs/virtual-sign.ts';

export const SMALL_PANEL: PanelSpec = { width: 64, height: 32, format: 'rgb888', slotCount: 6, slotBytes: 64 * 32 * 3 };

export interface RigOptions {
  link?: MemoryLinkOptions;
  chunkBytes?: number;
}

/** A controller wired to a virtual sign over an in-memory link, as the embedded default does. */
export function virtualRig(
  panel: PanelSpec = SMALL_PANEL,
  clock: Clock = systemClock,
  session: SessionOptions = {},
  options: RigOptions = {},
) {
  const link = new MemoryLink('virtual:test', options.link);
  const sign = new VirtualSign(panel, clock, (b) => signSend(b), 0x1234);
  const signSend = link.attachSign((chunk) => sign.receive(chunk));
  const bridge = new BridgeSession(link.controller, { rtoInitialMs: 50, heartbeatMs: 0, ...session });
  const controller = new SignController('TEST', bridge, clock, {
    leaseMs: 30_000,
    chunkBytes: options.chunkBytes ?? 256,
  });
  return { link, sign, bridge, controller, signSend };
}

/** Polls until `check` is truthy (it may be async); for state that settles over a real link. */
export async function waitFor<T>(
  what: string,
  check: () => T | null | undefined | false | Promise<T | null | undefined | false>,
  timeoutMs = 5000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

import type { SignConfig } from '../config.ts';
import type { Clock } from '../domain/clock.ts';
import { MemoryLink } from './memory-transport.ts';
import type { Transport } from './transport.ts';
import { VirtualSign } from './virtual-sign.ts';

export interface SignLink {
  readonly transport: Transport;
  /** Present for in-process virtual signs: their framebuffer is readable directly. */
  readonly virtualSign: VirtualSign | null;
}

/** Picks the transport from the sign's configured link (the address decides, the framing is shared). */
export function createSignLink(sign: SignConfig, clock: Clock): SignLink {
  if (sign.link === 'virtual') {
    const link = new MemoryLink(`virtual:${sign.id}`);
    const virtualSign = new VirtualSign(
      {
        width: sign.width,
        height: sign.height,
        format: sign.pixelFormat,
        slotCount: sign.slotCount,
        slotBytes: sign.width * sign.height * 3,
      },
      clock,
      (bytes) => send(bytes),
    );
    const send = link.attachSign((chunk) => virtualSign.receive(chunk));
    return { transport: link.controller, virtualSign };
  }
  throw new Error(`sign ${sign.id}: link "${sign.link}" is not supported by this build yet`);
}

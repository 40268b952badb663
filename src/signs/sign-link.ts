import type { Clock } from '../domain/clock.ts';
import { framebufferSize } from '../render/frame.ts';
import { DdpOutput } from './ddp/ddp-output.ts';
import { parseLinkAddress } from './link-address.ts';
import { MemoryLink } from './memory-transport.ts';
import { pacedTransport } from './paced-transport.ts';
import { SerialTransport } from './serial-transport.ts';
import type { SignConfig } from './sign-config.ts';
import { TcpTransport } from './tcp-transport.ts';
import type { Transport } from './transport.ts';
import { VirtualSign } from './virtual-sign.ts';

export interface SignLink {
  readonly transport: Transport;
  /**
   * Present when the sign's slot memory lives in this process: the embedded virtual signs, and DDP
   * signs (whose pixel controller has no memory). Its framebuffer is what the panel shows.
   */
  readonly virtualSign: VirtualSign | null;
  /** The DDP stream feeding a pixel controller, for `ddp://` links. */
  readonly ddp?: DdpOutput | null;
}

/** Picks the transport from the sign's configured link (the address decides, the framing is shared). */
export function createSignLink(sign: SignConfig, clock: Clock): SignLink {
  const address = parseLinkAddress(sign.link);
  switch (address.kind) {
    case 'virtual': {
      const { transport, virtualSign } = inProcessSign(sign, clock, `virtual:${sign.id}`);
      return { transport, virtualSign };
    }
    case 'serial': {
      const serial = new SerialTransport(address.path, { baudRate: address.baudRate });
      return { transport: paced(serial, address.paceBytesPerSecond), virtualSign: null };
    }
    case 'tcp': {
      const tcp = new TcpTransport(address.host, address.port);
      return { transport: paced(tcp, address.paceBytesPerSecond), virtualSign: null };
    }
    case 'ddp':
      return ddpSignLink(sign, clock, address.host, address.port);
  }
}

function paced(transport: Transport, bytesPerSecond: number | null): Transport {
  return bytesPerSecond ? pacedTransport(transport, bytesPerSecond) : transport;
}

function inProcessSign(sign: SignConfig, clock: Clock, address: string) {
  const link = new MemoryLink(address);
  const virtualSign = new VirtualSign(
    {
      width: sign.width,
      height: sign.height,
      format: sign.pixelFormat,
      slotCount: sign.slotCount,
      slotBytes: framebufferSize(sign.width, sign.height, sign.pixelFormat),
    },
    clock,
    (bytes) => send(bytes),
  );
  const send = link.attachSign((chunk) => virtualSign.receive(chunk));
  return { link, transport: link.controller, virtualSign };
}

/**
 * A DDP pixel controller driven as a full Skylt sign: the slot memory, leases and priorities live in
 * an in-process virtual sign (the device has none), spoken to over the same bridge protocol, and
 * whatever that sign's panel shows is streamed over DDP. So the controller, the crisis fast path
 * and the lease fallback work unchanged; only "the sign keeps its crisis frame if Skylt dies" does
 * not hold, since the device forgets everything when the stream stops.
 */
export function ddpSignLink(sign: SignConfig, clock: Clock, host: string, port: number): SignLink {
  const { link, virtualSign } = inProcessSign(sign, clock, `ddp://${host}:${port}`);
  const ddp = new DdpOutput({ host, port, monoColour: sign.monoColour, onTick: () => virtualSign.framebuffer() });
  virtualSign.onPanel((panel, brightness) => ddp.show(panel, brightness));
  const inner = link.controller;
  const transport: Transport = {
    address: inner.address,
    async open() {
      await ddp.start();
      ddp.show(virtualSign.framebuffer(), virtualSign.brightnessPercent);
      await inner.open();
    },
    write: (bytes) => inner.write(bytes),
    async close() {
      await inner.close();
      await ddp.stop();
    },
    onData: (listener) => inner.onData(listener),
    onClose: (listener) => inner.onClose(listener),
  };
  return { transport, virtualSign, ddp };
}

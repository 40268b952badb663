import type { SignConfig } from '../config.ts';
import type { Clock } from '../domain/clock.ts';
import { framebufferSize } from '../render/frame.ts';
import { DdpOutput } from './ddp/ddp-output.ts';
import { DDP_PORT } from './ddp/ddp-packets.ts';
import { MemoryLink } from './memory-transport.ts';
import { pacedTransport } from './paced-transport.ts';
import { SerialTransport } from './serial-transport.ts';
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

/**
 * A sign's link address, parsed:
 * - `virtual`: an in-process virtual sign;
 * - `serial:/dev/serial/by-id/...?baud=115200[&pace=BYTES_PER_SECOND]`;
 * - `tcp://host:port[?pace=BYTES_PER_SECOND]`;
 * - `ddp://host[:port]` (UDP, default port 4048).
 * `pace` slows the controller's writes to a byte rate (11520 is 115200 baud) over a link that is
 * really faster (a pty, loopback TCP), so link time can be measured as on the real line.
 */
export type LinkAddress =
  | { kind: 'virtual' }
  | { kind: 'serial'; path: string; baudRate: number; paceBytesPerSecond: number | null }
  | { kind: 'tcp'; host: string; port: number; paceBytesPerSecond: number | null }
  | { kind: 'ddp'; host: string; port: number };

export class LinkAddressError extends Error {
  constructor(
    readonly link: string,
    reason: string,
  ) {
    super(`sign link "${link}": ${reason}`);
    this.name = 'LinkAddressError';
  }
}

export function parseLinkAddress(link: string): LinkAddress {
  if (link === 'virtual') return { kind: 'virtual' };
  if (link.startsWith('serial:')) {
    const rest = link.slice('serial:'.length);
    const q = rest.indexOf('?');
    const path = q < 0 ? rest : rest.slice(0, q);
    const params = new URLSearchParams(q < 0 ? '' : rest.slice(q + 1));
    if (!path.startsWith('/')) throw new LinkAddressError(link, 'a serial link needs an absolute device path');
    return {
      kind: 'serial',
      path,
      baudRate: positiveInt(link, params, 'baud') ?? 115200,
      paceBytesPerSecond: positiveInt(link, params, 'pace'),
    };
  }
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    throw new LinkAddressError(link, 'use "virtual", "serial:/dev/...", "tcp://host:port" or "ddp://host[:port]"');
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new LinkAddressError(link, 'no host');
  if (url.protocol === 'tcp:') {
    if (!url.port) throw new LinkAddressError(link, 'a tcp link needs a port, e.g. tcp://10.0.0.5:4000');
    return {
      kind: 'tcp',
      host,
      port: Number(url.port),
      paceBytesPerSecond: positiveInt(link, url.searchParams, 'pace'),
    };
  }
  if (url.protocol === 'ddp:') return { kind: 'ddp', host, port: url.port ? Number(url.port) : DDP_PORT };
  throw new LinkAddressError(link, `unknown scheme ${url.protocol}`);
}

function positiveInt(link: string, params: URLSearchParams, name: string): number | null {
  const v = params.get(name);
  if (v === null) return null;
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0)
    throw new LinkAddressError(link, `${name} must be a positive whole number, got "${v}"`);
  return n;
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

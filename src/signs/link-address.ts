import { DDP_PORT } from './ddp/ddp-packets.ts';

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

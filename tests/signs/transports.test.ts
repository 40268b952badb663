import { mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.ts';
import { setPixelValue, solidFrame } from '../../src/render/frame.ts';
import { BridgeSession } from '../../src/signs/bridge/bridge-session.ts';
import { parseLinkAddress } from '../../src/signs/link-address.ts';
import { MemoryLink } from '../../src/signs/memory-transport.ts';
import { PacedLine, pacedTransport } from '../../src/signs/paced-transport.ts';
import { SerialTransport } from '../../src/signs/serial-transport.ts';
import { SignConfig } from '../../src/signs/sign-config.ts';
import { SignController } from '../../src/signs/sign-controller.ts';
import { createSignLink } from '../../src/signs/sign-link.ts';
import { TcpTransport } from '../../src/signs/tcp-transport.ts';
import { LinkError } from '../../src/signs/transport.ts';
import { VirtualSign } from '../../src/signs/virtual-sign.ts';
import { SMALL_PANEL, waitFor } from './helpers.ts';

const cleanups: Array<() => unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('link addresses', () => {
  it('parses every configured form', () => {
    expect(parseLinkAddress('virtual')).toEqual({ kind: 'virtual' });
    expect(parseLinkAddress('serial:/dev/serial/by-id/usb-FTDI_FT232R-if00-port0?baud=57600')).toEqual({
      kind: 'serial',
      path: '/dev/serial/by-id/usb-FTDI_FT232R-if00-port0',
      baudRate: 57600,
      paceBytesPerSecond: null,
    });
    expect(parseLinkAddress('serial:/tmp/x/A?pace=11520')).toMatchObject({
      path: '/tmp/x/A',
      baudRate: 115200,
      paceBytesPerSecond: 11520,
    });
    expect(parseLinkAddress('tcp://10.0.0.5:4000')).toEqual({
      kind: 'tcp',
      host: '10.0.0.5',
      port: 4000,
      paceBytesPerSecond: null,
    });
    expect(parseLinkAddress('tcp://sign-n.local:4000?pace=11520')).toMatchObject({
      host: 'sign-n.local',
      paceBytesPerSecond: 11520,
    });
    expect(parseLinkAddress('ddp://192.168.1.50')).toEqual({ kind: 'ddp', host: '192.168.1.50', port: 4048 });
    expect(parseLinkAddress('ddp://wled.local:4049')).toEqual({ kind: 'ddp', host: 'wled.local', port: 4049 });
  });

  it('says what is wrong with a bad one', () => {
    expect(() => parseLinkAddress('tcp://10.0.0.5')).toThrow(/needs a port/);
    expect(() => parseLinkAddress('serial:/dev/ttyUSB0?baud=fast')).toThrow(/baud must be a positive whole number/);
    expect(() => parseLinkAddress('http://x:1')).toThrow(/unknown scheme/);
  });

  it('the config accepts what the parser accepts', () => {
    for (const link of [
      'tcp://10.0.0.5:4000?pace=11520',
      'serial:/dev/ttyUSB0?baud=115200&pace=11520',
      'ddp://10.0.0.9',
    ]) {
      expect(SignConfig.shape.link.safeParse(link).success).toBe(true);
    }
  });
});

describe('SerialTransport', () => {
  function mockSerial(path: string, watchMs = 0) {
    SerialPortMock.binding.createPort(path, { record: true });
    let port: SerialPortMock | null = null;
    const transport = new SerialTransport(path, {
      watchMs,
      createPort: (p, baudRate) => {
        port = new SerialPortMock({ path: p, baudRate, autoOpen: false });
        return port;
      },
    });
    cleanups.push(() => transport.close());
    return { transport, port: () => port as unknown as SerialPortMock };
  }

  it('writes (resolving after drain), reads, and reports a device that went away', async () => {
    const { transport, port } = mockSerial('/dev/ttyMOCK0');
    const got: number[] = [];
    const closed: Error[] = [];
    transport.onData((c) => got.push(...c));
    transport.onClose((e) => closed.push(e as Error));
    await transport.open();
    await transport.write(Uint8Array.of(1, 2, 0));
    expect([...(port().port?.recording ?? [])]).toEqual([1, 2, 0]);
    port().port?.emitData(Buffer.from([9, 8, 0]));
    await waitFor('data', () => got.length === 3);
    expect(got).toEqual([9, 8, 0]);

    // A USB adapter unplugged: serialport reports a disconnect.
    (port() as unknown as { _disconnected(e: Error): void })._disconnected(new Error('EIO'));
    await waitFor('close reported', () => closed.length === 1);
    expect(closed[0]).toBeInstanceOf(LinkError);
    await expect(transport.write(Uint8Array.of(1))).rejects.toBeInstanceOf(LinkError);
    // ... and plugged back in: the session's next open() works.
    await transport.open();
    await transport.write(Uint8Array.of(7, 0));
  });

  it('notices that a by-id link vanished even when the port itself says nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skylt-serial-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'ttyUSB0'), '');
    const link = join(dir, 'usb-FTDI-if00-port0');
    symlinkSync(join(dir, 'ttyUSB0'), link);
    const { transport } = mockSerial(link, 20);
    const closed: Error[] = [];
    transport.onClose((e) => closed.push(e as Error));
    await transport.open();
    unlinkSync(link);
    await waitFor('close reported', () => closed.length === 1);
    expect(closed[0]?.message).toMatch(/disappeared/);
  });
});

/** A virtual sign served over TCP, as a serial-to-Ethernet converter would carry it. */
async function tcpSignServer() {
  const sign = new VirtualSign(SMALL_PANEL, systemClock, (b) => client?.write(b), 0x77);
  let client: Socket | null = null;
  const server: Server = createServer((socket) => {
    client?.destroy();
    client = socket;
    socket.on('data', (chunk: Buffer) => sign.receive(new Uint8Array(chunk)));
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  cleanups.push(() => new Promise((r) => server.close(r)));
  return { sign, port, dropClient: () => client?.destroy() };
}

describe('TcpTransport', () => {
  it('carries the bridge, and the session reconnects when the connection drops', async () => {
    const { sign, port, dropClient } = await tcpSignServer();
    const session = new BridgeSession(new TcpTransport('127.0.0.1', port), { backoffMinMs: 20, heartbeatMs: 0 });
    const controller = new SignController('TCP', session, systemClock, { leaseMs: 30_000, chunkBytes: 256 });
    cleanups.push(() => controller.stop());
    controller.start();
    await waitFor('up', () => controller.linkUp);
    const page = solidFrame(SMALL_PANEL.width, SMALL_PANEL.height, 'rgb888');
    setPixelValue(page.bytes, page.width, page.format, 3, 3, 0xffffff);
    await controller.show({ frame: page, priority: 'scheduled', ttlMs: 30_000, itemId: 'p' });
    expect(sign.status().showingPriority).toBe(2);

    dropClient();
    await waitFor('down', () => !controller.linkUp);
    await waitFor('up again', () => controller.linkUp, 3000);
    expect(session.stats.reconnects).toBeGreaterThan(0);
    await controller.end('scheduled');
    expect(sign.status().showingPriority).toBe(0);
  });

  it('fails an open to a port nobody listens on with a LinkError', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    await expect(new TcpTransport('127.0.0.1', port).open()).rejects.toBeInstanceOf(LinkError);
  });
});

describe('pacing', () => {
  it('lets writes resolve when the bytes would have left a 115200-baud UART, in order', async () => {
    const link = new MemoryLink('paced');
    const arrived: number[] = [];
    link.attachSign((chunk) => arrived.push(chunk[0] as number));
    const transport = pacedTransport(link.controller, 11_520);
    await transport.open();
    const t0 = performance.now();
    const writes = [1, 2, 3].map((n) => transport.write(new Uint8Array(384).fill(n)));
    await writes[0];
    const first = performance.now() - t0;
    await Promise.all(writes);
    const all = performance.now() - t0;
    // 384 bytes is 33.3 ms at 11520 B/s; three of them 100 ms.
    expect(first).toBeGreaterThanOrEqual(30);
    expect(all).toBeGreaterThanOrEqual(95);
    await waitFor('delivered', () => arrived.length === 3);
    expect(arrived).toEqual([1, 2, 3]);
    expect(transport.line.bytes).toBe(3 * 384);
  });

  it('rejects a nonsense rate', () => {
    expect(() => new PacedLine(0, () => undefined)).toThrow(RangeError);
  });
});

describe('createSignLink', () => {
  const base = {
    id: 'E20-N',
    name: 'n',
    direction: 'northbound',
    facing: 'f',
    lat: 58,
    lon: 12,
    width: 64,
    height: 32,
    pixelPitchMm: 16,
    pixelFormat: 'rgb888',
  } as const;

  it('builds the transport that the address names', () => {
    expect(createSignLink(SignConfig.parse({ ...base, link: 'virtual' }), systemClock).virtualSign).not.toBeNull();
    expect(
      createSignLink(SignConfig.parse({ ...base, link: 'tcp://127.0.0.1:9' }), systemClock).transport.address,
    ).toBe('tcp://127.0.0.1:9');
    const serial = createSignLink(SignConfig.parse({ ...base, link: 'serial:/dev/ttyUSB7?baud=57600' }), systemClock);
    expect(serial.transport.address).toBe('serial:/dev/ttyUSB7?baud=57600');
    expect(serial.virtualSign).toBeNull();
    const ddp = createSignLink(SignConfig.parse({ ...base, link: 'ddp://127.0.0.1' }), systemClock);
    expect(ddp.ddp?.address).toBe('ddp://127.0.0.1:4048');
    expect(ddp.virtualSign).not.toBeNull();
  });
});

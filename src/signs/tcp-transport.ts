import { Socket } from 'node:net';
import { LinkError, type Transport } from './transport.ts';

export interface TcpTransportOptions {
  /** Give up a connect attempt after this long (the session retries with back-off). Default 3000. */
  connectTimeoutMs?: number;
  /** TCP keepalive probe delay: a sign that lost power without a FIN is noticed. Default 5000. */
  keepAliveMs?: number;
}

/**
 * The bridge over TCP (`tcp://host:port`): a serial-to-Ethernet converter on the sign, or the sign
 * emulator. Same framing as serial. Nagle is off (a crisis PLAY is one small frame that must not
 * wait), keepalive is on, and a closed or failed socket is reported so the session reconnects.
 */
export class TcpTransport implements Transport {
  readonly address: string;
  private socket: Socket | null = null;
  private readonly dataListeners = new Set<(chunk: Uint8Array) => void>();
  private readonly closeListeners = new Set<(error?: Error) => void>();

  constructor(
    readonly host: string,
    readonly port: number,
    private readonly options: TcpTransportOptions = {},
  ) {
    this.address = `tcp://${host}:${port}`;
  }

  async open(): Promise<void> {
    if (this.socket) return;
    const socket = new Socket();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new LinkError(`connect to ${this.address} timed out`));
      }, this.options.connectTimeoutMs ?? 3000);
      socket.once('error', (error) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new LinkError(`cannot connect to ${this.address}: ${error.message}`, { cause: error }));
      });
      socket.connect(this.port, this.host, () => {
        clearTimeout(timer);
        resolve();
      });
    });
    socket.removeAllListeners('error');
    socket.setNoDelay(true);
    socket.setKeepAlive(true, this.options.keepAliveMs ?? 5000);
    let lastError: Error | undefined;
    socket.on('error', (error) => {
      lastError = error;
    });
    socket.on('data', (chunk: Buffer) => {
      if (this.socket !== socket) return;
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      for (const l of this.dataListeners) l(bytes);
    });
    socket.on('close', () => {
      if (this.socket !== socket) return;
      this.socket = null;
      const error = new LinkError(`${this.address} closed${lastError ? `: ${lastError.message}` : ''}`, {
        cause: lastError,
      });
      for (const l of this.closeListeners) l(error);
    });
    this.socket = socket;
  }

  write(bytes: Uint8Array): Promise<void> {
    const socket = this.socket;
    if (!socket || socket.destroyed || !socket.writable)
      return Promise.reject(new LinkError(`${this.address} is not open`));
    return new Promise<void>((resolve, reject) => {
      // The callback fires once the kernel took the bytes: the socket's own buffer is the back-pressure.
      socket.write(bytes, (error) => {
        if (error) reject(new LinkError(`write to ${this.address} failed: ${error.message}`, { cause: error }));
        else resolve();
      });
    });
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (!socket || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.dataListeners.add(listener);
  }

  onClose(listener: (error?: Error) => void): void {
    this.closeListeners.add(listener);
  }
}

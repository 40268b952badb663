import { realpath } from 'node:fs/promises';
import { LinkError, type Transport } from './transport.ts';

/** The part of serialport's stream that the transport uses; `SerialPort` and `SerialPortMock` both fit. */
export interface SerialPortLike {
  readonly isOpen: boolean;
  open(callback: (error: Error | null) => void): void;
  write(data: Buffer, callback?: (error: Error | null | undefined) => void): boolean;
  drain(callback: (error: Error | null) => void): void;
  close(callback?: (error: Error | null) => void): void;
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'close', listener: (error?: Error | null) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

export interface SerialTransportOptions {
  /** Default 115200 (8N1). */
  baudRate?: number;
  /**
   * How often to check that the device node still exists and still is the same device. USB adapters
   * vanish from /dev/serial/by-id when unplugged, and a socat pty link is re-pointed when socat
   * restarts; a read on a pty whose other end died does not always report it, so this catches both.
   */
  watchMs?: number;
  /** Opens the port; default serialport's `SerialPort` (tests inject `SerialPortMock`). */
  createPort?: (path: string, baudRate: number) => SerialPortLike | Promise<SerialPortLike>;
}

/**
 * A serial line to a sign (`/dev/serial/by-id/...`, or one end of a socat pty pair). `write`
 * resolves only after the bytes have drained to the device, so the session's send pace is the
 * line's. When the device disappears the transport reports a close; the session reopens it with
 * back-off, which works as soon as the device is back.
 */
export class SerialTransport implements Transport {
  readonly address: string;
  private port: SerialPortLike | null = null;
  private device: string | null = null;
  private watchTimer: NodeJS.Timeout | null = null;
  private readonly dataListeners = new Set<(chunk: Uint8Array) => void>();
  private readonly closeListeners = new Set<(error?: Error) => void>();
  private readonly baudRate: number;
  private readonly pendingWrites = new Set<(error: Error) => void>();

  constructor(
    readonly path: string,
    private readonly options: SerialTransportOptions = {},
  ) {
    this.baudRate = options.baudRate ?? 115200;
    this.address = `serial:${path}?baud=${this.baudRate}`;
  }

  async open(): Promise<void> {
    if (this.port) return;
    const port = await this.createPort();
    // serialport emits 'error' for failed writes; without a listener that would be an uncaught throw.
    port.on('error', () => undefined);
    await new Promise<void>((resolve, reject) => {
      port.open((error) =>
        error ? reject(new LinkError(`cannot open ${this.path}: ${error.message}`, { cause: error })) : resolve(),
      );
    });
    this.port = port;
    this.device = await realpath(this.path).catch(() => null);
    port.on('data', (chunk) => {
      if (this.port !== port) return;
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      for (const l of this.dataListeners) l(bytes);
    });
    port.on('close', (error) => this.lost(port, error ?? new LinkError(`${this.path} closed`)));
    const watchMs = this.options.watchMs ?? 1000;
    if (watchMs > 0) {
      this.watchTimer = setInterval(() => void this.checkDevice(port), watchMs);
      this.watchTimer.unref();
    }
  }

  write(bytes: Uint8Array): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.reject(new LinkError(`${this.path} is not open`));
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (error: Error) => {
        if (settled) return;
        settled = true;
        this.pendingWrites.delete(fail);
        reject(new LinkError(`write to ${this.path} failed: ${error.message}`, { cause: error }));
      };
      // If the device vanishes mid-write its callbacks may never come: lost() fails the write.
      this.pendingWrites.add(fail);
      port.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), (error) => {
        if (error) fail(error);
      });
      // drain: after the stream's buffer, tcdrain() — the bytes have left the UART.
      port.drain((error) => {
        if (error) fail(error);
        else if (!settled) {
          settled = true;
          this.pendingWrites.delete(fail);
          resolve();
        }
      });
    });
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = null;
    this.stopWatch();
    for (const fail of [...this.pendingWrites]) fail(new LinkError(`${this.path} closed`));
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  onData(listener: (chunk: Uint8Array) => void): void {
    this.dataListeners.add(listener);
  }

  onClose(listener: (error?: Error) => void): void {
    this.closeListeners.add(listener);
  }

  private async createPort(): Promise<SerialPortLike> {
    if (this.options.createPort) return this.options.createPort(this.path, this.baudRate);
    // Loaded on first use: a controller with only virtual or TCP signs never loads the native binding.
    const { SerialPort } = await import('serialport');
    return new SerialPort({ path: this.path, baudRate: this.baudRate, autoOpen: false });
  }

  private async checkDevice(port: SerialPortLike): Promise<void> {
    const now = await realpath(this.path).catch(() => null);
    if (this.port !== port) return;
    if (now === null) this.lost(port, new LinkError(`${this.path} disappeared`));
    else if (this.device !== null && now !== this.device)
      this.lost(port, new LinkError(`${this.path} now points to ${now}`));
  }

  private lost(port: SerialPortLike, error: Error): void {
    if (this.port !== port) return;
    this.port = null;
    this.stopWatch();
    if (port.isOpen) port.close(() => undefined);
    for (const fail of [...this.pendingWrites]) fail(error);
    const linkError =
      error instanceof LinkError ? error : new LinkError(`${this.path}: ${error.message}`, { cause: error });
    for (const l of this.closeListeners) l(linkError);
  }

  private stopWatch(): void {
    if (this.watchTimer) clearInterval(this.watchTimer);
    this.watchTimer = null;
  }
}

import { PacedLine } from './paced-transport.ts';
import { LinkError, type Transport } from './transport.ts';

export interface MemoryLinkOptions {
  /** Paces both directions as a UART at this byte rate (115200 baud = 11520 B/s); unpaced when absent. */
  bytesPerSecond?: number;
}

/**
 * An in-memory full-duplex link. Bytes are delivered asynchronously (setImmediate, or at the paced
 * time), as a real link would, so ordering bugs that only show with a real transport show here too.
 */
export class MemoryLink {
  readonly controller: Transport;
  private toController = new Set<(chunk: Uint8Array) => void>();
  private toSign: ((chunk: Uint8Array) => void) | null = null;
  private closeListeners = new Set<(error?: Error) => void>();
  private open = false;
  /** Test hook: every chunk the controller writes passes through here (corrupt, drop, inspect). */
  tamper: ((chunk: Uint8Array) => Uint8Array | null) | null = null;
  /** Test hook: the same for every chunk the sign sends (lost or corrupted ACKs). */
  tamperReplies: ((chunk: Uint8Array) => Uint8Array | null) | null = null;
  /** The two directions when paced (null otherwise): their byte counts are what crossed the wire. */
  readonly downLine: PacedLine | null;
  readonly upLine: PacedLine | null;

  constructor(address: string, options: MemoryLinkOptions = {}) {
    const link = this;
    const rate = options.bytesPerSecond;
    this.downLine = rate ? new PacedLine(rate, (chunk) => this.deliverToSign(chunk)) : null;
    this.upLine = rate ? new PacedLine(rate, (chunk) => this.deliverToController(chunk)) : null;
    this.controller = {
      address,
      async open() {
        link.open = true;
      },
      async write(bytes) {
        if (!link.open) throw new LinkError(`${address} is not open`);
        if (link.downLine) return link.downLine.send(bytes);
        const copy = bytes.slice();
        setImmediate(() => link.deliverToSign(copy));
      },
      async close() {
        link.open = false;
      },
      onData(listener) {
        link.toController.add(listener);
      },
      onClose(listener) {
        link.closeListeners.add(listener);
      },
    };
  }

  /** Connects the sign end: `receive` gets what the controller wrote; returns the sign's send function. */
  attachSign(receive: (chunk: Uint8Array) => void): (chunk: Uint8Array) => void {
    this.toSign = receive;
    return (chunk) => {
      if (this.upLine) {
        void this.upLine.send(chunk);
        return;
      }
      const copy = chunk.slice();
      setImmediate(() => this.deliverToController(copy));
    };
  }

  /** Test hook: the link drops, as when a cable is pulled. */
  cut(): void {
    this.open = false;
    this.downLine?.reset();
    this.upLine?.reset();
    for (const l of this.closeListeners) l(new LinkError(`${this.controller.address} was cut`));
  }

  get isOpen(): boolean {
    return this.open;
  }

  private deliverToSign(chunk: Uint8Array): void {
    if (!this.open) return;
    const out = this.tamper ? this.tamper(chunk) : chunk;
    if (out) this.toSign?.(out);
  }

  private deliverToController(chunk: Uint8Array): void {
    if (!this.open) return;
    const out = this.tamperReplies ? this.tamperReplies(chunk) : chunk;
    if (out) for (const l of this.toController) l(out);
  }
}

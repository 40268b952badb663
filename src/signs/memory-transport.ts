import { LinkError, type Transport } from './transport.ts';

/**
 * An in-memory full-duplex link. Bytes are delivered asynchronously (setImmediate), as a real link
 * would, so ordering bugs that only show with a real transport show here too.
 */
export class MemoryLink {
  readonly controller: Transport;
  private toController = new Set<(chunk: Uint8Array) => void>();
  private toSign: ((chunk: Uint8Array) => void) | null = null;
  private closeListeners = new Set<(error?: Error) => void>();
  private open = false;
  /** Test hook: every chunk the controller writes passes through here (corrupt, drop, inspect). */
  tamper: ((chunk: Uint8Array) => Uint8Array | null) | null = null;

  constructor(address: string) {
    const link = this;
    this.controller = {
      address,
      async open() {
        link.open = true;
      },
      async write(bytes) {
        if (!link.open) throw new LinkError(`${address} is not open`);
        const chunk = link.tamper ? link.tamper(bytes.slice()) : bytes.slice();
        if (chunk) setImmediate(() => link.toSign?.(chunk));
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
      const copy = chunk.slice();
      setImmediate(() => {
        if (this.open) for (const l of this.toController) l(copy);
      });
    };
  }

  /** Test hook: the link drops, as when a cable is pulled. */
  cut(): void {
    this.open = false;
    for (const l of this.closeListeners) l(new LinkError(`${this.controller.address} was cut`));
  }
}

import type { Transport } from './transport.ts';

/** A UART sends 10 bits per byte (start, 8 data, stop): 115200 baud is 11520 bytes per second. */
export function baudToBytesPerSecond(baud: number): number {
  return baud / 10;
}

/**
 * One direction of a slow line, modelled as a UART: bytes leave one after another at a fixed rate,
 * and a chunk reaches the far end when its last byte has left (a receiver acts on a frame only at
 * its delimiter, so delivering the chunk whole at that moment is exact at frame level). Deadlines
 * are absolute, so timer jitter never accumulates into the measured time.
 */
export class PacedLine {
  private busyUntil = 0;
  private tail: Promise<void> = Promise.resolve();
  /** Bytes that have been handed to the line (in order), for goodput figures. */
  bytes = 0;

  constructor(
    readonly bytesPerSecond: number,
    private readonly deliver: (chunk: Uint8Array) => void | Promise<void>,
  ) {
    if (!(bytesPerSecond > 0)) throw new RangeError(`pacing needs a positive byte rate, got ${bytesPerSecond}`);
  }

  /** Queues a chunk; resolves when it has left the line (and was delivered). */
  send(chunk: Uint8Array): Promise<void> {
    const now = performance.now();
    this.busyUntil = Math.max(now, this.busyUntil) + (chunk.length * 1000) / this.bytesPerSecond;
    this.bytes += chunk.length;
    const due = this.busyUntil;
    const copy = chunk.slice();
    const step = this.tail.then(async () => {
      await sleepUntil(due);
      await this.deliver(copy);
    });
    // A failed delivery fails this write only; the line keeps its order for the next one.
    this.tail = step.catch(() => undefined);
    return step;
  }

  /** Forgets queued time (the line was cut): the next chunk starts at once. */
  reset(): void {
    this.busyUntil = 0;
  }
}

function sleepUntil(due: number): Promise<void> {
  const wait = due - performance.now();
  if (wait <= 0) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, wait));
}

/**
 * Any transport, slowed to `bytesPerSecond` in the controller -> sign direction: `write` resolves
 * when the bytes would have left a UART at that rate. Used to measure link time as at 115200 baud
 * over a link that is really faster (a pty, loopback TCP, memory).
 */
export function pacedTransport(inner: Transport, bytesPerSecond: number): Transport & { readonly line: PacedLine } {
  const line = new PacedLine(bytesPerSecond, (chunk) => inner.write(chunk));
  return {
    address: inner.address,
    line,
    async open() {
      line.reset();
      await inner.open();
    },
    write: (bytes) => line.send(bytes),
    close: () => inner.close(),
    onData: (listener) => inner.onData(listener),
    onClose: (listener) => inner.onClose(listener),
  };
}

/**
 * A byte link to one sign, promise-only, injected into the bridge session (after node-serialport's
 * binding interface). Serial, TCP and the in-memory link to a virtual sign all implement it.
 */
export interface Transport {
  /** Human-readable address for logs and health, e.g. "virtual:E20-N" or "tcp://10.0.0.5:4000". */
  readonly address: string;
  open(): Promise<void>;
  /** Resolves when the bytes have been handed to the link and it has drained (back-pressure). */
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
  /** Bytes from the sign, in arbitrary chunks. */
  onData(listener: (chunk: Uint8Array) => void): void;
  /** The link went away (cable pulled, socket closed). The session reconnects. */
  onClose(listener: (error?: Error) => void): void;
}

/** A failure of the link itself (not of the sign): callers test the flag, not the message. */
export class LinkError extends Error {
  readonly disconnected = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LinkError';
  }
}

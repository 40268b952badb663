import { EventEmitter } from 'node:events';
import { LinkError, type Transport } from '../transport.ts';
import { FrameParser, MessageType, encodeFrame } from './bridge-codec.ts';
import {
  type ControllerMessage,
  type HelloReplyMessage,
  NO_SLOT,
  type StatusReportMessage,
  decodeMessage,
  encodeMessage,
} from './messages.ts';

export type SignCapabilities = Omit<HelloReplyMessage, 'type'>;
export type StatusReport = Omit<StatusReportMessage, 'type'>;

export interface SessionOptions {
  /** Sequenced frames in flight (PROTOCOL.md section 2). */
  window?: number;
  rtoInitialMs?: number;
  rtoMinMs?: number;
  rtoMaxMs?: number;
  /** Consecutive timeouts before the link is declared down. */
  maxRetries?: number;
  /** Reconnect/HELLO back-off bounds. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
}

export interface SessionStats {
  framesSent: number;
  bytesSent: number;
  bytesReceived: number;
  retransmits: number;
  naksReceived: number;
  timeouts: number;
  reconnects: number;
  srttMs: number;
  rtoMs: number;
}

/** The link went down (or the sign rebooted) before the sign acknowledged: callers re-plan on 'up'. */
export class LinkDownError extends LinkError {
  constructor(reason: string) {
    super(reason);
    this.name = 'LinkDownError';
  }
}

/** Send lanes: a higher lane's frames go first; URGENT also ignores the window (a crisis PLAY). */
export const Lane = { normal: 0, crisis: 1, urgent: 2 } as const;

interface Pending {
  message: ControllerMessage;
  lane: number;
  resolve: (code: number) => void;
  reject: (error: Error) => void;
  onSeq?: ((seq: number) => void) | undefined;
}

interface InFlight extends Pending {
  seq: number;
  wire: Uint8Array;
  sentAt: number;
  retransmitted: boolean;
  needsSend: boolean;
}

type SessionEvents = {
  up: [SignCapabilities];
  reboot: [SignCapabilities];
  down: [string];
};

/**
 * The controller side of the bridge's reliability layer: go-back-N with cumulative ACKs, NAK-driven
 * retransmission, an RFC 6298 adaptive timeout, link-down after repeated timeouts, and resync by
 * HELLO with back-off. Frames are queued in lanes: a crisis upload overtakes a normal one, and an
 * urgent frame (the crisis PLAY) also ignores the window, so a takeover waits only for the frame
 * already on the wire.
 */
export class BridgeSession extends EventEmitter<SessionEvents> {
  state: 'idle' | 'connecting' | 'up' | 'closed' = 'idle';
  capabilities: SignCapabilities | null = null;
  readonly stats: SessionStats;

  private readonly opts: Required<SessionOptions>;
  private readonly parser = new FrameParser();
  private readonly queue: Pending[] = [];
  private inflight: InFlight[] = [];
  private nextSeq = 1;
  private srtt = 0;
  private rttvar = 0;
  private rto: number;
  private consecutiveTimeouts = 0;
  private retransmitTimer: NodeJS.Timeout | null = null;
  private helloTimer: NodeJS.Timeout | null = null;
  private backoff: number;
  private pumping = false;
  private lastGoBackAt = 0;
  private statusWaiters = new Map<number, (report: StatusReport) => void>();

  constructor(
    private readonly transport: Transport,
    options: SessionOptions = {},
  ) {
    super();
    this.opts = {
      window: 4,
      rtoInitialMs: 250,
      rtoMinMs: 20,
      rtoMaxMs: 2000,
      maxRetries: 5,
      backoffMinMs: 100,
      backoffMaxMs: 5000,
      ...options,
    };
    this.rto = this.opts.rtoInitialMs;
    this.backoff = this.opts.backoffMinMs;
    this.stats = {
      framesSent: 0,
      bytesSent: 0,
      bytesReceived: 0,
      retransmits: 0,
      naksReceived: 0,
      timeouts: 0,
      reconnects: 0,
      srttMs: 0,
      rtoMs: this.rto,
    };
    transport.onData((chunk) => this.receive(chunk));
    transport.onClose((error) => this.linkLost(error?.message ?? 'link closed', true));
  }

  get address(): string {
    return this.transport.address;
  }

  /** Opens the link and keeps trying HELLO until the sign answers (or stop()). */
  start(): void {
    if (this.state !== 'idle') return;
    this.connect();
  }

  async stop(): Promise<void> {
    this.state = 'closed';
    this.clearTimers();
    this.failAll(new LinkDownError('session stopped'));
    await this.transport.close().catch(() => undefined);
  }

  /** Sends a sequenced message; resolves with the sign's ACK code. */
  send(message: ControllerMessage, options: { lane?: number } = {}): Promise<number> {
    return this.enqueue(message, options.lane ?? Lane.normal);
  }

  /** STATUS read-back: what the sign shows, and optionally one slot's CRC-32. */
  async status(querySlot = NO_SLOT): Promise<StatusReport> {
    for (let attempt = 0; attempt < 3 && this.state === 'up'; attempt++) {
      let seq = -1;
      let settle: (report: StatusReport | null) => void = () => undefined;
      const report = new Promise<StatusReport | null>((resolve) => {
        settle = resolve;
      });
      const code = await this.enqueue({ type: 'STATUS', querySlot }, Lane.crisis, (s) => {
        seq = s;
        this.statusWaiters.set(s, settle);
      });
      if (code !== 0) throw new LinkError(`sign at ${this.address} refused STATUS with code ${code}`);
      const timer = setTimeout(() => settle(null), Math.max(200, this.rto * 2));
      const got = await report;
      clearTimeout(timer);
      this.statusWaiters.delete(seq);
      if (got) return got;
    }
    throw new LinkDownError(`no STATUS_REPORT from ${this.address}`);
  }

  private enqueue(message: ControllerMessage, lane: number, onSeq?: (seq: number) => void): Promise<number> {
    if (this.state !== 'up') return Promise.reject(new LinkDownError(`link to ${this.address} is down`));
    return new Promise<number>((resolve, reject) => {
      const pending: Pending = { message, lane, resolve, reject, onSeq };
      const firstLower = this.queue.findIndex((p) => p.lane < lane);
      this.queue.splice(firstLower < 0 ? this.queue.length : firstLower, 0, pending);
      void this.pump();
    });
  }

  private connect(): void {
    if (this.state === 'closed') return;
    this.state = 'connecting';
    this.transport
      .open()
      .then(() => this.sendHello())
      .catch((error: unknown) => {
        this.scheduleReconnect(`open failed: ${error instanceof Error ? error.message : String(error)}`);
      });
  }

  private scheduleReconnect(reason: string): void {
    if (this.state === 'closed') return;
    this.emit('down', reason);
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.opts.backoffMaxMs);
    this.clearTimers();
    this.helloTimer = setTimeout(() => {
      this.stats.reconnects++;
      this.connect();
    }, delay);
    this.helloTimer.unref();
  }

  private sendHello(): void {
    if (this.state === 'closed') return;
    const { type, payload } = encodeMessage({ type: 'HELLO', protocolVersion: 1 });
    const wire = encodeFrame({ type, seq: 0, ack: 0, payload });
    this.stats.framesSent++;
    this.stats.bytesSent += wire.length;
    this.transport.write(wire).catch(() => undefined);
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = setTimeout(
      () => {
        this.backoff = Math.min(this.backoff * 2, this.opts.backoffMaxMs);
        this.sendHello();
      },
      Math.max(this.backoff, 300),
    );
    this.helloTimer.unref();
  }

  private receive(chunk: Uint8Array): void {
    this.stats.bytesReceived += chunk.length;
    for (const result of this.parser.push(chunk)) {
      // A corrupted reply is simply lost: the retransmission timer recovers it.
      if (!('frame' in result)) continue;
      const { frame } = result;
      const message = decodeMessage(frame.type, frame.payload);
      if (!message) continue;
      switch (message.type) {
        case 'HELLO_REPLY':
          this.onHelloReply(message);
          break;
        case 'ACK':
          this.onAck(frame.ack, message.code);
          break;
        case 'NAK':
          this.stats.naksReceived++;
          this.onAck(frame.ack, null);
          this.goBack(true);
          break;
        case 'STATUS_REPORT': {
          const { type: _t, ...report } = message;
          this.statusWaiters.get(frame.ack)?.(report);
          break;
        }
        default:
          break;
      }
    }
  }

  private onHelloReply(reply: HelloReplyMessage): void {
    const { type: _t, ...caps } = reply;
    const rebooted = this.capabilities !== null && this.capabilities.bootId !== caps.bootId;
    // Same boot id while up: the late answer to one of our HELLOs. Every HELLO went out before the
    // first sequenced frame, so the sign reset its sequence before seq 1: still in sync.
    if (this.state === 'up' && !rebooted) return;
    if (this.state === 'up') {
      // Unsolicited while up: the sign rebooted (or another HELLO crossed ours). Resync from scratch.
      this.failAll(new LinkDownError(`sign at ${this.address} rebooted`));
      this.state = 'connecting';
      this.capabilities = caps;
      this.emit('down', 'sign rebooted');
      this.sendHello();
      if (rebooted) this.emit('reboot', caps);
      return;
    }
    if (this.state !== 'connecting') return;
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.helloTimer = null;
    this.capabilities = caps;
    this.nextSeq = 1;
    this.inflight = [];
    this.consecutiveTimeouts = 0;
    this.backoff = this.opts.backoffMinMs;
    this.state = 'up';
    if (rebooted) this.emit('reboot', caps);
    this.emit('up', caps);
    void this.pump();
  }

  private onAck(ack: number, code: number | null): void {
    const index = this.inflight.findIndex((f) => f.seq === ack);
    if (index < 0) return;
    const done = this.inflight.splice(0, index + 1);
    const now = performance.now();
    for (const f of done) {
      if (f.seq === ack && code !== null && !f.retransmitted) this.sampleRtt(now - f.sentAt);
      // Cumulative ACK: earlier frames whose own ACK was lost are taken as processed (PROTOCOL.md 2).
      f.resolve(f.seq === ack && code !== null ? code : 0);
    }
    this.consecutiveTimeouts = 0;
    this.restartTimer();
    void this.pump();
  }

  private sampleRtt(ms: number): void {
    if (this.srtt === 0) {
      this.srtt = ms;
      this.rttvar = ms / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - ms);
      this.srtt = 0.875 * this.srtt + 0.125 * ms;
    }
    this.rto = Math.min(this.opts.rtoMaxMs, Math.max(this.opts.rtoMinMs, this.srtt + 4 * this.rttvar));
    this.stats.srttMs = this.srtt;
    this.stats.rtoMs = this.rto;
  }

  /** Go-back-N: everything unacknowledged is sent again, in order. */
  private goBack(fromNak: boolean): void {
    const now = performance.now();
    // Every frame behind a lost one draws its own GAP NAK; one go-back per round trip is enough.
    if (fromNak && now - this.lastGoBackAt < Math.max(this.srtt, this.opts.rtoMinMs)) return;
    this.lastGoBackAt = now;
    for (const f of this.inflight) f.needsSend = true;
    void this.pump();
  }

  private restartTimer(): void {
    if (this.retransmitTimer) clearTimeout(this.retransmitTimer);
    this.retransmitTimer = null;
    if (this.inflight.length === 0 || this.state !== 'up') return;
    this.retransmitTimer = setTimeout(() => this.onTimeout(), this.rto);
    this.retransmitTimer.unref();
  }

  private onTimeout(): void {
    this.retransmitTimer = null;
    if (this.state !== 'up' || this.inflight.length === 0) return;
    this.stats.timeouts++;
    this.consecutiveTimeouts++;
    if (this.consecutiveTimeouts > this.opts.maxRetries) {
      this.linkLost(`no answer from the sign after ${this.opts.maxRetries} retries`, false);
      return;
    }
    this.rto = Math.min(this.rto * 2, this.opts.rtoMaxMs);
    this.stats.rtoMs = this.rto;
    this.goBack(false);
    this.restartTimer();
  }

  private nextToSend(): InFlight | Pending | null {
    const resend = this.inflight.find((f) => f.needsSend);
    if (resend) return resend;
    const head = this.queue[0];
    if (!head) return null;
    if (head.lane >= Lane.urgent || this.inflight.length < this.opts.window) return head;
    return null;
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.state === 'up') {
        const next = this.nextToSend();
        if (!next) break;
        let entry: InFlight;
        if ('seq' in next) {
          entry = next;
          entry.retransmitted = true;
          this.stats.retransmits++;
        } else {
          this.queue.shift();
          const { type, payload } = encodeMessage(next.message);
          const seq = this.nextSeq;
          this.nextSeq = (this.nextSeq + 1) & 0xff;
          entry = {
            ...next,
            seq,
            wire: encodeFrame({ type, seq, ack: 0, payload }),
            sentAt: 0,
            retransmitted: false,
            needsSend: false,
          };
          this.inflight.push(entry);
          next.onSeq?.(seq);
        }
        entry.needsSend = false;
        entry.sentAt = performance.now();
        this.stats.framesSent++;
        this.stats.bytesSent += entry.wire.length;
        if (!this.retransmitTimer) this.restartTimer();
        try {
          await this.transport.write(entry.wire);
        } catch (error: unknown) {
          this.linkLost(error instanceof Error ? error.message : String(error), true);
          break;
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  private linkLost(reason: string, transportClosed: boolean): void {
    if (this.state === 'closed') return;
    this.failAll(new LinkDownError(`link to ${this.address} down: ${reason}`));
    this.parser.reset();
    if (transportClosed) {
      this.state = 'connecting';
      this.transport.close().catch(() => undefined);
      this.scheduleReconnect(reason);
    } else {
      this.state = 'connecting';
      this.emit('down', reason);
      this.sendHello();
    }
  }

  private failAll(error: Error): void {
    const all = [...this.inflight, ...this.queue];
    this.inflight = [];
    this.queue.length = 0;
    if (this.retransmitTimer) clearTimeout(this.retransmitTimer);
    this.retransmitTimer = null;
    for (const p of all) p.reject(error);
  }

  private clearTimers(): void {
    if (this.retransmitTimer) clearTimeout(this.retransmitTimer);
    if (this.helloTimer) clearTimeout(this.helloTimer);
    this.retransmitTimer = null;
    this.helloTimer = null;
  }
}

export { MessageType };

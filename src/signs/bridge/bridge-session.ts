import { EventEmitter } from 'node:events';
import { LinkError, type Transport } from '../transport.ts';
import { encodeFrame, FrameParser, MessageType } from './bridge-codec.ts';
import {
  type ControllerMessage,
  decodeMessage,
  encodeMessage,
  type HelloReplyMessage,
  NO_SLOT,
  type StatusReportMessage,
} from './messages.ts';

export type SignCapabilities = Omit<HelloReplyMessage, 'type'>;
export type StatusReport = Omit<StatusReportMessage, 'type'>;

/**
 * The session's timers and its monotonic clock, injected as FeedPoller's are: the real ones by default, and in tests
 * a hand-driven scheduler, so retransmission timeouts, HELLO back-off and heartbeats run in virtual time.
 */
export interface SessionTimers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Monotonic milliseconds, for round-trip times and idle checks. */
  now(): number;
}

/** Node's timers, unref'd: a session alone does not keep the process running. */
export const realSessionTimers: SessionTimers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  now: () => performance.now(),
};

export interface SessionOptions {
  /** Sequenced frames in flight (PROTOCOL.md section 2): 1..127, default 4. */
  window?: number;
  rtoInitialMs?: number;
  rtoMinMs?: number;
  rtoMaxMs?: number;
  /** Consecutive fruitless rounds (timeouts, or NAKs without progress) before the link is declared down. */
  maxRetries?: number;
  /** Reconnect/HELLO back-off bounds. */
  backoffMinMs?: number;
  backoffMaxMs?: number;
  /**
   * A HEARTBEAT goes out when nothing was sent for this long, so a dead sign shows as a link down
   * within seconds rather than at the next lease refresh. 0 turns it off. Default 5000.
   */
  heartbeatMs?: number;
  /** Default: Node's timers and this.timers.now(). */
  timers?: SessionTimers;
}

export interface SessionStats {
  framesSent: number;
  bytesSent: number;
  bytesReceived: number;
  retransmits: number;
  naksReceived: number;
  timeouts: number;
  reconnects: number;
  /** Frames from the sign dropped for COBS/CRC/length errors. */
  rxErrors: number;
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

/** A queued message withdrawn by its sender before it went on the wire (e.g. the rest of a failed upload). */
export class SendCancelledError extends Error {
  readonly cancelled = true;
  constructor(reason: string) {
    super(reason);
    this.name = 'SendCancelledError';
  }
}

/** Send lanes: a higher lane's frames go first; URGENT also ignores the window (a crisis PLAY). */
export const Lane = { normal: 0, crisis: 1, urgent: 2 } as const;

export interface SendOptions {
  lane?: number;
  /** Withdraws the message if it has not been sent yet; once on the wire it runs to its ACK. */
  signal?: AbortSignal;
}

interface Pending {
  message: ControllerMessage;
  lane: number;
  resolve: (code: number) => void;
  reject: (error: Error) => void;
  onSeq?: ((seq: number) => void) | undefined;
  signal?: AbortSignal | undefined;
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
 * retransmission, an RFC 6298 adaptive timeout, link-down after repeated fruitless rounds, and resync
 * by HELLO with back-off (reopening the transport when HELLOs go unanswered). Frames are queued in
 * lanes: a crisis upload overtakes a normal one, and an urgent frame (the crisis PLAY) also ignores
 * the window, so a takeover waits only for the frame already on the wire.
 */
export class BridgeSession extends EventEmitter<SessionEvents> {
  state: 'idle' | 'connecting' | 'up' | 'closed' = 'idle';
  capabilities: SignCapabilities | null = null;
  readonly stats: SessionStats;

  private readonly opts: Required<SessionOptions>;
  private readonly timers: SessionTimers;
  private readonly parser = new FrameParser();
  private readonly queue: Pending[] = [];
  private inflight: InFlight[] = [];
  private nextSeq = 1;
  private srtt = 0;
  private rttvar = 0;
  private rto: number;
  /** Rounds of retransmission since the sign last acknowledged anything new. */
  private fruitlessRounds = 0;
  private retransmitTimer: unknown = null;
  private helloTimer: unknown = null;
  private heartbeatTimer: unknown = null;
  private helloAttempts = 0;
  private backoff: number;
  private pumping = false;
  private pumpEpoch = 0;
  private lastGoBackAt = Number.NEGATIVE_INFINITY;
  private lastGoBackAck = -1;
  private lastSendAt = 0;
  /** When the frame being written started out; null when no write is in progress. */
  private writingSince: number | null = null;
  /** 'down' is reported once per outage, not at every failed reconnect attempt. */
  private downReported = false;
  private statusWaiters = new Map<number, (report: StatusReport) => void>();
  private readonly watchedSignals = new WeakSet<AbortSignal>();

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
      heartbeatMs: 5000,
      timers: realSessionTimers,
      ...options,
    };
    this.timers = this.opts.timers;
    // Beyond 127 frames in flight a retransmission is indistinguishable from a new frame (mod 256).
    this.opts.window = Math.min(127, Math.max(1, Math.floor(this.opts.window)));
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
      rxErrors: 0,
      srttMs: 0,
      rtoMs: this.rto,
    };
    transport.onData((chunk) => this.receive(chunk));
    transport.onClose((error) => this.linkLost(error?.message ?? 'link closed', true));
  }

  get address(): string {
    return this.transport.address;
  }

  /** Sequenced frames sent and not yet acknowledged (at most the window, plus urgent ones). */
  get inFlight(): number {
    return this.inflight.length;
  }

  /** Frames queued or in flight: 0 when the link is idle. */
  get backlog(): number {
    return this.queue.length + this.inflight.length;
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
  send(message: ControllerMessage, options: SendOptions = {}): Promise<number> {
    return this.enqueue(message, options.lane ?? Lane.normal, undefined, options.signal);
  }

  /** STATUS read-back: what the sign shows, and optionally one slot's CRC-32. */
  async status(querySlot = NO_SLOT): Promise<StatusReport> {
    for (let attempt = 0; attempt < 3 && this.state === 'up'; attempt++) {
      let seq = -1;
      let settle: (report: StatusReport | null) => void = () => undefined;
      const report = new Promise<StatusReport | null>((resolve) => {
        settle = resolve;
      });
      try {
        const code = await this.enqueue({ type: 'STATUS', querySlot }, Lane.crisis, (s) => {
          seq = s;
          this.statusWaiters.set(s, settle);
        });
        if (code !== 0) throw new LinkError(`sign at ${this.address} refused STATUS with code ${code}`);
        // The report follows its ACK directly; if it was lost (or the ACK was only implied by a later
        // cumulative ACK) ask again rather than wait.
        const timer = this.timers.setTimeout(() => settle(null), Math.max(200, this.rto * 2));
        const got = await report;
        this.timers.clearTimeout(timer);
        if (got) return got;
      } finally {
        if (this.statusWaiters.get(seq) === settle) this.statusWaiters.delete(seq);
      }
    }
    throw new LinkDownError(`no STATUS_REPORT from ${this.address}`);
  }

  private enqueue(
    message: ControllerMessage,
    lane: number,
    onSeq?: (seq: number) => void,
    signal?: AbortSignal,
  ): Promise<number> {
    if (this.state !== 'up') return Promise.reject(new LinkDownError(`link to ${this.address} is down`));
    if (signal?.aborted) return Promise.reject(new SendCancelledError(`${message.type} withdrawn before sending`));
    return new Promise<number>((resolve, reject) => {
      const pending: Pending = { message, lane, resolve, reject, onSeq, signal };
      const firstLower = this.queue.findIndex((p) => p.lane < lane);
      this.queue.splice(firstLower < 0 ? this.queue.length : firstLower, 0, pending);
      if (signal) this.watchSignal(signal);
      void this.pump();
    });
  }

  /** One abort listener per signal (an upload shares one across hundreds of chunks), not per message. */
  private watchSignal(signal: AbortSignal): void {
    if (this.watchedSignals.has(signal)) return;
    this.watchedSignals.add(signal);
    signal.addEventListener(
      'abort',
      () => {
        this.watchedSignals.delete(signal);
        const withdrawn = this.queue.filter((p) => p.signal === signal);
        if (withdrawn.length === 0) return;
        this.queue.splice(0, this.queue.length, ...this.queue.filter((p) => p.signal !== signal));
        for (const p of withdrawn) p.reject(new SendCancelledError(`${p.message.type} withdrawn before sending`));
      },
      { once: true },
    );
  }

  private connect(): void {
    if (this.state === 'closed') return;
    this.state = 'connecting';
    this.helloAttempts = 0;
    this.transport
      .open()
      .then(() => this.sendHello())
      .catch((error: unknown) => {
        this.scheduleReconnect(`open failed: ${error instanceof Error ? error.message : String(error)}`);
      });
  }

  private reportDown(reason: string): void {
    if (this.downReported) return;
    this.downReported = true;
    this.emit('down', reason);
  }

  private scheduleReconnect(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'connecting';
    this.reportDown(reason);
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.opts.backoffMaxMs);
    this.clearTimers();
    this.helloTimer = this.timers.setTimeout(() => {
      this.stats.reconnects++;
      this.connect();
    }, delay);
  }

  private sendHello(): void {
    if (this.state !== 'connecting') return;
    if (this.helloAttempts >= this.opts.maxRetries) {
      // The transport may be open on a dead end (a pty whose peer died, a half-open TCP connection):
      // start it afresh instead of shouting into it forever.
      this.transport.close().catch(() => undefined);
      this.scheduleReconnect(`no HELLO_REPLY after ${this.helloAttempts} attempts`);
      return;
    }
    this.helloAttempts++;
    const { type, payload } = encodeMessage({ type: 'HELLO', protocolVersion: 1 });
    const wire = encodeFrame({ type, seq: 0, ack: 0, payload });
    this.stats.framesSent++;
    this.stats.bytesSent += wire.length;
    this.transport.write(wire).catch(() => undefined);
    if (this.helloTimer !== null) this.timers.clearTimeout(this.helloTimer);
    this.helloTimer = this.timers.setTimeout(
      () => {
        this.backoff = Math.min(this.backoff * 2, this.opts.backoffMaxMs);
        this.sendHello();
      },
      Math.max(this.backoff, 300),
    );
  }

  private receive(chunk: Uint8Array): void {
    this.stats.bytesReceived += chunk.length;
    for (const result of this.parser.push(chunk)) {
      // A corrupted reply is simply lost: the retransmission timer recovers it.
      if (!('frame' in result)) {
        this.stats.rxErrors++;
        continue;
      }
      const { frame } = result;
      const message = decodeMessage(frame.type, frame.payload);
      if (!message) continue;
      switch (message.type) {
        case 'HELLO_REPLY':
          this.onHelloReply(message);
          break;
        case 'ACK':
          if (this.state === 'up') this.onAck(frame.ack, message.code);
          break;
        case 'NAK':
          if (this.state !== 'up') break;
          this.stats.naksReceived++;
          this.onAck(frame.ack, null);
          this.onNak(frame.ack);
          break;
        case 'STATUS_REPORT': {
          const { type: _t, ...report } = message;
          this.statusWaiters.get(frame.ack)?.(report);
          break;
        }
        default:
          // Our own frames echoed back (a tty with echo on) and anything else: not for us.
          break;
      }
    }
  }

  private onHelloReply(reply: HelloReplyMessage): void {
    const { type: _t, ...caps } = reply;
    if (caps.protocolVersion !== 1) return;
    const rebooted = this.capabilities !== null && this.capabilities.bootId !== caps.bootId;
    // Same boot id while up: the late answer to one of our HELLOs, or the sign greeting a new link.
    // Every HELLO went out before the first sequenced frame, so on an ordered link the sign reset its
    // sequence before seq 1: still in sync.
    if (this.state === 'up' && !rebooted) return;
    if (this.state === 'up') {
      // A new boot id while up: the sign rebooted and lost its sequence state. Resync from scratch.
      this.failAll(new LinkDownError(`sign at ${this.address} rebooted`));
      this.state = 'connecting';
      this.helloAttempts = 0;
      this.capabilities = caps;
      this.stopHeartbeat();
      this.reportDown('sign rebooted');
      this.emit('reboot', caps);
      this.sendHello();
      return;
    }
    if (this.state !== 'connecting') return;
    if (this.helloTimer !== null) this.timers.clearTimeout(this.helloTimer);
    this.helloTimer = null;
    this.capabilities = caps;
    this.nextSeq = 1;
    this.inflight = [];
    this.fruitlessRounds = 0;
    this.lastGoBackAck = -1;
    this.backoff = this.opts.backoffMinMs;
    this.rto = this.srtt > 0 ? this.rtoFromSamples() : this.opts.rtoInitialMs;
    this.stats.rtoMs = this.rto;
    this.state = 'up';
    this.downReported = false;
    this.lastSendAt = this.timers.now();
    this.startHeartbeat();
    if (rebooted) this.emit('reboot', caps);
    this.emit('up', caps);
    void this.pump();
  }

  private onAck(ack: number, code: number | null): void {
    const index = this.inflight.findIndex((f) => f.seq === ack);
    if (index < 0) return;
    const done = this.inflight.splice(0, index + 1);
    const now = this.timers.now();
    for (const f of done) {
      if (f.seq === ack && code !== null && !f.retransmitted) this.sampleRtt(Math.max(0, now - f.sentAt));
      // Cumulative ACK: earlier frames whose own ACK was lost are taken as processed (PROTOCOL.md 2).
      f.resolve(f.seq === ack && code !== null ? code : 0);
    }
    this.fruitlessRounds = 0;
    this.restartTimer();
    void this.pump();
  }

  /**
   * Every frame behind a lost one draws its own GAP NAK carrying the same `ack`. Going back once per
   * distinct `ack` is enough: the repeats describe frames that the go-back already re-sends. If the
   * re-sent frame is lost again, its successors' NAKs carry the same `ack` and the RTO recovers it.
   */
  private onNak(ack: number): void {
    if (this.inflight.length === 0) return;
    const now = this.timers.now();
    if (ack === this.lastGoBackAck && now - this.lastGoBackAt < this.rto) return;
    this.lastGoBackAck = ack;
    this.countFruitlessRound('NAKs without progress');
    if (this.state === 'up') this.goBack();
  }

  private rtoFromSamples(): number {
    return Math.min(this.opts.rtoMaxMs, Math.max(this.opts.rtoMinMs, this.srtt + 4 * this.rttvar));
  }

  private sampleRtt(ms: number): void {
    if (this.srtt === 0) {
      this.srtt = ms;
      this.rttvar = ms / 2;
    } else {
      this.rttvar = 0.75 * this.rttvar + 0.25 * Math.abs(this.srtt - ms);
      this.srtt = 0.875 * this.srtt + 0.125 * ms;
    }
    this.rto = this.rtoFromSamples();
    this.stats.srttMs = this.srtt;
    this.stats.rtoMs = this.rto;
  }

  /** Go-back-N: everything unacknowledged is sent again, in order, and the timer starts afresh. */
  private goBack(): void {
    this.lastGoBackAt = this.timers.now();
    for (const f of this.inflight) f.needsSend = true;
    this.restartTimer();
    void this.pump();
  }

  private restartTimer(): void {
    if (this.retransmitTimer !== null) this.timers.clearTimeout(this.retransmitTimer);
    this.retransmitTimer = null;
    if (this.inflight.length === 0 || this.state !== 'up') return;
    this.retransmitTimer = this.timers.setTimeout(() => this.onTimeout(), this.rto);
  }

  private onTimeout(): void {
    this.retransmitTimer = null;
    if (this.state !== 'up' || this.inflight.length === 0) return;
    // A frame still going out cannot have been answered yet: its write completion restarts the
    // timer (bounded, in case the device never drains).
    if (this.writingSince !== null && this.timers.now() - this.writingSince < 2 * this.opts.rtoMaxMs) return;
    // After a stall of the event loop, timers run before the I/O that was waiting: an ACK may be
    // sitting right behind this timer. Look again once pending input has been read.
    const inflight = this.inflight[0];
    this.retransmitTimer = this.timers.setTimeout(() => {
      this.retransmitTimer = null;
      if (this.state === 'up' && this.inflight[0] === inflight && this.writingSince === null) this.timedOut();
      else this.restartTimer();
    }, 0);
  }

  private timedOut(): void {
    this.stats.timeouts++;
    this.rto = Math.min(this.rto * 2, this.opts.rtoMaxMs);
    this.stats.rtoMs = this.rto;
    this.lastGoBackAck = -1;
    this.countFruitlessRound('no answer from the sign');
    if (this.state === 'up') this.goBack();
  }

  /** A retransmission round with nothing new acknowledged; too many in a row and the link is down. */
  private countFruitlessRound(what: string): void {
    this.fruitlessRounds++;
    if (this.fruitlessRounds > this.opts.maxRetries) {
      this.linkLost(`${what} after ${this.opts.maxRetries} retries`, false);
    }
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
    // A write may never settle on a dead device; failAll() starts a new epoch so the next link gets
    // a fresh pump, and whatever the old write does later is ignored.
    const epoch = this.pumpEpoch;
    try {
      while (this.state === 'up' && epoch === this.pumpEpoch) {
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
        entry.sentAt = this.timers.now();
        this.lastSendAt = entry.sentAt;
        this.stats.framesSent++;
        this.stats.bytesSent += entry.wire.length;
        this.writingSince = entry.sentAt;
        try {
          await this.transport.write(entry.wire);
        } catch (error: unknown) {
          if (epoch !== this.pumpEpoch) break;
          this.writingSince = null;
          this.linkLost(error instanceof Error ? error.message : String(error), true);
          break;
        }
        if (epoch !== this.pumpEpoch) break;
        this.writingSince = null;
        // The round trip counts from when the frame has left the line (serial and paced writes resolve
        // after drain): at 115200 baud a 512-byte chunk takes 45 ms to send but a PLAY 2 ms, and an RTO
        // learnt from PLAYs must not expire while a chunk is still going out.
        entry.sentAt = this.timers.now();
        // The newest frame gets a whole RTO from here; the window bounds how far this can push back
        // the oldest frame's timeout.
        if (this.inflight.length > 0) this.restartTimer();
      }
    } finally {
      if (epoch === this.pumpEpoch) this.pumping = false;
    }
  }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const every = this.opts.heartbeatMs;
    if (every <= 0) return;
    // A check every quarter period (one timer re-armed, not an interval, so injected timers need only setTimeout).
    const check = () => {
      this.heartbeatTimer = this.timers.setTimeout(check, Math.max(50, every / 4));
      if (this.state !== 'up' || this.backlog > 0 || this.timers.now() - this.lastSendAt < every) return;
      this.send({ type: 'HEARTBEAT' }).catch(() => undefined);
    };
    this.heartbeatTimer = this.timers.setTimeout(check, Math.max(50, every / 4));
  }

  private stopHeartbeat(): void {
    if (this.heartbeatTimer !== null) this.timers.clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }

  private linkLost(reason: string, transportClosed: boolean): void {
    if (this.state === 'closed' || this.state === 'idle') return;
    const wasConnecting = this.state === 'connecting';
    this.failAll(new LinkDownError(`link to ${this.address} down: ${reason}`));
    this.parser.reset();
    this.stopHeartbeat();
    if (transportClosed) {
      this.transport.close().catch(() => undefined);
      this.scheduleReconnect(reason);
    } else {
      this.state = 'connecting';
      this.reportDown(reason);
      if (!wasConnecting) {
        this.helloAttempts = 0;
        this.sendHello();
      }
    }
  }

  private failAll(error: Error): void {
    this.pumpEpoch++;
    this.pumping = false;
    this.writingSince = null;
    const all = [...this.inflight, ...this.queue];
    this.inflight = [];
    this.queue.length = 0;
    this.statusWaiters.clear();
    if (this.retransmitTimer !== null) this.timers.clearTimeout(this.retransmitTimer);
    this.retransmitTimer = null;
    for (const p of all) p.reject(error);
  }

  private clearTimers(): void {
    if (this.retransmitTimer !== null) this.timers.clearTimeout(this.retransmitTimer);
    if (this.helloTimer !== null) this.timers.clearTimeout(this.helloTimer);
    this.stopHeartbeat();
    this.retransmitTimer = null;
    this.helloTimer = null;
  }
}

export { MessageType };

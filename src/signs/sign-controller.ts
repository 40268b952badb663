import { EventEmitter } from 'node:events';
import type { Clock } from '../domain/clock.ts';
import { type Frame, frameCrc32, PIXEL_FORMAT_CODE } from '../render/frame.ts';
import {
  type BridgeSession,
  Lane,
  LinkDownError,
  SendCancelledError,
  type StatusReport,
} from './bridge/bridge-session.ts';
import { ACK_CODE_NAMES, AckCode, Priority, type PriorityName, TTL_FOREVER } from './bridge/messages.ts';
import { encodeForSlot } from './bridge/prle.ts';
import { CRISIS_SLOT, DEFAULT_SLOT, SlotCache } from './slot-cache.ts';

/** The sign answered, but said no: the code says why (PROTOCOL.md section 5). */
export class SignRefusedError extends Error {
  constructor(
    readonly signId: string,
    readonly step: string,
    readonly code: number,
  ) {
    super(`sign ${signId} refused ${step}: ${ACK_CODE_NAMES[code] ?? code}`);
    this.name = 'SignRefusedError';
  }
}

/**
 * A crisis stage (generic PLAY, specific upload and PLAY) from a crisis run that has since been ended or replaced on
 * this sign: it was not played, so it cannot land on the sign after the all-clear or over the newer crisis.
 */
export class CrisisSupersededError extends Error {
  readonly superseded = true;
  constructor(signId: string) {
    super(`sign ${signId}: this crisis stage was overtaken by an end or a newer crisis and was not played`);
    this.name = 'CrisisSupersededError';
  }
}

/** How long a slot the sign called BUSY stays out of use: a normal lease from before a restart runs out by then. */
const BLOCKED_SLOT_MS = 60_000;

export interface ShowRequest {
  readonly frame: Frame;
  readonly priority: PriorityName;
  /**
   * Lease length; null for a lease without expiry. For normal priorities it is the sign's dead-man
   * switch: refreshed while Skylt runs, the page stays until replaced or ended. For a crisis it is
   * the time to the crisis's expiry, never refreshed.
   */
  readonly ttlMs: number | null;
  readonly itemId: string | null;
  /** Crisis frames jump the send queue. */
  readonly urgent?: boolean;
  /** For a crisis page: the run it belongs to (beginCrisis()); it is not played once that run is overtaken. */
  readonly crisisRun?: number;
}

interface HeldLease {
  frame: Frame;
  crc32: number;
  slot: number;
  ttlMs: number | null;
  itemId: string | null;
  since: number;
  playedAt: number;
}

export interface SignShowing {
  priority: PriorityName | 'default';
  itemId: string | null;
  slot: number;
  crc32: number;
  since: string;
}

export interface PlayedEvent {
  signId: string;
  priority: PriorityName;
  itemId: string | null;
  slot: number;
  crc32: number;
  at: number;
}

type ControllerEvents = { played: [PlayedEvent]; ended: [{ signId: string; priority: PriorityName; at: number }] };

/**
 * One sign: keeps its slots filled by content (upload once, play many), holds one lease per
 * priority and refreshes it, and re-asserts everything after a resync or a sign reboot.
 */
export class SignController extends EventEmitter<ControllerEvents> {
  private readonly cache = new SlotCache(0);
  private readonly leases = new Map<PriorityName, HeldLease>();
  private readonly uploading = new Set<number>();
  private crisisFrame: Frame | null = null;
  private defaultFrame: Frame | null = null;
  private chain: Promise<unknown> = Promise.resolve();
  private reservedJob: Promise<void> | null = null;
  /** Slots the sign refused as BUSY, out of use until the time given. */
  private readonly blocked = new Map<number, number>();
  /** Priorities whose PLAY is on its way to the sign. */
  private readonly playing = new Set<PriorityName>();
  private reservedAgain = false;
  /**
   * Crisis runs on this sign, counted. Ending the crisis or starting a newer one overtakes the current run: its
   * stages still on their way (an upload, a PLAY not yet sent) are withdrawn, so an all-clear or a Cancel that
   * arrives mid-takeover always has the last word on the sign. The sign processes commands strictly in order
   * (PROTOCOL.md section 3), so a PLAY already sent before the end is overridden by the end's PLAY behind it.
   */
  private crisisRunNo = 0;
  private crisisRunAbort = new AbortController();
  lastError: string | null = null;
  /** Why the link went down (open failed, no answer to HELLO, the sign rebooted), until it is up again. */
  linkDownReason: string | null = null;

  constructor(
    readonly signId: string,
    readonly session: BridgeSession,
    private readonly clock: Clock,
    private readonly options: { leaseMs: number; chunkBytes: number } = { leaseMs: 30_000, chunkBytes: 512 },
  ) {
    super();
    session.on('reboot', (caps) => {
      this.cache.reset(caps.slotCount);
      this.blocked.clear();
    });
    session.on('down', (reason) => {
      this.linkDownReason = reason;
    });
    session.on('up', (caps) => {
      this.linkDownReason = null;
      if (this.cache.size === 0) this.cache.reset(caps.slotCount);
      void this.reassert();
    });
  }

  get linkUp(): boolean {
    return this.session.state === 'up';
  }

  start(): void {
    this.session.start();
  }

  /**
   * Tells the sign Skylt is going away: normal leases end so it falls back to its default slot at
   * once; a crisis lease stays, since the sign must keep it even without a controller.
   */
  async stop(): Promise<void> {
    if (this.linkUp) {
      const ends = (['override', 'scheduled', 'fallback'] as const)
        .filter((p) => this.leases.has(p))
        // Ahead of any queued upload: the sign must hear this before the session closes.
        .map((p) =>
          this.session.send(
            { type: 'PLAY', slot: 0, crc32: 0, priority: Priority[p], ttlMs: 0 },
            { lane: Lane.crisis },
          ),
        );
      await Promise.race([Promise.allSettled(ends), new Promise((r) => setTimeout(r, 1000))]);
    }
    await this.session.stop();
  }

  /** What the sign shows, as confirmed by its ACKs: the highest lease held, else its default slot. */
  showing(): SignShowing | null {
    for (const p of ['crisis', 'override', 'scheduled', 'fallback'] as const) {
      const lease = this.leases.get(p);
      if (lease && (lease.ttlMs === null || lease.playedAt + lease.ttlMs > this.clock.now())) {
        return { priority: p, itemId: lease.itemId, slot: lease.slot, crc32: lease.crc32, since: iso(lease.since) };
      }
    }
    return null;
  }

  heldLease(priority: PriorityName): { itemId: string | null; crc32: number } | null {
    const l = this.leases.get(priority);
    return l ? { itemId: l.itemId, crc32: l.crc32 } : null;
  }

  /** Puts a frame on the sign at a priority; resolves once the sign ACKed the PLAY. */
  show(request: ShowRequest): Promise<void> {
    const run = () => this.play(request);
    // Normal pages are serialised (one upload at a time); a crisis does not wait for them.
    if (request.urgent) return run();
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }

  /** The current crisis run's number (see beginCrisis). */
  get crisisRun(): number {
    return this.crisisRunNo;
  }

  /** Starts a crisis run on this sign (a takeover, or a new text): stages of earlier runs are no longer played. */
  beginCrisis(): number {
    this.overtakeCrisisRun();
    return this.crisisRunNo;
  }

  private overtakeCrisisRun(): void {
    this.crisisRunNo++;
    this.crisisRunAbort.abort();
    this.crisisRunAbort = new AbortController();
  }

  /** Throws when a crisis stage belongs to a run that has been overtaken; checked just before its PLAY is sent. */
  private checkCrisisRun(run: number | undefined): void {
    if (run !== undefined && run !== this.crisisRunNo) throw new CrisisSupersededError(this.signId);
  }

  /** Ends the lease at one priority (e.g. the all-clear of a crisis). */
  async end(priority: PriorityName): Promise<void> {
    if (priority === 'crisis') this.overtakeCrisisRun();
    this.leases.delete(priority);
    if (!this.linkUp) return;
    const code = await this.session.send(
      { type: 'PLAY', slot: 0, crc32: 0, priority: Priority[priority], ttlMs: 0 },
      { lane: priority === 'crisis' ? Lane.urgent : Lane.normal },
    );
    if (code !== AckCode.OK) throw new SignRefusedError(this.signId, 'PLAY (end)', code);
    this.emit('ended', { signId: this.signId, priority, at: this.clock.now() });
  }

  /** The generic crisis frame, kept uploaded in its reserved slot so a takeover is one command. */
  setCrisisFrame(frame: Frame): void {
    this.crisisFrame = frame;
    if (this.linkUp) void this.prepareReservedSlots().catch((e: unknown) => this.noteError(e));
  }

  /** The page the sign shows by itself when Skylt is gone (its commissioned default slot). */
  setDefaultFrame(frame: Frame): void {
    this.defaultFrame = frame;
    if (this.linkUp) void this.prepareReservedSlots().catch((e: unknown) => this.noteError(e));
  }

  /** Crisis fast path: PLAY of the reserved slot, ahead of any upload in progress. */
  async playCrisisSlot(ttlMs: number | null, crisisRun?: number): Promise<void> {
    const frame = this.crisisFrame;
    if (!frame) throw new Error(`sign ${this.signId} has no generic crisis frame`);
    const crc32 = frameCrc32(frame);
    this.checkCrisisRun(crisisRun);
    const code = await this.session.send(
      { type: 'PLAY', slot: CRISIS_SLOT, crc32, priority: Priority.crisis, ttlMs: ttlMs ?? TTL_FOREVER },
      { lane: Lane.urgent },
    );
    if (code !== AckCode.OK) throw new SignRefusedError(this.signId, 'PLAY (crisis slot)', code);
    // Overtaken while on the wire: the end (or newer run) went out behind it and decides what the sign shows.
    this.checkCrisisRun(crisisRun);
    this.hold('crisis', { frame, crc32, slot: CRISIS_SLOT, ttlMs, itemId: 'crisis:generic' });
  }

  /** STATUS read-back, for confirmation and the nightly CRC check. */
  readBack(querySlot?: number): Promise<StatusReport> {
    return this.session.status(querySlot);
  }

  /**
   * Refreshes leases that are a third of the way to running out; called by the runtime's tick. The
   * refresh jumps queued uploads (a raw page takes 19 s at 115200 baud, most of a 30 s lease). A
   * crisis lease is not refreshed: its TTL already runs to the crisis's expiry, and refreshing would
   * push that past it.
   */
  refreshLeases(): void {
    if (!this.linkUp) return;
    const now = this.clock.now();
    for (const [priority, lease] of this.leases) {
      if (priority === 'crisis' || lease.ttlMs === null || now - lease.playedAt < lease.ttlMs / 3) continue;
      // A PLAY for this priority is on its way: refreshing the old lease now could land after it.
      if (this.playing.has(priority)) continue;
      lease.playedAt = now;
      this.session
        .send(
          { type: 'PLAY', slot: lease.slot, crc32: lease.crc32, priority: Priority[priority], ttlMs: lease.ttlMs },
          { lane: Lane.crisis },
        )
        .then((code) => {
          if (code !== AckCode.OK) this.reassertOne(priority);
        })
        .catch((e: unknown) => this.noteError(e));
    }
  }

  private async play(request: ShowRequest): Promise<void> {
    const { frame, priority } = request;
    const lane = request.urgent ? Lane.crisis : Lane.normal;
    const crc32 = frameCrc32(frame);
    const run = request.crisisRun;
    const withdraw = run === undefined ? undefined : this.crisisRunAbort.signal;
    for (let attempt = 0; ; attempt++) {
      let slot: number;
      try {
        this.checkCrisisRun(run);
        slot = await this.ensureUploaded(frame, crc32, lane, undefined, withdraw);
      } catch (error: unknown) {
        this.checkCrisisRun(run);
        // The sign holds that slot for a lease this controller does not know (one set before Skylt
        // restarted, a crisis that may run for hours): it stays out of use for a while; try another.
        if (error instanceof SignRefusedError && error.code === AckCode.BUSY && attempt < 3) continue;
        throw error;
      }
      const ttlMs = request.ttlMs ?? TTL_FOREVER;
      this.checkCrisisRun(run);
      this.playing.add(priority);
      // The slot is on the sign: its PLAY does not wait behind uploads queued meanwhile (a reserved slot being
      // rebuilt after a reboot is 19 s of raw data at 115200 baud), as a lease refresh does not.
      const code = await this.session
        .send(
          { type: 'PLAY', slot, crc32, priority: Priority[priority], ttlMs },
          { lane: request.urgent ? Lane.urgent : Lane.crisis },
        )
        .finally(() => this.playing.delete(priority));
      if (code === AckCode.OK) {
        this.checkCrisisRun(run);
        this.hold(priority, { frame, crc32, slot, ttlMs: request.ttlMs, itemId: request.itemId });
        return;
      }
      // The sign no longer holds what the cache says (lost upload, reboot missed): upload again once.
      this.cache.forget(slot);
      if (code !== AckCode.CRC_MISMATCH || attempt > 0) throw new SignRefusedError(this.signId, 'PLAY', code);
    }
  }

  private hold(priority: PriorityName, lease: Omit<HeldLease, 'since' | 'playedAt'>): void {
    const now = this.clock.now();
    const previous = this.leases.get(priority);
    const since = previous && previous.crc32 === lease.crc32 && previous.itemId === lease.itemId ? previous.since : now;
    this.leases.set(priority, { ...lease, since, playedAt: now });
    this.lastError = null;
    this.emit('played', {
      signId: this.signId,
      priority,
      itemId: lease.itemId,
      slot: lease.slot,
      crc32: lease.crc32,
      at: now,
    });
  }

  private busySlots(): Set<number> {
    const busy = new Set(this.uploading);
    for (const lease of this.leases.values()) busy.add(lease.slot);
    const now = this.clock.now();
    for (const [slot, until] of this.blocked) {
      if (until > now) busy.add(slot);
      else this.blocked.delete(slot);
    }
    return busy;
  }

  private async ensureUploaded(
    frame: Frame,
    crc32: number,
    lane: number,
    into?: number,
    withdraw?: AbortSignal,
  ): Promise<number> {
    const key = `${crc32}:${frame.format}:${frame.bytes.length}`;
    const cached = into === undefined ? this.cache.lookup(key) : null;
    if (cached !== null) return cached;
    const caps = this.session.capabilities;
    if (!caps || !this.linkUp) throw new LinkDownError(`link to ${this.signId} is down`);
    const slot = into ?? this.cache.allocate(this.busySlots());
    if (slot === null)
      throw new Error(`sign ${this.signId} has no free slot: every slot is shown, leased or uploading`);
    const { encoding, data } = encodeForSlot(frame);
    this.cache.forget(slot);
    this.uploading.add(slot);
    // One refusal dooms the upload: the chunks still queued are withdrawn instead of sent for nothing.
    const abort = new AbortController();
    const { signal } = abort;
    // An overtaken crisis run withdraws its upload too: the end's PLAY need not wait behind its chunks.
    const onWithdraw = () => abort.abort();
    withdraw?.addEventListener('abort', onWithdraw, { once: true });
    try {
      const step = async (name: string, p: Promise<number>) => {
        try {
          const code = await p;
          if (code === AckCode.BUSY && into === undefined) this.blocked.set(slot, this.clock.now() + BLOCKED_SLOT_MS);
          if (code !== AckCode.OK) throw new SignRefusedError(this.signId, name, code);
        } catch (error: unknown) {
          abort.abort();
          throw error;
        }
      };
      const chunk = Math.max(1, Math.min(this.options.chunkBytes, caps.maxPayload - 5));
      const sends = [
        step(
          'SLOT_BEGIN',
          this.session.send(
            {
              type: 'SLOT_BEGIN',
              slot,
              format: PIXEL_FORMAT_CODE[frame.format],
              encoding,
              width: frame.width,
              height: frame.height,
              encodedLength: data.length,
              crc32,
            },
            { lane, signal },
          ),
        ),
      ];
      for (let offset = 0; offset < data.length; offset += chunk) {
        const part = data.subarray(offset, offset + chunk);
        sends.push(
          step('SLOT_DATA', this.session.send({ type: 'SLOT_DATA', slot, offset, data: part }, { lane, signal })),
        );
      }
      sends.push(step('SLOT_COMMIT', this.session.send({ type: 'SLOT_COMMIT', slot }, { lane, signal })));
      const results = await Promise.allSettled(sends);
      // The first real reason, not the cancellations it caused.
      const failed = results
        .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
        .map((r) => r.reason as unknown);
      const cause = failed.find((e) => !(e instanceof SendCancelledError)) ?? failed[0];
      if (cause !== undefined) throw cause;
      if (into === undefined) this.cache.store(slot, key, crc32);
      return slot;
    } finally {
      withdraw?.removeEventListener('abort', onWithdraw);
      this.uploading.delete(slot);
    }
  }

  /**
   * Keeps the reserved slots (crisis, default) holding their frames. Runs one at a time: two runs
   * side by side would both upload the same slot, the second one restarting the first.
   */
  private prepareReservedSlots(): Promise<void> {
    if (this.reservedJob) {
      this.reservedAgain = true;
      return this.reservedJob;
    }
    const job = (async () => {
      try {
        do {
          this.reservedAgain = false;
          await this.prepareReservedSlotsOnce();
        } while (this.reservedAgain && this.linkUp);
      } finally {
        this.reservedJob = null;
      }
    })();
    this.reservedJob = job;
    return job;
  }

  private async prepareReservedSlotsOnce(): Promise<void> {
    for (const [slot, frame] of [
      [CRISIS_SLOT, this.crisisFrame],
      [DEFAULT_SLOT, this.defaultFrame],
    ] as const) {
      if (!frame || !this.linkUp) continue;
      const crc32 = frameCrc32(frame);
      const report = await this.session.status(slot);
      if (report.queryValid && report.queryCrc32 === crc32) continue;
      // The sign refuses to overwrite what it shows (BUSY): the default slot is written while a lease is up.
      if (report.showingSlot === slot) continue;
      await this.ensureUploaded(frame, crc32, Lane.normal, slot);
    }
  }

  private async reassert(): Promise<void> {
    const priorities = ['crisis', 'override', 'scheduled', 'fallback'] as const;
    // Without a crisis on the reserved slot, what the sign should show goes first: rebuilding the reserved slots
    // after a reboot can be a raw 221 KB upload (19 s at 115200 baud), all that time on the sign's default slot.
    const crisisOnReservedSlot = this.leases.get('crisis')?.slot === CRISIS_SLOT;
    if (!crisisOnReservedSlot) for (const priority of priorities) this.reassertOne(priority);
    try {
      await this.prepareReservedSlots();
    } catch (e: unknown) {
      this.noteError(e);
    }
    // Highest priority first: after a reboot the crisis is back before anything else is re-uploaded.
    if (crisisOnReservedSlot) for (const priority of priorities) this.reassertOne(priority);
  }

  private reassertOne(priority: PriorityName): void {
    const lease = this.leases.get(priority);
    if (!lease) return;
    // Normal content is held until replaced or ended, its TTL only the sign's dead-man switch: it
    // comes back with a full lease. A crisis lease counts down to the crisis's expiry.
    let ttlMs = lease.ttlMs;
    if (priority === 'crisis' && ttlMs !== null) {
      ttlMs = lease.playedAt + ttlMs - this.clock.now();
      if (ttlMs <= 0) {
        this.leases.delete(priority);
        return;
      }
    }
    // A crisis comes back as part of the run it belongs to: an end arriving meanwhile withdraws it.
    const crisisRun = priority === 'crisis' ? this.crisisRunNo : undefined;
    if (priority === 'crisis' && lease.slot === CRISIS_SLOT) {
      void this.playCrisisSlot(ttlMs, crisisRun).catch((e: unknown) => this.noteError(e));
      return;
    }
    void this.show({
      frame: lease.frame,
      priority,
      ttlMs,
      itemId: lease.itemId,
      urgent: priority === 'crisis',
      crisisRun,
    }).catch((e: unknown) => this.noteError(e));
  }

  private noteError(error: unknown): void {
    this.lastError = error instanceof Error ? error.message : String(error);
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

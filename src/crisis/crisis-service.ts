import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Clock } from '../domain/clock.ts';
import { GENERIC_CRISIS } from '../domain/crisis-text.ts';
import { Refusal } from '../domain/refusal.ts';
import { type Frame, frameCrc32 } from '../render/frame.ts';
import { Priority } from '../signs/bridge/messages.ts';
import { CrisisSupersededError, type SignController } from '../signs/sign-controller.ts';
import { CRISIS_SLOT } from '../signs/slot-cache.ts';
import type { AuditRepository } from '../store/audit-repository.ts';
import type { CrisisRecord, CrisisRepository, SignConfirmation } from '../store/crisis-repository.ts';
import type { Db } from '../store/database.ts';
import { type Alert, referencedIds } from './alert.ts';
import type { CrisisDecision } from './crisis-policy.ts';
import { crisisTextCandidates } from './sign-text.ts';

/** A crisis request that cannot be carried out as asked: an invalid text or sign, no such crisis, the wrong state. */
export class CrisisError extends Refusal {
  constructor(kind: 'invalid' | 'notFound' | 'conflict', message: string) {
    super(kind, message);
    this.name = 'CrisisError';
  }
}

export interface CrisisSign {
  readonly id: string;
  readonly controller: SignController;
  renderCrisis(message: { headline: string; instruction: string }): Frame;
}

export interface CrisisInput {
  source: string;
  alertId?: string | null;
  incidents?: string[];
  headline: string;
  instruction: string;
  /** Target signs; all signs when absent. */
  signIds?: string[] | null;
  expiresAt?: string | null;
  actor: string;
  reason?: string | null;
}

type CrisisEvents = { changed: [CrisisRecord] };

/**
 * Crisis state and takeover. A takeover is two stages on every target sign: PLAY of the generic
 * crisis frame kept in its reserved slot (one urgent command, ahead of any upload), then the
 * specific text once uploaded. Each stage is confirmed by the ACK and a STATUS read-back of slot
 * and CRC; the time from activation to every sign confirmed is the takeover latency.
 */
export class CrisisService extends EventEmitter<CrisisEvents> {
  private readonly latencies: number[] = [];
  /** Signs with a takeover on its way: the tick's re-assertion must not start a second one that overtakes it. */
  private readonly takingOver = new Set<string>();

  constructor(
    private readonly o: {
      db: Db;
      repo: CrisisRepository;
      audit: AuditRepository;
      clock: Clock;
      signs: () => CrisisSign[];
      log: Logger;
    },
  ) {
    super();
  }

  /** Re-asserts a crisis that was running when Skylt stopped or crashed, and follows links coming back. */
  start(): void {
    for (const sign of this.o.signs()) {
      sign.controller.session.on('up', () => {
        const active = this.active();
        if (active?.signIds.includes(sign.id)) void this.takeoverSigns(active, [sign]).then((c) => this.save(c));
        else void this.endStale(sign);
      });
    }
    const active = this.active();
    if (active) {
      this.o.log.warn({ crisis: active.id }, 're-asserting the crisis that was running before the restart');
      void this.takeover(active);
    }
  }

  active(): CrisisRecord | null {
    const list = this.o.repo.inState('active');
    return list[list.length - 1] ?? null;
  }

  proposals(): CrisisRecord[] {
    return this.o.repo.inState('proposed');
  }

  get(id: string): CrisisRecord {
    const c = this.o.repo.get(id);
    if (!c) throw new CrisisError('notFound', `no crisis "${id}"`);
    return c;
  }

  /**
   * The exact crisis page for one sign, as it would go up (the console's preview before confirming).
   * Throws CrisisError 404 for an unknown sign and 400 when the text does not fit.
   */
  previewFrame(signId: string, text: { headline: string; instruction: string }): Frame {
    const sign = this.o.signs().find((s) => s.id === signId);
    if (!sign)
      throw new CrisisError(
        'notFound',
        `no sign "${signId}"; signs are ${this.o
          .signs()
          .map((s) => s.id)
          .join(', ')}`,
      );
    try {
      return sign.renderCrisis(text);
    } catch (e: unknown) {
      throw new CrisisError('invalid', `crisis text for ${signId}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Takeover latencies measured since start, for the metric. */
  takeoverLatencies(): readonly number[] {
    return this.latencies;
  }

  /** Starts a crisis message at once (manual, or an automatic feed takeover). */
  async activate(input: CrisisInput): Promise<CrisisRecord> {
    const record = this.newRecord(input, 'active');
    this.checkRenders(record);
    return this.activateRecord(record, input.actor, 'crisis.start');
  }

  /** A feed alert that waits for a communicator's one-click approval. */
  propose(input: CrisisInput): CrisisRecord {
    if (input.alertId) {
      const existing = this.o.repo.byAlert(input.source, input.alertId);
      if (existing) return existing;
    }
    const record = this.newRecord(input, 'proposed');
    this.write(record, input.actor, 'crisis.propose', null);
    return record;
  }

  async approve(id: string, actor: string): Promise<CrisisRecord> {
    const c = this.get(id);
    if (c.state !== 'proposed')
      throw new CrisisError('conflict', `crisis ${id} is ${c.state}, not a proposal waiting for approval`);
    return this.activateRecord(c, actor, 'crisis.approve');
  }

  dismiss(id: string, actor: string): CrisisRecord {
    const c = this.get(id);
    if (c.state !== 'proposed')
      throw new CrisisError('conflict', `crisis ${id} is ${c.state}, not a proposal that can be dismissed`);
    const after = { ...c, state: 'dismissed' as const, endedAt: this.nowIso(), endedReason: `dismissed by ${actor}` };
    this.write(after, actor, 'crisis.dismiss', c);
    return after;
  }

  /** An Update from the source, or a communicator's correction: the running text is replaced. */
  async update(id: string, text: { headline: string; instruction: string }, actor: string): Promise<CrisisRecord> {
    const c = this.get(id);
    if (c.state !== 'active' && c.state !== 'proposed')
      throw new CrisisError('conflict', `crisis ${id} has ${c.state}; start a new one`);
    const after = { ...c, ...text };
    this.checkRenders(after);
    this.write(after, actor, 'crisis.update', c);
    if (after.state !== 'active') return after;
    return this.takeover(after);
  }

  /** All-clear (or Cancel, or expiry): the signs go back to the schedule. */
  async end(id: string, actor: string, reason: string): Promise<CrisisRecord> {
    const c = this.get(id);
    if (c.state !== 'active') throw new CrisisError('conflict', `crisis ${id} is ${c.state}, not running`);
    const after = { ...c, state: 'ended' as const, endedAt: this.nowIso(), endedReason: reason };
    this.write(after, actor, 'crisis.end', c);
    await Promise.all(
      this.targets(c.signIds).map((s) =>
        s.controller.end('crisis').catch((e: unknown) => {
          // The sign keeps the crisis until its TTL if it cannot be told now; retried when the link returns.
          this.o.log.error({ sign: s.id, err: e }, 'could not end the crisis on the sign');
        }),
      ),
    );
    return after;
  }

  /**
   * Carries out a feed's decision (CrisisPolicy): take over, propose, replace the text, or end.
   * Never throws: a feed must not be able to break the crisis state.
   */
  async handleDecision(d: CrisisDecision): Promise<CrisisRecord | null> {
    const a = d.alert;
    const actor = `feed:${a.source}`;
    try {
      switch (d.action) {
        case 'ignore':
          return null;
        case 'takeover':
        case 'propose': {
          const existing = this.o.repo.byAlert(a.source, a.id);
          // Already running, proposed, or ended by a communicator: a feed repeating it changes nothing.
          if (existing) return existing;
          const input = {
            ...this.textFor(a, d.signIds),
            source: a.source,
            alertId: a.id,
            incidents: a.incidents,
            signIds: d.signIds,
            expiresAt: futureIso(a.expires, this.o.clock.now()),
            actor,
            reason: d.reason,
          };
          return d.action === 'takeover' ? await this.activate(input) : this.propose(input);
        }
        case 'update': {
          const targets = this.o.repo.referencedBy(referencedIds(a));
          for (const c of targets) await this.update(c.id, this.textFor(a, c.signIds), actor);
          return targets[0] ?? null;
        }
        case 'end': {
          const targets = this.o.repo.referencedBy(referencedIds(a));
          for (const c of targets) {
            if (c.state === 'active')
              await this.end(
                c.id,
                actor,
                `${a.msgType === 'Cancel' ? 'cancelled' : 'ended'} by ${a.source}: ${d.reason}`,
              );
            else this.dismiss(c.id, actor);
          }
          return targets[0] ?? null;
        }
      }
    } catch (e: unknown) {
      this.o.log.error(
        { alert: a.id, action: d.action, err: e instanceof Error ? e.message : String(e) },
        'feed decision failed',
      );
      return null;
    }
  }

  /**
   * Feed text is written for radio and web, not for a sign: the first of the alert's candidate texts (sign-text.ts)
   * that fits every target sign, else the generic VMA page. A takeover never fails because a text is long.
   */
  private textFor(a: Alert, signIds: string[]): { headline: string; instruction: string } {
    const signs = this.targets(signIds.length ? signIds : this.o.signs().map((s) => s.id));
    for (const c of crisisTextCandidates(a)) {
      if (signs.every((s) => fits(() => s.renderCrisis(c)))) return c;
    }
    return { ...GENERIC_CRISIS };
  }

  /** Ends crises whose expiry has passed; called by the runtime's tick. */
  async expire(): Promise<void> {
    const now = this.o.clock.now();
    for (const c of this.o.repo.inState('active')) {
      if (c.expiresAt && Date.parse(c.expiresAt) <= now) await this.end(c.id, 'system', 'expired');
    }
  }

  /** After a restart or a lost link: signs that should show the crisis but do not, get it again. */
  async reassertMissing(): Promise<void> {
    const active = this.active();
    if (!active) return;
    const missing = this.targets(active.signIds).filter(
      (s) => s.controller.linkUp && !s.controller.heldLease('crisis') && !this.takingOver.has(s.id),
    );
    if (missing.length > 0) this.save(await this.takeoverSigns(active, missing));
  }

  /**
   * A sign that comes back still showing a crisis that no longer runs on it (the all-clear came while its link was
   * down, or Skylt died between recording the all-clear and telling the sign) is told to end it: a manual crisis
   * has no expiry on the sign, so nothing else would ever take it down.
   */
  private async endStale(sign: CrisisSign): Promise<void> {
    try {
      const report = await sign.controller.readBack();
      if (report.showingPriority !== Priority.crisis) return;
      // A crisis may have started while the read-back was on the wire.
      if (this.active()?.signIds.includes(sign.id)) return;
      this.o.log.warn({ sign: sign.id }, 'the sign still shows a crisis that has ended: ending it there');
      await sign.controller.end('crisis');
    } catch (e: unknown) {
      const err = e instanceof Error ? e.message : String(e);
      this.o.log.error({ sign: sign.id, err }, 'could not end an ended crisis on the sign');
    }
  }

  private async activateRecord(record: CrisisRecord, actor: string, action: string): Promise<CrisisRecord> {
    // One crisis at a time: a new one supersedes what runs, on the signs it does not cover too.
    for (const running of this.o.repo.inState('active')) {
      if (running.id === record.id) continue;
      const ended = {
        ...running,
        state: 'ended' as const,
        endedAt: this.nowIso(),
        endedReason: `superseded by ${record.id}`,
      };
      this.write(ended, actor, 'crisis.end', running);
      for (const s of this.targets(running.signIds.filter((id) => !record.signIds.includes(id)))) {
        await s.controller.end('crisis').catch(() => undefined);
      }
    }
    const before = record.state === 'active' ? null : record;
    const active = { ...record, state: 'active' as const, activatedAt: this.nowIso() };
    this.write(active, actor, action, before);
    return this.takeover(active);
  }

  private async takeover(c: CrisisRecord): Promise<CrisisRecord> {
    const done = await this.takeoverSigns(c, this.targets(c.signIds));
    this.save(done);
    return done;
  }

  private async takeoverSigns(c: CrisisRecord, signs: CrisisSign[]): Promise<CrisisRecord> {
    const t0 = performance.now();
    const ttlMs = c.expiresAt ? Math.max(1000, Date.parse(c.expiresAt) - this.o.clock.now()) : null;
    const results = await Promise.all(
      signs.map(async (sign): Promise<[string, SignConfirmation | null]> => {
        // This takeover is now the sign's crisis run: an end, a Cancel or a newer text overtakes it at any stage.
        const run = sign.controller.beginCrisis();
        this.takingOver.add(sign.id);
        try {
          return [sign.id, await this.takeoverStages(c, sign, run, ttlMs, t0)];
        } finally {
          // Unless a newer run on this sign has taken over the bookkeeping.
          if (sign.controller.crisisRun === run) this.takingOver.delete(sign.id);
        }
      }),
    );
    // A run overtaken by an end or a newer text confirms nothing: what the sign shows is the newer run's to say.
    const confirmed = results.filter((r): r is [string, SignConfirmation] => r[1] !== null);
    const confirmations = { ...c.confirmations, ...Object.fromEntries(confirmed) };
    const generic = c.signIds.map((id) => confirmations[id]?.genericMs ?? null);
    const takeoverMs = generic.every((v) => v !== null) ? Math.max(...(generic as number[])) : c.takeoverMs;
    if (takeoverMs !== null && takeoverMs !== c.takeoverMs) this.latencies.push(takeoverMs);
    return { ...c, confirmations, takeoverMs };
  }

  /** The two stages on one sign, each confirmed by read-back; null when the run was overtaken. */
  private async takeoverStages(
    c: CrisisRecord,
    sign: CrisisSign,
    run: number,
    ttlMs: number | null,
    t0: number,
  ): Promise<SignConfirmation | null> {
    const conf: SignConfirmation = {
      genericMs: null,
      specificMs: null,
      slot: null,
      crc32: null,
      confirmedAt: null,
      error: null,
    };
    try {
      await sign.controller.playCrisisSlot(ttlMs, run);
      const generic = await sign.controller.readBack();
      if (generic.showingPriority === Priority.crisis && generic.showingSlot === CRISIS_SLOT) {
        conf.genericMs = performance.now() - t0;
      }
    } catch (e: unknown) {
      if (e instanceof CrisisSupersededError) return null;
      // No generic frame on the sign yet (just booted): the specific text below still takes over.
      conf.error = `generic crisis slot: ${e instanceof Error ? e.message : String(e)}`;
    }
    try {
      const frame = sign.renderCrisis(c);
      const crc32 = frameCrc32(frame);
      await sign.controller.show({
        frame,
        priority: 'crisis',
        ttlMs,
        itemId: `crisis:${c.id}`,
        urgent: true,
        crisisRun: run,
      });
      const specific = await sign.controller.readBack();
      if (specific.showingPriority === Priority.crisis && specific.showingCrc32 === crc32) {
        conf.specificMs = performance.now() - t0;
        conf.genericMs ??= conf.specificMs;
        conf.slot = specific.showingSlot;
        conf.crc32 = crc32;
        conf.confirmedAt = this.nowIso();
      } else
        conf.error = `read-back shows slot ${specific.showingSlot} crc ${specific.showingCrc32}, not the crisis text`;
    } catch (e: unknown) {
      if (e instanceof CrisisSupersededError) return null;
      conf.error = e instanceof Error ? e.message : String(e);
      this.o.log.error({ sign: sign.id, crisis: c.id, err: conf.error }, 'crisis takeover not confirmed on a sign');
    }
    return conf;
  }

  /** The text must fit every target sign before anything changes: a communicator hears it at once. */
  private checkRenders(c: CrisisRecord): void {
    for (const sign of this.targets(c.signIds)) {
      try {
        sign.renderCrisis(c);
      } catch (e: unknown) {
        throw new CrisisError('invalid', `crisis text for ${sign.id}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }

  private newRecord(input: CrisisInput, state: 'active' | 'proposed'): CrisisRecord {
    const known = this.o.signs().map((s) => s.id);
    const signIds = input.signIds && input.signIds.length > 0 ? [...new Set(input.signIds)] : known;
    const unknown = signIds.filter((id) => !known.includes(id));
    if (unknown.length > 0)
      throw new CrisisError('invalid', `unknown sign ${unknown.join(', ')}; signs are ${known.join(', ')}`);
    if (input.expiresAt && Date.parse(input.expiresAt) <= this.o.clock.now()) {
      throw new CrisisError('invalid', `expiresAt ${input.expiresAt} is in the past: give a time after now`);
    }
    return {
      id: `crisis-${randomUUID().slice(0, 8)}`,
      source: input.source,
      alertId: input.alertId ?? null,
      incidents: input.incidents ?? [],
      state,
      headline: input.headline.normalize('NFC').trim(),
      instruction: input.instruction.normalize('NFC').trim(),
      signIds,
      createdAt: this.nowIso(),
      createdBy: input.actor,
      activatedAt: null,
      expiresAt: input.expiresAt ?? null,
      endedAt: null,
      endedReason: null,
      takeoverMs: null,
      confirmations: {},
      reason: input.reason ?? null,
    };
  }

  /** The state change and its audit record land in one transaction. */
  private write(after: CrisisRecord, actor: string, action: string, before: CrisisRecord | null): void {
    this.o.db.transaction(() => {
      this.o.repo.save(after);
      this.o.audit.record({ at: this.nowIso(), actor, action, subject: after.id, before: before ?? undefined, after });
    })();
    this.emit('changed', after);
  }

  private save(c: CrisisRecord): void {
    // Confirmations only: the crisis may have ended while its takeover was in flight.
    const current = this.o.repo.get(c.id);
    if (!current) return;
    try {
      this.o.repo.save({ ...current, confirmations: c.confirmations, takeoverMs: c.takeoverMs });
    } catch (e: unknown) {
      // Bookkeeping of what the signs confirmed: a full or read-only disk must not undo a takeover that happened.
      const err = e instanceof Error ? e.message : String(e);
      this.o.log.error({ crisis: c.id, err }, 'could not record the crisis confirmations');
    }
    this.emit('changed', { ...current, confirmations: c.confirmations, takeoverMs: c.takeoverMs });
  }

  private targets(ids: string[]): CrisisSign[] {
    return this.o.signs().filter((s) => ids.includes(s.id));
  }

  private nowIso(): string {
    return new Date(this.o.clock.now()).toISOString();
  }
}

function fits(render: () => unknown): boolean {
  try {
    render();
    return true;
  } catch {
    return false;
  }
}

function futureIso(ms: number | null, now: number): string | null {
  return ms !== null && ms > now ? new Date(ms).toISOString() : null;
}

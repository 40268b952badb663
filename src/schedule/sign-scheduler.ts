import type { Clock } from '../domain/clock.ts';
import { contentTitle, type Organisation } from '../domain/item-content.ts';
import type { Override } from '../domain/override.ts';
import type { PlaylistItem } from '../domain/playlist.ts';
import { type Frame, frameCrc32 } from '../render/frame.ts';
import type { PriorityName } from '../signs/bridge/messages.ts';
import type { SignController, SignShowing } from '../signs/sign-controller.ts';
import type { SignStateRepository } from '../store/sign-state-repository.ts';
import { FallbackLoop, type RotationState } from './fallback-rotation.ts';
import { type CannotAir, PagesNotAiring } from './pages-not-airing.ts';
import {
  compileSchedule,
  confirmShown,
  forgetCurrent,
  type RotationHistory,
  resumeShown,
  rotationAt,
} from './rotation-engine.ts';
import { MIN_DWELL_MS, type PublishedSchedule, type ScheduledItem } from './schedule-input.ts';

/** A scheduled item and the page it shows (the published playlist item). */
export interface ScheduledPage extends ScheduledItem {
  readonly page: PlaylistItem;
}

export interface SignSchedulerOptions {
  readonly signId: string;
  readonly controller: SignController;
  readonly clock: Clock;
  readonly schedule: () => PublishedSchedule<ScheduledPage>;
  readonly activeOverride: (signId: string, now: number) => Override | null;
  /** The fallback loop's pages (playlists/default.json), played under everything. */
  readonly fallbackItems: () => readonly PlaylistItem[];
  /** The one door from a page to its frame (src/render/sign-page.ts). */
  readonly render: (page: PlaylistItem) => Frame;
  readonly state: SignStateRepository;
  readonly leaseMs: number;
  /** Refuse to schedule by time when the clock is not believable (the fallback loop needs no clock). */
  readonly clockOk: (now: number) => boolean;
  readonly onError: (message: string) => void;
}

export type Layer = 'crisis' | 'override' | 'scheduled' | 'fallback' | 'default';

export interface SignSchedule {
  readonly layer: Layer | null;
  readonly itemId: string | null;
  readonly organisation: Organisation | null;
  /** The earliest the page may change (null: until something else happens). */
  readonly until: number | null;
  readonly revision: string;
  readonly overrideId: string | null;
}

interface CachedFrame {
  readonly key: string;
  readonly frame: Frame;
  readonly crc32: number;
}

/** Frames kept per sign (a 384x192 page is 221 KB): the fallback loop and the rotation's recent pages. */
const FRAME_CACHE = 24;

/** What a page looks like: its frame is cached by it, and a problem drawing it lasts while it is unchanged. */
const pageKey = (page: PlaylistItem): string =>
  JSON.stringify([page.organisation, page.content, page.infoLink, page.showLink]);

/**
 * One sign's priorities below a crisis: override > scheduled (the rotation engine) > fallback (the loop of
 * playlists/default.json). The one play path: every page below a crisis reaches this sign through here, drawn
 * through one door with one frame cache. Each layer keeps its own lease on the sign; the sign shows the highest, so
 * when a layer ends the one below is already there and is only shown again, for proof of play and a fresh minimum
 * dwell. A crisis (src/crisis) plays above all of this and is never touched here: while it is up, nothing changes
 * underneath except ending what ran out.
 */
export class SignScheduler {
  private history: RotationHistory | null;
  private busy = false;
  private covered = false;
  private overrideShown: string | null = null;
  /** The scheduled page on the sign, as rendered when it was chosen (a new revision waits for the next page). */
  private scheduledFrame: (CachedFrame & { itemId: string }) | null = null;
  private readonly frames = new Map<string, CachedFrame>();
  /** Items of the live revision that could not be drawn (scope: the revision). */
  private readonly notAiring: PagesNotAiring;
  /** The fallback loop, and its pages that cannot be drawn (scope: the page's content). */
  private readonly fallback: FallbackLoop;
  private readonly fallbackNotAiring: PagesNotAiring;
  private visibleKey = '';
  private visibleSince = 0;
  private readonly organisations = new Map<string, Organisation>();
  lastError: string | null = null;

  constructor(private readonly o: SignSchedulerOptions) {
    this.history = o.state.load<RotationHistory>(this.stateKey);
    this.notAiring = new PagesNotAiring({ signId: o.signId, onError: o.onError });
    this.fallbackNotAiring = new PagesNotAiring({ signId: o.signId, onError: o.onError });
    // The loop's state is kept under the sign's id (as before the loop moved in here), so a restart continues it.
    this.fallback = new FallbackLoop(o.signId, o.fallbackItems, o.state.load<RotationState>(o.signId), (state) =>
      o.state.save(o.signId, state, new Date(state.startedAt).toISOString()),
    );
  }

  /** Where the fallback loop stands (for tests and the schedule view). */
  get fallbackRotation(): RotationState | null {
    return this.fallback.rotation;
  }

  private get stateKey(): string {
    return `${this.o.signId}/scheduled`;
  }

  get rotation(): RotationHistory | null {
    return this.history;
  }

  /** Which organisation a page played at a priority belongs to (for proof of play). */
  organisationOf(priority: PriorityName, itemId: string | null): Organisation | null {
    return itemId ? (this.organisations.get(`${priority}/${itemId}`) ?? null) : null;
  }

  /** What the sign shows by this scheduler's account, and until when. */
  now(): SignSchedule {
    const showing = this.o.controller.showing();
    const layer: Layer | null = showing ? showing.priority : null;
    const cur = this.history?.current ?? null;
    return {
      layer,
      itemId: showing?.itemId ?? null,
      organisation: showing ? this.organisationOf(showing.priority as PriorityName, showing.itemId) : null,
      until:
        layer === 'scheduled' && cur
          ? cur.holdUntil
          : layer === 'fallback'
            ? this.fallback.holdUntil()
            : layer === 'override'
              ? (this.o.activeOverride(this.o.signId, this.o.clock.now())?.endsAt ?? null)
              : null,
      revision: this.o.schedule().revision,
      overrideId: this.overrideShown,
    };
  }

  /** Called by the runtime's tick: at most one change per call; never runs twice at once. */
  async tick(): Promise<void> {
    if (this.busy || !this.o.controller.linkUp) return;
    this.busy = true;
    try {
      await this.step();
      this.lastError = null;
    } catch (error: unknown) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.o.onError(`sign ${this.o.signId}: ${this.lastError}`);
    } finally {
      this.busy = false;
    }
  }

  /** Forces the visible layer to show its page again (e.g. the nightly check found its slot damaged). */
  reshow(): void {
    this.covered = true;
  }

  private async step(): Promise<void> {
    const c = this.o.controller;
    const now = this.o.clock.now();
    const top = c.showing();
    this.observe(top, now);
    const sane = this.o.clockOk(now);
    const override = sane ? this.o.activeOverride(this.o.signId, now) : null;

    if (top?.priority === 'crisis') {
      // The crisis owns the sign. Underneath, only end an override that is over, so it does not
      // come back when the crisis ends.
      this.covered = true;
      if (c.heldLease('override') && !override) await this.endOverride();
      return;
    }
    const resuming = this.covered;
    this.covered = false;
    const minimumShown = now >= this.visibleSince + MIN_DWELL_MS;

    // Override: starts once the page on the sign has had its road-safety minimum.
    const heldOverride = c.heldLease('override');
    if (override) {
      const onSign = heldOverride !== null && this.overrideShown === override.id;
      if (onSign && !resuming) return;
      if (!resuming && top !== null && !onSign && !minimumShown) return;
      await this.showOverride(override);
      return;
    }
    if (heldOverride) {
      if (!resuming && !minimumShown) return;
      await this.endOverride();
      const below = c.showing();
      this.observe(below, now);
      await this.resumeLayer(below, now);
      return;
    }

    // Scheduled: the published rotation.
    if (sane) {
      if (await this.scheduledStep(now, resuming)) return;
    } else if (c.heldLease('scheduled')) {
      // The clock went implausible while a page was up: stop scheduling by time (after its minimum).
      if (minimumShown) await this.endScheduled(now);
      return;
    }

    // Fallback: the default loop.
    if (resuming && c.showing()?.priority === 'fallback') this.fallback.resume(now, MIN_DWELL_MS);
    await this.fallbackStep(now);
    this.observe(c.showing(), this.o.clock.now());
  }

  /** One step of the fallback loop: the page it wants, unless a page that cannot be drawn is passed over. */
  private async fallbackStep(now: number): Promise<void> {
    // A page that cannot be drawn is passed over (the loop goes on), not retried at every tick.
    const excluded = this.fallbackNotAiring.excluded(this.fallbackCurrent, now);
    const step = this.fallback.next(now, excluded);
    if (!step) return;
    const page = { scope: pageKey(step.item), itemId: step.item.id, title: contentTitle(step.item.content) };
    const drawn = this.fallbackNotAiring.draw(page, now, () => this.frameFor(step.item));
    // Its picture is being prepared: the sign keeps its page, and the same page is tried at the next tick.
    if (drawn === 'wait' || drawn === null) return;
    if (!this.fallback.mustShow(step, this.o.controller.heldLease('fallback'), drawn.crc32)) return;
    await this.o.controller.show({
      frame: drawn.frame,
      priority: 'fallback',
      ttlMs: this.o.leaseMs,
      itemId: step.item.id,
    });
    this.fallback.shown(step, this.o.clock.now());
  }

  /** Whether a problem recorded for a fallback item still concerns the loop's page as it is now. */
  private readonly fallbackCurrent = (scope: string, itemId: string): boolean => {
    const item = this.o.fallbackItems().find((i) => i.id === itemId);
    return item !== undefined && pageKey(item) === scope;
  };

  /** Tracks since when the page on the sign has been visible, whoever put it there. */
  private observe(top: SignShowing | null, now: number): void {
    const key = top ? `${top.priority}/${top.itemId}/${top.crc32}` : '';
    if (key !== this.visibleKey) {
      this.visibleKey = key;
      this.visibleSince = now;
    }
  }

  private async resumeLayer(top: SignShowing | null, now: number): Promise<void> {
    if (top?.priority === 'scheduled') {
      await this.scheduledStep(now, true);
    } else if (top?.priority === 'fallback') {
      this.fallback.resume(now, MIN_DWELL_MS);
      await this.fallbackStep(now);
    }
    this.observe(this.o.controller.showing(), this.o.clock.now());
  }

  private async showOverride(o: Override): Promise<void> {
    const { frame } = this.frameFor(o.page);
    this.organisations.set(`override/${o.page.id}`, o.page.organisation);
    await this.o.controller.show({ frame, priority: 'override', ttlMs: this.o.leaseMs, itemId: o.page.id });
    this.overrideShown = o.id;
    this.observe(this.o.controller.showing(), this.o.clock.now());
  }

  private async endOverride(): Promise<void> {
    await this.o.controller.end('override');
    this.overrideShown = null;
  }

  private async endScheduled(now: number): Promise<void> {
    await this.o.controller.end('scheduled');
    this.scheduledFrame = null;
    const below = this.o.controller.showing();
    this.observe(below, now);
    if (below?.priority === 'fallback') this.fallback.resume(now, MIN_DWELL_MS);
  }

  /** One step of the rotation; true while the scheduled layer has the sign. */
  private async scheduledStep(now: number, resuming: boolean): Promise<boolean> {
    const c = this.o.controller;
    // The page comes back into sight (a crisis or an override ended): it stays at least the minimum
    // from now, so the sign goes back to it instead of flashing it and moving on.
    if (resuming && this.history?.current && c.heldLease('scheduled')) this.history = resumeShown(this.history, now);
    const schedule = this.o.schedule();
    const compiled = compileSchedule(schedule);
    const exclude = this.excluded(schedule.revision);
    const decision = rotationAt(compiled, this.o.signId, this.history, now, { exclude });

    if (decision.kind === 'hold') {
      this.history = decision.history;
      const held = c.heldLease('scheduled');
      const mine = this.scheduledFrame;
      const onSign =
        mine && mine.itemId === decision.itemId && held?.itemId === mine.itemId && held.crc32 === mine.crc32;
      if (onSign && !resuming) return true;
      // After a restart, a lost lease or a covering layer: show the page again, at least the minimum from now.
      let frame: CachedFrame | 'wait' | null = mine?.itemId === decision.itemId ? mine : null;
      if (!frame && decision.item) frame = this.renderScheduled(decision.item, schedule.revision);
      // Its picture is being prepared (after a restart): the fallback meanwhile, the same page at the next tick.
      if (frame === 'wait') return false;
      if (!frame) {
        this.history = forgetCurrent(this.history);
        return false;
      }
      await this.showScheduled(
        decision.itemId,
        decision.item?.organisation ?? this.history.current?.organisation ?? null,
        frame,
      );
      this.history = resumeShown(this.history, this.o.clock.now());
      this.save();
      return true;
    }

    if (decision.kind === 'idle') {
      const changed = this.history?.current != null;
      this.history = decision.history;
      if (changed) this.save();
      if (c.heldLease('scheduled')) await this.endScheduled(now);
      return false;
    }

    // A new page. Coming up from the fallback loop waits for its page to end ("at the next page").
    if (!c.heldLease('scheduled')) {
      const fallbackUntil = c.showing()?.priority === 'fallback' ? this.fallback.holdUntil() : null;
      if (fallbackUntil !== null && now < fallbackUntil) return false;
    }
    const frame = this.renderScheduled(decision.item, schedule.revision);
    // Its picture is being prepared: the sign keeps what it shows, and the same turn is tried at the next tick
    // (the history is not advanced, so the rotation decides the same again).
    if (frame === 'wait') return c.heldLease('scheduled') !== null;
    if (!frame) return false; // excluded from the next decision
    await this.showScheduled(decision.item.id, decision.item.organisation, frame);
    this.history = confirmShown(decision.history, this.o.clock.now());
    this.save();
    return true;
  }

  private async showScheduled(itemId: string, organisation: Organisation | null, frame: CachedFrame): Promise<void> {
    if (organisation) this.organisations.set(`scheduled/${itemId}`, organisation);
    if (this.organisations.size > 10_000) this.organisations.clear();
    await this.o.controller.show({ frame: frame.frame, priority: 'scheduled', ttlMs: this.o.leaseMs, itemId });
    this.scheduledFrame = { ...frame, itemId };
    this.observe(this.o.controller.showing(), this.o.clock.now());
  }

  /** The item's frame; 'wait' while its picture is being prepared; null when it is passed over (see notAiring). */
  private renderScheduled(item: ScheduledPage, revision: string): CachedFrame | 'wait' | null {
    return this.notAiring.draw(
      { scope: revision, itemId: item.id, title: contentTitle(item.page.content) },
      this.o.clock.now(),
      () => this.frameFor(item.page),
    );
  }

  /** Items passed over in this revision: those that cannot be drawn, and pictures that waited too long (until retry). */
  private excluded(revision: string): ReadonlySet<string> | undefined {
    return this.notAiring.excluded((scope) => scope === revision, this.o.clock.now());
  }

  /**
   * Items this sign cannot put up now, and why: of the live revision ('scheduled'), and of the fallback loop under
   * it ('fallback').
   */
  cannotAir(): (CannotAir & { readonly layer: 'scheduled' | 'fallback' })[] {
    const revision = this.o.schedule().revision;
    return [
      ...this.notAiring.list((scope) => scope === revision).map((c) => ({ ...c, layer: 'scheduled' as const })),
      ...this.fallbackNotAiring.list(this.fallbackCurrent).map((c) => ({ ...c, layer: 'fallback' as const })),
    ];
  }

  private frameFor(page: PlaylistItem): CachedFrame {
    // Keyed by what the page looks like, not its id: items with the same text share one frame.
    const key = pageKey(page);
    const hit = this.frames.get(key);
    if (hit) {
      this.frames.delete(key);
      this.frames.set(key, hit);
      return hit;
    }
    const frame = this.o.render(page);
    const entry = { key, frame, crc32: frameCrc32(frame) };
    this.frames.set(key, entry);
    if (this.frames.size > FRAME_CACHE) this.frames.delete(this.frames.keys().next().value as string);
    return entry;
  }

  private save(): void {
    this.o.state.save(this.stateKey, this.history, new Date(this.o.clock.now()).toISOString());
  }
}

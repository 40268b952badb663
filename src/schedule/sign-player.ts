import type { Clock } from '../domain/clock.ts';
import { contentTitle } from '../domain/item-content.ts';
import type { PlaylistItem } from '../domain/playlist.ts';
import { type Frame, frameCrc32 } from '../render/frame.ts';
import type { SignController } from '../signs/sign-controller.ts';
import type { SignStateRepository } from '../store/sign-state-repository.ts';
import { itemsForSign, nextRotationStep, type RotationState } from './fallback-rotation.ts';
import { type CannotAir, PagesNotAiring } from './pages-not-airing.ts';
import { MIN_DWELL_MS } from './schedule-input.ts';

export interface SignPlayerOptions {
  readonly signId: string;
  readonly controller: SignController;
  readonly clock: Clock;
  readonly items: () => readonly PlaylistItem[];
  readonly render: (item: PlaylistItem) => Frame;
  readonly state: SignStateRepository;
  readonly leaseMs: number;
  readonly onError: (message: string) => void;
}

/**
 * Drives one sign through the fallback loop: asks the rotation what should be up, renders it
 * (cached by content), and puts it on the sign. `tick()` is called by the runtime's timer, and by
 * tests with an injected clock, so page changes never depend on sleeping.
 */
export class SignPlayer {
  private state: RotationState | null;
  private busy = false;
  /** The page went out of sight under a higher priority and is visible again: show it again (proof of play). */
  private resumed = false;
  private readonly frames = new Map<string, { key: string; frame: Frame; crc32: number }>();
  /** Pages of the loop that cannot be drawn (scope: the page's content), passed over instead of stalling the loop. */
  private readonly notAiring: PagesNotAiring;
  lastError: string | null = null;

  constructor(private readonly o: SignPlayerOptions) {
    this.state = o.state.load<RotationState>(o.signId);
    this.notAiring = new PagesNotAiring({ signId: o.signId, onError: o.onError });
  }

  /** Whether a problem recorded for an item still concerns the loop's page as it is now. */
  private readonly current = (scope: string, itemId: string): boolean => {
    const item = this.o.items().find((i) => i.id === itemId);
    return item !== undefined && pageKey(item) === scope;
  };

  /** Pages of the fallback loop this sign cannot put up now, and why. */
  cannotAir(): CannotAir[] {
    return this.notAiring.list(this.current);
  }

  get rotation(): RotationState | null {
    return this.state;
  }

  /** The earliest time the fallback page on the sign may change (null when none is up). */
  holdUntil(): number | null {
    if (!this.state) return null;
    const item = itemsForSign(this.o.items(), this.o.signId).find((i) => i.id === this.state?.itemId);
    return item ? this.state.startedAt + item.dwellSeconds * 1000 : null;
  }

  /**
   * The fallback page is visible again after a higher priority ended: it is shown again (so proof
   * of play records it) and stays at least the road-safety minimum from now.
   */
  resume(now: number): void {
    const until = this.holdUntil();
    if (!this.state || until === null) return;
    if (until < now + MIN_DWELL_MS)
      this.state = { ...this.state, startedAt: this.state.startedAt + (now + MIN_DWELL_MS - until) };
    this.resumed = true;
  }

  async tick(): Promise<void> {
    if (this.busy || !this.o.controller.linkUp) return;
    const now = this.o.clock.now();
    // A page that cannot be drawn is passed over (the loop goes on), not retried at every tick.
    const excluded = this.notAiring.excluded(this.current, now);
    const items = excluded ? this.o.items().filter((i) => !excluded.has(i.id)) : this.o.items();
    const step = nextRotationStep(items, this.o.signId, this.state, now);
    if (!step) return;
    const page = { scope: pageKey(step.item), itemId: step.item.id, title: contentTitle(step.item.content) };
    const drawn = this.notAiring.draw(page, now, () => this.frameFor(step.item));
    // Its picture is being prepared: the sign keeps its page, and the same page is tried at the next tick.
    if (drawn === 'wait' || drawn === null) return;
    this.busy = true;
    try {
      const { frame, crc32 } = drawn;
      const held = this.o.controller.heldLease('fallback');
      // Unchanged page still on the sign: nothing to do. An edited page, or a lease lost, is re-shown.
      if (!step.changed && !this.resumed && held?.itemId === step.item.id && held.crc32 === crc32) return;
      await this.o.controller.show({ frame, priority: 'fallback', ttlMs: this.o.leaseMs, itemId: step.item.id });
      const startedAt = step.changed || !this.state ? this.o.clock.now() : this.state.startedAt;
      this.state = { index: step.index, itemId: step.item.id, startedAt };
      this.resumed = false;
      this.o.state.save(this.o.signId, this.state, new Date(startedAt).toISOString());
      this.lastError = null;
    } catch (error: unknown) {
      this.lastError = error instanceof Error ? error.message : String(error);
      this.o.onError(`sign ${this.o.signId}: could not show ${step.item.id}: ${this.lastError}`);
    } finally {
      this.busy = false;
    }
  }

  private frameFor(item: PlaylistItem): { frame: Frame; crc32: number } {
    const key = pageKey(item);
    const cached = this.frames.get(item.id);
    if (cached?.key === key) return cached;
    const frame = this.o.render(item);
    const entry = { key, frame, crc32: frameCrc32(frame) };
    this.frames.set(item.id, entry);
    return entry;
  }
}

/** What a page looks like: its frame is cached by it, and a problem drawing it lasts while it is unchanged. */
const pageKey = (item: PlaylistItem): string =>
  JSON.stringify([item.organisation, item.content, item.infoLink, item.showLink]);

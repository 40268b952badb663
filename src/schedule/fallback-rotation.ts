import type { PlaylistItem } from '../domain/playlist.ts';

/** Where a sign's loop stands: the page on the sign and when the sign confirmed it. */
export interface RotationState {
  readonly index: number;
  readonly itemId: string;
  readonly startedAt: number;
}

export interface RotationStep {
  readonly index: number;
  readonly item: PlaylistItem;
  /** True when this is a different page from the one in `state` (the caller must show it). */
  readonly changed: boolean;
  /** The earliest time the page may change (start + dwell); null until the sign confirms it. */
  readonly holdUntil: number | null;
}

export function itemsForSign(items: readonly PlaylistItem[], signId: string): PlaylistItem[] {
  return items.filter((i) => !i.signs || i.signs.includes(signId));
}

/**
 * The loop of a playlist on one sign, as a pure function of (items, state, now): a page stays
 * until its dwell has passed since the sign confirmed it, then the next eligible page follows.
 * Pages are timed from confirmation, not from a grid, so a slow upload never shortens a page below
 * its dwell, and a restart continues from the persisted state instead of the top.
 */
export function nextRotationStep(
  items: readonly PlaylistItem[],
  signId: string,
  state: RotationState | null,
  now: number,
): RotationStep | null {
  const loop = itemsForSign(items, signId);
  if (loop.length === 0) return null;
  if (!state) return { index: 0, item: loop[0] as PlaylistItem, changed: true, holdUntil: null };
  // The playlist may have changed under us: find the current page by id, else by position.
  let index = loop.findIndex((i) => i.id === state.itemId);
  const stillThere = index >= 0;
  if (!stillThere) index = Math.min(state.index, loop.length - 1);
  const current = loop[index] as PlaylistItem;
  const holdUntil = state.startedAt + current.dwellSeconds * 1000;
  if (stillThere && now < holdUntil) return { index, item: current, changed: false, holdUntil };
  const nextIndex = stillThere ? (index + 1) % loop.length : index;
  const next = loop[nextIndex] as PlaylistItem;
  if (next.id === state.itemId) return { index: nextIndex, item: next, changed: false, holdUntil };
  return { index: nextIndex, item: next, changed: true, holdUntil: null };
}

/**
 * Where one sign's fallback loop stands, kept across restarts: which page, since when, and whether it must be shown
 * again because it came back into sight under a higher layer. The sign scheduler asks it what comes next and tells
 * it what the sign confirmed; the loop itself touches no sign.
 */
export class FallbackLoop {
  private resumed = false;

  constructor(
    private readonly signId: string,
    private readonly items: () => readonly PlaylistItem[],
    private state: RotationState | null,
    private readonly save: (state: RotationState) => void,
  ) {}

  get rotation(): RotationState | null {
    return this.state;
  }

  /** The earliest time the fallback page on the sign may change (null when none is up). */
  holdUntil(): number | null {
    if (!this.state) return null;
    const item = itemsForSign(this.items(), this.signId).find((i) => i.id === this.state?.itemId);
    return item ? this.state.startedAt + item.dwellSeconds * 1000 : null;
  }

  /**
   * The fallback page is visible again after a higher priority ended: it is shown again (so proof of play records
   * it) and stays at least `minimumMs` from now.
   */
  resume(now: number, minimumMs: number): void {
    const until = this.holdUntil();
    if (!this.state || until === null) return;
    if (until < now + minimumMs)
      this.state = { ...this.state, startedAt: this.state.startedAt + (now + minimumMs - until) };
    this.resumed = true;
  }

  /** What the loop wants on the sign now, leaving out pages that cannot be drawn. */
  next(now: number, excluded?: ReadonlySet<string>): RotationStep | null {
    const items = excluded ? this.items().filter((i) => !excluded.has(i.id)) : this.items();
    return nextRotationStep(items, this.signId, this.state, now);
  }

  /** Whether the step must go to the sign: a new or edited page, a lost lease, or one back in sight. */
  mustShow(step: RotationStep, held: { itemId: string | null; crc32: number } | null, crc32: number): boolean {
    return step.changed || this.resumed || held?.itemId !== step.item.id || held.crc32 !== crc32;
  }

  /** The sign confirmed the step's page at `at`. */
  shown(step: RotationStep, at: number): void {
    const startedAt = step.changed || !this.state ? at : this.state.startedAt;
    this.state = { index: step.index, itemId: step.item.id, startedAt };
    this.resumed = false;
    this.save(this.state);
  }
}

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

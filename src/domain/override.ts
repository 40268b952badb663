import type { PlaylistItem } from './playlist.ts';

/**
 * A communicator's "show now": one page on some signs, above the shared rotation, for a limited
 * time; then the signs go back to where the rotation stood. Only a crisis outranks it.
 */
export interface Override {
  readonly id: string;
  readonly signs: readonly string[];
  /** The page shown; its id is the playlist item's id when it shows one, so airtime reports count it there. */
  readonly page: PlaylistItem;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly reason: string | null;
  readonly createdBy: string;
  readonly createdAt: number;
  /** Set when a communicator ended it early. */
  readonly cancelledAt: number | null;
  readonly cancelledBy: string | null;
}

/** The longest "show now": a day. Anything longer belongs in the playlist, where the shares apply. */
export const MAX_OVERRIDE_MINUTES = 24 * 60;

export function isOverrideActive(o: Override, now: number): boolean {
  return o.cancelledAt === null && o.startsAt <= now && now < o.endsAt;
}

/** The override a sign shows now: the newest one started among the active ones that target it. */
export function activeOverride(overrides: Iterable<Override>, signId: string, now: number): Override | null {
  let best: Override | null = null;
  for (const o of overrides) {
    if (!isOverrideActive(o, now) || !o.signs.includes(signId)) continue;
    if (!best || o.startsAt > best.startsAt || (o.startsAt === best.startsAt && o.createdAt > best.createdAt)) best = o;
  }
  return best;
}

/** When an override ends (early or at its time), or null while it runs. */
export function overrideEndedAt(o: Override): number {
  return o.cancelledAt !== null ? Math.min(o.cancelledAt, o.endsAt) : o.endsAt;
}

/**
 * The pages a sign's loop cannot put up, and why: the bookkeeping shared by the scheduled rotation (SignScheduler)
 * and the fallback loop (SignPlayer), so a page that cannot be drawn is never passed over silently, and never stalls
 * the loop either.
 *
 * - A picture still being decoded (an error with `transient: true`) keeps the item's turn: the sign keeps its page and
 *   the same turn is tried at the next tick, for up to PREPARE_WAIT_MS; then the turn goes on and the item is tried
 *   again after PREPARE_RETRY_MS.
 * - Anything else (a picture that cannot be read, a page that cannot be drawn) passes the item over, logged once,
 *   until its scope changes (a new revision, edited content).
 */

export const CANNOT_AIR_CODES = ['picture-preparing', 'picture-unreadable', 'cannot-render'] as const;
export type CannotAirCode = (typeof CANNOT_AIR_CODES)[number];

/** Why an item cannot air on a sign (shown in /api/health, /api/schedule and on /spellista). */
export interface CannotAir {
  readonly itemId: string;
  /** What the page is called (its title, lines or caption), for people. */
  readonly title: string;
  /** 'picture-preparing' (tried again at the next tick), 'picture-unreadable', or 'cannot-render'. */
  readonly code: CannotAirCode;
  /** English, from the renderer. */
  readonly reason: string;
  readonly since: number;
}

/**
 * How long an item's turn waits for its picture to be decoded (the sign keeps its page meanwhile). Pictures are
 * decoded before a publish completes and at start, so this is the rare case; past it the turn goes to the next item.
 */
export const PREPARE_WAIT_MS = 30_000;
/** After such a wait the item is passed over until this much later, then tried again. */
export const PREPARE_RETRY_MS = 60_000;

interface Problem {
  /** What the problem belongs to: the revision (scheduled) or the page's content (fallback). */
  readonly scope: string;
  readonly itemId: string;
  readonly title: string;
  readonly code: CannotAirCode;
  readonly reason: string;
  readonly since: number;
  /** Transient problems (a picture being prepared) exclude the item only after the wait, until retryAt. */
  readonly transient: boolean;
  readonly retryAt?: number;
}

const problemOf = (error: unknown): { code: CannotAirCode; reason: string; transient: boolean } => {
  const e = error as { code?: unknown; transient?: unknown } | null;
  return {
    code: e?.code === 'picture-preparing' || e?.code === 'picture-unreadable' ? e.code : 'cannot-render',
    reason: error instanceof Error ? error.message : String(error),
    transient: e?.transient === true,
  };
};

export class PagesNotAiring {
  private readonly problems = new Map<string, Problem>();

  constructor(
    private readonly o: {
      readonly signId: string;
      /** Called once per problem (not once per tick). */
      readonly onError: (message: string) => void;
    },
  ) {}

  /**
   * Draws the item's page: the frame; 'wait' while its picture is being prepared (keep the turn, try again at the next
   * tick); null when the item is passed over (excluded() names it from now on).
   */
  draw<T>(
    page: { readonly scope: string; readonly itemId: string; readonly title: string },
    now: number,
    render: () => T,
  ): T | 'wait' | null {
    const { scope, itemId, title } = page;
    const key = `${scope}\n${itemId}`;
    try {
      const frame = render();
      this.problems.delete(key);
      return frame;
    } catch (error: unknown) {
      const p = problemOf(error);
      const earlier = this.problems.get(key);
      const since = earlier?.since ?? now;
      if (p.transient) {
        // Waited before and passed over: no second wait, the turn goes on (tried again after PREPARE_RETRY_MS).
        if (now - since < PREPARE_WAIT_MS && earlier?.retryAt === undefined) {
          if (!earlier) this.problems.set(key, { ...p, scope, itemId, title, since });
          return 'wait';
        }
        this.problems.set(key, { ...p, scope, itemId, title, since, retryAt: now + PREPARE_RETRY_MS });
        if (earlier?.retryAt === undefined)
          this.o.onError(
            `sign ${this.o.signId}: item ${itemId} waited ${Math.round((now - since) / 1000)} s for its picture and is passed over until it is ready: ${p.reason}`,
          );
        return null;
      }
      this.problems.set(key, { ...p, scope, itemId, title, since });
      if (!earlier || earlier.transient)
        this.o.onError(`sign ${this.o.signId}: item ${itemId} cannot be rendered and is passed over: ${p.reason}`);
      return null;
    }
  }

  /**
   * The items to pass over now: those that cannot be drawn, and pictures that waited too long (until their retry).
   * Problems whose scope is no longer current (`current` says false) are forgotten.
   */
  excluded(current: (scope: string, itemId: string) => boolean, now: number): ReadonlySet<string> | undefined {
    if (this.problems.size === 0) return undefined;
    const out = new Set<string>();
    for (const [key, p] of this.problems) {
      if (!current(p.scope, p.itemId)) this.problems.delete(key);
      else if (!p.transient || (p.retryAt !== undefined && now < p.retryAt)) out.add(p.itemId);
    }
    return out.size ? out : undefined;
  }

  /** Items that cannot air now, and why (the current scope only). */
  list(current: (scope: string, itemId: string) => boolean): CannotAir[] {
    return [...this.problems.values()]
      .filter((p) => current(p.scope, p.itemId))
      .map((p) => ({ itemId: p.itemId, title: p.title, code: p.code, reason: p.reason, since: p.since }));
  }
}

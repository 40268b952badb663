import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock.ts';
import { activeOverride, MAX_OVERRIDE_MINUTES, type Override } from '../domain/override.ts';
import type { PlaylistItem } from '../domain/playlist.ts';
import { Refusal } from '../domain/refusal.ts';
import type { AuditRepository } from '../store/audit-repository.ts';
import type { Db } from '../store/database.ts';
import { type OverrideRepository, overrideRepository } from '../store/override-repository.ts';

export interface NewOverride {
  readonly signs: readonly string[];
  readonly page: PlaylistItem;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly reason: string | null;
}

/** The override is not what the caller thinks (ended already): a 409 for the API. */
export class OverrideConflictError extends Refusal {
  constructor(message: string) {
    super('conflict', message);
    this.name = 'OverrideConflictError';
  }
}

/**
 * Overrides in the store, with the ones not yet over kept in memory: every tick of every sign asks
 * which one is active, and that must not cost a query.
 */
export class OverrideBook {
  readonly repo: OverrideRepository;
  private current: Override[];

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly audit: AuditRepository | null,
  ) {
    this.repo = overrideRepository(db);
    this.current = this.repo.notEnded(clock.now());
  }

  activeFor(signId: string, now: number): Override | null {
    if (this.current.length > 0 && this.current.some((o) => o.endsAt <= now)) {
      this.current = this.current.filter((o) => o.endsAt > now);
    }
    return activeOverride(this.current, signId, now);
  }

  /** Stores and audits it in one transaction. */
  create(input: NewOverride, actor: string): Override {
    const minutes = (input.endsAt - input.startsAt) / 60_000;
    if (!(minutes > 0) || minutes > MAX_OVERRIDE_MINUTES) {
      throw new Refusal(
        'invalid',
        `an override lasts more than 0 and at most ${MAX_OVERRIDE_MINUTES} minutes, not ${minutes}`,
        [{ field: 'minutes', message: `more than 0 and at most ${MAX_OVERRIDE_MINUTES}` }],
      );
    }
    const o: Override = {
      id: randomUUID(),
      signs: [...input.signs],
      page: input.page,
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      reason: input.reason,
      createdBy: actor,
      createdAt: this.clock.now(),
      cancelledAt: null,
      cancelledBy: null,
    };
    this.db.transaction(() => {
      this.repo.insert(o);
      this.audit?.record({
        at: iso(o.createdAt),
        actor,
        action: 'override.create',
        subject: `override:${o.id}`,
        after: view(o),
      });
    })();
    this.current.push(o);
    return o;
  }

  /** Ends it now (a notFound Refusal: no such override; OverrideConflictError: it is over already). */
  cancel(id: string, actor: string): Override {
    const before = this.repo.get(id);
    if (!before) throw new Refusal('notFound', `no override ${id}`);
    const now = this.clock.now();
    if (before.cancelledAt !== null || before.endsAt <= now) {
      throw new OverrideConflictError(
        `override ${id} has ended already (${iso(Math.min(before.cancelledAt ?? before.endsAt, before.endsAt))})`,
      );
    }
    this.db.transaction(() => {
      this.repo.cancel(id, now, actor);
      this.audit?.record({
        at: iso(now),
        actor,
        action: 'override.cancel',
        subject: `override:${id}`,
        before: view(before),
      });
    })();
    this.current = this.current.filter((o) => o.id !== id);
    return { ...before, cancelledAt: now, cancelledBy: actor };
  }

  get(id: string): Override | null {
    return this.repo.get(id);
  }

  /** Not yet over at `now`: running, or still to start. */
  notEnded(now: number): Override[] {
    return this.current.filter((o) => o.endsAt > now);
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function view(o: Override) {
  return { signs: o.signs, itemId: o.page.id, startsAt: iso(o.startsAt), endsAt: iso(o.endsAt), reason: o.reason };
}

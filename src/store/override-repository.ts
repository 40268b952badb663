import type { Override } from '../domain/override.ts';
import type { PlaylistItem } from '../domain/playlist.ts';
import type { Db } from './database.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const ms = (text: unknown) => Date.parse(text as string);

function toOverride(r: Record<string, unknown>): Override {
  return {
    id: r.id as string,
    signs: JSON.parse(r.sign_ids as string) as string[],
    page: JSON.parse(r.page_json as string) as PlaylistItem,
    startsAt: ms(r.starts_at),
    endsAt: ms(r.ends_at),
    reason: (r.reason as string | null) ?? null,
    createdBy: r.created_by as string,
    createdAt: ms(r.created_at),
    cancelledAt: r.cancelled_at ? ms(r.cancelled_at) : null,
    cancelledBy: (r.cancelled_by as string | null) ?? null,
  };
}

/** Overrides ("show now"), kept after they end as the record of what was shown and who asked. */
export function overrideRepository(db: Db) {
  const insert = db.prepare(
    `INSERT INTO overrides (id, sign_ids, page_json, starts_at, ends_at, reason, created_by, created_at)
     VALUES (@id, @signs, @page, @startsAt, @endsAt, @reason, @createdBy, @createdAt)`,
  );
  const cancel = db.prepare(
    'UPDATE overrides SET cancelled_at = ?, cancelled_by = ? WHERE id = ? AND cancelled_at IS NULL',
  );
  const byId = db.prepare('SELECT * FROM overrides WHERE id = ?');
  const running = db.prepare('SELECT * FROM overrides WHERE cancelled_at IS NULL AND ends_at > ? ORDER BY starts_at');
  const page = db.prepare(
    'SELECT * FROM overrides WHERE starts_at < @to AND ends_at > @from ORDER BY starts_at DESC LIMIT @limit',
  );
  return {
    insert(o: Override): void {
      insert.run({
        id: o.id,
        signs: JSON.stringify(o.signs),
        page: JSON.stringify(o.page),
        startsAt: iso(o.startsAt),
        endsAt: iso(o.endsAt),
        reason: o.reason,
        createdBy: o.createdBy,
        createdAt: iso(o.createdAt),
      });
    },
    /** False when there was nothing to cancel (unknown, or cancelled already). */
    cancel(id: string, at: number, by: string): boolean {
      return cancel.run(iso(at), by, id).changes === 1;
    },
    get(id: string): Override | null {
      const r = byId.get(id) as Record<string, unknown> | undefined;
      return r ? toOverride(r) : null;
    },
    /** Not cancelled and not yet over at `now` (running or still to come). */
    notEnded(now: number): Override[] {
      return (running.all(iso(now)) as Record<string, unknown>[]).map(toOverride);
    },
    /** Overrides that overlap [from, to), newest first. */
    between(from: number, to: number, limit = 100): Override[] {
      return (page.all({ from: iso(from), to: iso(to), limit }) as Record<string, unknown>[]).map(toOverride);
    },
  };
}
export type OverrideRepository = ReturnType<typeof overrideRepository>;

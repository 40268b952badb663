import type { DisplayWindow } from '../domain/display-window.ts';
import type { Organisation } from '../domain/item-content.ts';
import type { SubmittableContent } from '../domain/item-input.ts';
import type { ItemState } from '../domain/item-lifecycle.ts';
import type { Db } from './database.ts';

export interface ItemRecord {
  id: string;
  organisation: Organisation;
  state: ItemState;
  content: SubmittableContent;
  /** As given; events fill the rest from their start time (effectiveWindow). */
  window: DisplayWindow | null;
  /** null: all signs. */
  signs: string[] | null;
  dwellSeconds: number;
  infoLink: string;
  showLink: boolean;
  rejectionReason: string | null;
  /** Counts edits: a published revision remembers which one it approved. */
  revision: number;
  /** End of the effective window (ISO, UTC), for expiry; null when it never ends. */
  endsAt: string | null;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
}

/** Which items a caller may see: its own organisation's, or also every other organisation's submitted ones, or all. */
export type ItemVisibility = { scope: 'own' | 'reviewer'; organisation: Organisation } | { scope: 'all' };

export interface ItemFilter {
  state?: ItemState | undefined;
  organisation?: Organisation | undefined;
  kind?: string | undefined;
}

const toItem = (r: Record<string, unknown>): ItemRecord => ({
  id: r.id as string,
  organisation: r.organisation as Organisation,
  state: r.state as ItemState,
  content: JSON.parse(r.content_json as string) as SubmittableContent,
  window: r.window_json ? (JSON.parse(r.window_json as string) as DisplayWindow) : null,
  signs: r.signs_json ? (JSON.parse(r.signs_json as string) as string[]) : null,
  dwellSeconds: r.dwell_seconds as number,
  infoLink: r.info_link as string,
  showLink: r.show_link === 1,
  rejectionReason: (r.rejection_reason as string | null) ?? null,
  revision: r.revision as number,
  endsAt: (r.ends_at as string | null) ?? null,
  createdBy: r.created_by as string,
  createdAt: r.created_at as string,
  updatedBy: r.updated_by as string,
  updatedAt: r.updated_at as string,
  decidedBy: (r.decided_by as string | null) ?? null,
  decidedAt: (r.decided_at as string | null) ?? null,
});

const toRow = (i: ItemRecord) => ({
  id: i.id,
  organisation: i.organisation,
  kind: i.content.kind,
  state: i.state,
  content_json: JSON.stringify(i.content),
  window_json: i.window ? JSON.stringify(i.window) : null,
  signs_json: i.signs ? JSON.stringify(i.signs) : null,
  dwell_seconds: i.dwellSeconds,
  info_link: i.infoLink,
  show_link: i.showLink ? 1 : 0,
  rejection_reason: i.rejectionReason,
  revision: i.revision,
  ends_at: i.endsAt,
  created_by: i.createdBy,
  created_at: i.createdAt,
  updated_by: i.updatedBy,
  updated_at: i.updatedAt,
  decided_by: i.decidedBy,
  decided_at: i.decidedAt,
});

const COLUMNS = [
  'id',
  'organisation',
  'kind',
  'state',
  'content_json',
  'window_json',
  'signs_json',
  'dwell_seconds',
  'info_link',
  'show_link',
  'rejection_reason',
  'revision',
  'ends_at',
  'created_by',
  'created_at',
  'updated_by',
  'updated_at',
  'decided_by',
  'decided_at',
] as const;

export function itemRepository(db: Db) {
  const insert = db.prepare(
    `INSERT INTO items (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`,
  );
  const update = db.prepare(
    `UPDATE items SET ${COLUMNS.filter((c) => c !== 'id')
      .map((c) => `${c} = @${c}`)
      .join(', ')} WHERE id = @id`,
  );
  const byId = db.prepare('SELECT * FROM items WHERE id = ?');
  const due = db.prepare(
    "SELECT * FROM items WHERE state IN ('pending', 'approved') AND ends_at IS NOT NULL AND ends_at <= ?",
  );
  const statements = new Map<string, ReturnType<Db['prepare']>>();
  const prepared = (sql: string) => {
    let s = statements.get(sql);
    if (!s) {
      s = db.prepare(sql);
      statements.set(sql, s);
    }
    return s;
  };
  return {
    insert(item: ItemRecord): void {
      insert.run(toRow(item));
    },
    save(item: ItemRecord): void {
      update.run(toRow(item));
    },
    byId(id: string): ItemRecord | null {
      const r = byId.get(id) as Record<string, unknown> | undefined;
      return r ? toItem(r) : null;
    },
    exists(id: string): boolean {
      return byId.get(id) !== undefined;
    },
    /** Pending or approved items whose window ended at or before `now`. */
    dueForExpiry(now: string): ItemRecord[] {
      return (due.all(now) as Record<string, unknown>[]).map(toItem);
    },
    list(
      visibility: ItemVisibility,
      filter: ItemFilter,
      limit: number,
      offset: number,
    ): { rows: ItemRecord[]; total: number } {
      const where: string[] = [];
      const params: Record<string, unknown> = {};
      if (visibility.scope === 'own') where.push('organisation = @viewer');
      if (visibility.scope === 'reviewer') where.push("(organisation = @viewer OR state <> 'draft')");
      if (visibility.scope !== 'all') params.viewer = visibility.organisation;
      if (filter.state) {
        where.push('state = @state');
        params.state = filter.state;
      }
      if (filter.organisation) {
        where.push('organisation = @organisation');
        params.organisation = filter.organisation;
      }
      if (filter.kind) {
        where.push('kind = @kind');
        params.kind = filter.kind;
      }
      const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
      const total = prepared(`SELECT count(*) AS n FROM items ${clause}`).get(params) as { n: number };
      const rows = prepared(
        `SELECT * FROM items ${clause} ORDER BY updated_at DESC, id LIMIT @limit OFFSET @offset`,
      ).all({
        ...params,
        limit,
        offset,
      }) as Record<string, unknown>[];
      return { rows: rows.map(toItem), total: total.n };
    },
  };
}
export type ItemRepository = ReturnType<typeof itemRepository>;

import type { Db } from './database.ts';

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  before: unknown;
  after: unknown;
}

/** The append-only audit log (the table refuses UPDATE and DELETE by trigger). */
export function auditRepository(db: Db) {
  const insert = db.prepare(
    'INSERT INTO audit_log (at, actor, action, subject, before_json, after_json) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const page = db.prepare(
    `SELECT * FROM audit_log WHERE (@subject IS NULL OR subject = @subject) AND id < @before
     ORDER BY id DESC LIMIT @limit`,
  );
  const toEntry = (r: Record<string, unknown>): AuditEntry => ({
    id: r.id as number,
    at: r.at as string,
    actor: r.actor as string,
    action: r.action as string,
    subject: r.subject as string,
    before: r.before_json ? JSON.parse(r.before_json as string) : null,
    after: r.after_json ? JSON.parse(r.after_json as string) : null,
  });
  return {
    /** Call inside the transaction that makes the change, so the change and its record land together. */
    record(e: { at: string; actor: string; action: string; subject: string; before?: unknown; after?: unknown }): void {
      insert.run(
        e.at,
        e.actor,
        e.action,
        e.subject,
        e.before === undefined ? null : JSON.stringify(e.before),
        e.after === undefined ? null : JSON.stringify(e.after),
      );
    },
    /** Newest first; `before` is the cursor (an id), for pagination. */
    list(opts: { subject?: string | null; before?: number; limit?: number } = {}): AuditEntry[] {
      return (
        page.all({
          subject: opts.subject ?? null,
          before: opts.before ?? Number.MAX_SAFE_INTEGER,
          limit: Math.min(opts.limit ?? 50, 500),
        }) as Record<string, unknown>[]
      ).map(toEntry);
    },
  };
}
export type AuditRepository = ReturnType<typeof auditRepository>;

import type { Actor } from '../auth/accounts.ts';
import type { AuditEntry, AuditRepository } from '../store/audit-repository.ts';

type Snapshot = { organisation?: unknown; state?: unknown } | null;

/**
 * Who may read which audit rows: the same rules as the things they are about. The log must not become a side door
 * to what a caller cannot read directly (another organisation's drafts and pictures, the user list, API tokens,
 * who failed to sign in).
 * - admins read everything;
 * - users, tokens and sign-ins (`user:`, `token:`, `session.*`) are admin matters;
 * - an item row is shown when the item as it was then could be seen now (own organisation, or submitted for a
 *   communicator); a `before` that could not be seen (the draft before it was submitted) is left out;
 * - a picture row to whoever may see the picture (its organisation; reviewers once a submitted item uses it);
 * - the playlist, overrides and crises are the reviewers' shared business.
 */
export function auditRowFor(actor: Actor, entry: AuditEntry, canSeeImage: (id: string) => boolean): AuditEntry | null {
  if (actor.role === 'admin') return entry;
  const [kind] = entry.subject.split(':', 1);
  if (kind === 'user' || kind === 'token' || entry.action.startsWith('session.')) return null;
  if (kind === 'image') return canSeeImage(entry.subject.slice('image:'.length)) ? entry : null;
  if (kind === 'item') {
    const canSee = (s: Snapshot) =>
      s !== null && (s.organisation === actor.organisation || (actor.role === 'communicator' && s.state !== 'draft'));
    const after = asSnapshot(entry.after);
    const before = asSnapshot(entry.before);
    if (!canSee(after ?? before)) return null;
    return before && !canSee(before) ? { ...entry, before: null } : entry;
  }
  return entry;
}

/**
 * A page of the audit log as `actor` may read it, newest first. Rows the caller may not read are skipped, and the
 * page is filled from further back, so a page is never short just because of them.
 */
export function readAudit(
  audit: AuditRepository,
  actor: Actor,
  opts: { subject: string | null; limit: number; cursor?: number | undefined },
  canSeeImage: (id: string) => boolean,
): { items: AuditEntry[]; nextCursor: number | null } {
  const items: AuditEntry[] = [];
  let before = opts.cursor;
  for (;;) {
    const batch = audit.list({ subject: opts.subject, limit: 200, ...(before ? { before } : {}) });
    for (const entry of batch) {
      before = entry.id;
      const row = auditRowFor(actor, entry, canSeeImage);
      if (row) items.push(row);
      if (items.length === opts.limit) return { items, nextCursor: entry.id };
    }
    if (batch.length < 200) return { items, nextCursor: null };
  }
}

function asSnapshot(value: unknown): Snapshot {
  return value && typeof value === 'object' ? (value as Snapshot) : null;
}

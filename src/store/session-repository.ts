import type { Db } from './database.ts';

export interface SessionRecord {
  idHash: string;
  userId: number;
  csrfToken: string;
  createdAt: string;
  expiresAt: string;
  lastSeenAt: string;
}

const toSession = (r: Record<string, unknown>): SessionRecord => ({
  idHash: r.id_hash as string,
  userId: r.user_id as number,
  csrfToken: r.csrf_token as string,
  createdAt: r.created_at as string,
  expiresAt: r.expires_at as string,
  lastSeenAt: r.last_seen_at as string,
});

/** Server-side sessions: the cookie is only a key into this table, so logout and disabling a user end it at once. */
export function sessionRepository(db: Db) {
  const insert = db.prepare(
    'INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at, last_seen_at) VALUES (@idHash, @userId, @csrfToken, @createdAt, @expiresAt, @lastSeenAt)',
  );
  const get = db.prepare('SELECT * FROM sessions WHERE id_hash = ?');
  const touch = db.prepare('UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?');
  const extend = db.prepare('UPDATE sessions SET expires_at = ?, last_seen_at = ? WHERE id_hash = ?');
  const remove = db.prepare('DELETE FROM sessions WHERE id_hash = ?');
  const removeUser = db.prepare('DELETE FROM sessions WHERE user_id = ?');
  const removeExpired = db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
  return {
    insert(s: SessionRecord): void {
      insert.run(s);
    },
    byHash(idHash: string): SessionRecord | null {
      const r = get.get(idHash) as Record<string, unknown> | undefined;
      return r ? toSession(r) : null;
    },
    touch(idHash: string, at: string): void {
      touch.run(at, idHash);
    },
    /** A new end for a session the person asked to keep (POST /api/auth/refresh). */
    extend(idHash: string, expiresAt: string, at: string): boolean {
      return extend.run(expiresAt, at, idHash).changes === 1;
    },
    remove(idHash: string): void {
      remove.run(idHash);
    },
    removeForUser(userId: number): number {
      return removeUser.run(userId).changes;
    },
    removeExpired(now: string): number {
      return removeExpired.run(now).changes;
    },
  };
}
export type SessionRepository = ReturnType<typeof sessionRepository>;

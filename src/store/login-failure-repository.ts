import type { Db } from './database.ts';

export interface LoginFailures {
  failures: number;
  lockedUntil: string | null;
}

/** Failed sign-ins per (username as typed, client address); see migration 7 for why it is keyed so. */
export function loginFailureRepository(db: Db) {
  const get = db.prepare('SELECT failures, locked_until FROM login_failures WHERE username = ? AND client = ?');
  const upsert = db.prepare(
    `INSERT INTO login_failures (username, client, failures, last_at, locked_until)
     VALUES (@username, @client, @failures, @at, @lockedUntil)
     ON CONFLICT (username, client) DO UPDATE SET failures = @failures, last_at = @at, locked_until = @lockedUntil`,
  );
  const clear = db.prepare('DELETE FROM login_failures WHERE username = ? AND client = ?');
  const clearAll = db.prepare('DELETE FROM login_failures WHERE username = ?');
  const lockedClients = db
    .prepare('SELECT count(*) FROM login_failures WHERE username = ? AND locked_until > ?')
    .pluck();
  const lockedUntil = db
    .prepare('SELECT max(locked_until) FROM login_failures WHERE username = ? AND locked_until > ?')
    .pluck();
  const prune = db.prepare(
    'DELETE FROM login_failures WHERE last_at < ? AND (locked_until IS NULL OR locked_until < ?)',
  );
  return {
    get(username: string, client: string): LoginFailures {
      const r = get.get(username, client) as { failures: number; locked_until: string | null } | undefined;
      return { failures: r?.failures ?? 0, lockedUntil: r?.locked_until ?? null };
    },
    save(username: string, client: string, f: LoginFailures, at: string): void {
      upsert.run({ username, client, failures: f.failures, at, lockedUntil: f.lockedUntil });
    },
    clear(username: string, client: string): void {
      clear.run(username, client);
    },
    /** An admin's unlock, or a new password: every address may try again. */
    clearUsername(username: string): void {
      clearAll.run(username);
    },
    /** How many addresses are locked out of this username now: more than a few is a spread-out guessing attack. */
    lockedClients(username: string, now: string): number {
      return lockedClients.get(username, now) as number;
    },
    /** The latest lockout of this username from any address, for the admin's user list. */
    lockedUntil(username: string, now: string): string | null {
      return (lockedUntil.get(username, now) as string | null) ?? null;
    },
    /** Forgets failures older than `before` that hold no running lock. */
    prune(before: string): void {
      prune.run(before, before);
    },
  };
}
export type LoginFailureRepository = ReturnType<typeof loginFailureRepository>;

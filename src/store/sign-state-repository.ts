import type { Db } from './database.ts';

/** Small per-sign state that must survive a restart (e.g. where the rotation stands). */
export function signStateRepository(db: Db) {
  const get = db.prepare('SELECT state_json FROM sign_state WHERE sign_id = ?');
  const put = db.prepare(
    `INSERT INTO sign_state (sign_id, state_json, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (sign_id) DO UPDATE SET state_json = excluded.state_json, updated_at = excluded.updated_at`,
  );
  return {
    load<T>(signId: string): T | null {
      const row = get.get(signId) as { state_json: string } | undefined;
      return row ? (JSON.parse(row.state_json) as T) : null;
    },
    save(signId: string, state: unknown, at: string): void {
      put.run(signId, JSON.stringify(state), at);
    },
  };
}
export type SignStateRepository = ReturnType<typeof signStateRepository>;

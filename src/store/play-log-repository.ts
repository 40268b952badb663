import type { Db } from './database.ts';

export interface PlayRecord {
  signId: string;
  priority: string;
  itemId: string | null;
  organisation: string | null;
  slot: number;
  crc32: number;
  startedAt: string;
  endedAt: string | null;
}

/** Proof of play: what each sign confirmed, and for how long. */
export function playLogRepository(db: Db) {
  const close = db.prepare('UPDATE play_log SET ended_at = ? WHERE sign_id = ? AND ended_at IS NULL');
  const insert = db.prepare(
    'INSERT INTO play_log (sign_id, priority, item_id, organisation, slot, crc32, started_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const current = db.prepare('SELECT * FROM play_log WHERE sign_id = ? AND ended_at IS NULL ORDER BY id DESC LIMIT 1');
  return {
    /** A new page started on a sign: the page before it ends now. One transaction, so never half-written. */
    started: db.transaction((r: Omit<PlayRecord, 'endedAt'>) => {
      close.run(r.startedAt, r.signId);
      insert.run(r.signId, r.priority, r.itemId, r.organisation, r.slot, r.crc32, r.startedAt);
    }),
    endAll(signId: string, at: string): void {
      close.run(at, signId);
    },
    current(signId: string): PlayRecord | null {
      const row = current.get(signId) as Record<string, unknown> | undefined;
      if (!row) return null;
      return {
        signId: row.sign_id as string,
        priority: row.priority as string,
        itemId: (row.item_id as string | null) ?? null,
        organisation: (row.organisation as string | null) ?? null,
        slot: row.slot as number,
        crc32: row.crc32 as number,
        startedAt: row.started_at as string,
        endedAt: null,
      };
    },
  };
}
export type PlayLogRepository = ReturnType<typeof playLogRepository>;

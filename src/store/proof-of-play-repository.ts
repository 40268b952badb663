import type { Db } from './database.ts';
import type { PlayRecord } from './play-log-repository.ts';

/** Reading the proof of play (play_log) for reports and the nightly slot check. Writing stays in play-log-repository. */
export function proofOfPlayRepository(db: Db) {
  // ISO-8601 UTC strings compare in time order, so the period test runs on the index.
  const overlapping = db.prepare(
    `SELECT * FROM play_log WHERE started_at < @to AND (ended_at IS NULL OR ended_at > @from)
       AND (@sign IS NULL OR sign_id = @sign) ORDER BY started_at, id`,
  );
  const lastPerSlot = db.prepare(
    `SELECT slot, crc32, started_at, MAX(id) AS id FROM play_log WHERE sign_id = ? AND started_at >= ? GROUP BY slot`,
  );
  const toRecord = (r: Record<string, unknown>): PlayRecord => ({
    signId: r.sign_id as string,
    priority: r.priority as string,
    itemId: (r.item_id as string | null) ?? null,
    organisation: (r.organisation as string | null) ?? null,
    slot: r.slot as number,
    crc32: r.crc32 as number,
    startedAt: r.started_at as string,
    endedAt: (r.ended_at as string | null) ?? null,
  });
  return {
    /** Every play that overlaps [from, to) (ISO strings), on one sign or all. */
    overlapping(from: string, to: string, signId: string | null = null): PlayRecord[] {
      return (overlapping.all({ from, to, sign: signId }) as Record<string, unknown>[]).map(toRecord);
    },
    /** The frame last played from each slot of a sign since `since`: what the slot should still hold. */
    lastPlayPerSlot(signId: string, since: string): Array<{ slot: number; crc32: number; startedAt: string }> {
      return (lastPerSlot.all(signId, since) as Array<{ slot: number; crc32: number; started_at: string }>).map(
        (r) => ({
          slot: r.slot,
          crc32: r.crc32 >>> 0,
          startedAt: r.started_at,
        }),
      );
    },
  };
}
export type ProofOfPlayRepository = ReturnType<typeof proofOfPlayRepository>;

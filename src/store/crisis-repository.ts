import type { Db } from './database.ts';

export type CrisisState = 'proposed' | 'active' | 'ended' | 'dismissed';

/** How one sign confirmed a takeover: ACK of the PLAY, then STATUS read-back of slot and CRC. */
export interface SignConfirmation {
  /** Generic crisis frame (reserved slot) confirmed, ms after activation. */
  genericMs: number | null;
  /** The specific crisis text confirmed, ms after activation. */
  specificMs: number | null;
  slot: number | null;
  crc32: number | null;
  confirmedAt: string | null;
  error: string | null;
}

export interface CrisisRecord {
  id: string;
  source: string;
  alertId: string | null;
  /** CAP incident ids of the alert: an Update or Cancel may refer to the crisis by these. */
  incidents: string[];
  state: CrisisState;
  headline: string;
  instruction: string;
  signIds: string[];
  createdAt: string;
  createdBy: string;
  activatedAt: string | null;
  expiresAt: string | null;
  endedAt: string | null;
  endedReason: string | null;
  takeoverMs: number | null;
  confirmations: Record<string, SignConfirmation>;
  /** Why a feed proposed or took over (policy's words), for the communicator. */
  reason: string | null;
}

export function crisisRepository(db: Db) {
  const toRecord = (r: Record<string, unknown>): CrisisRecord => ({
    id: r.id as string,
    source: r.source as string,
    alertId: (r.alert_id as string | null) ?? null,
    incidents: JSON.parse(r.incidents as string) as string[],
    state: r.state as CrisisState,
    headline: r.headline as string,
    instruction: r.instruction as string,
    signIds: JSON.parse(r.sign_ids as string) as string[],
    createdAt: r.created_at as string,
    createdBy: r.created_by as string,
    activatedAt: (r.activated_at as string | null) ?? null,
    expiresAt: (r.expires_at as string | null) ?? null,
    endedAt: (r.ended_at as string | null) ?? null,
    endedReason: (r.ended_reason as string | null) ?? null,
    takeoverMs: (r.takeover_ms as number | null) ?? null,
    confirmations: JSON.parse(r.confirmations as string) as Record<string, SignConfirmation>,
    reason: (r.reason as string | null) ?? null,
  });
  const byId = db.prepare('SELECT * FROM crises WHERE id = ?');
  const byAlert = db.prepare('SELECT * FROM crises WHERE source = ? AND alert_id = ?');
  const inState = db.prepare('SELECT * FROM crises WHERE state = ? ORDER BY created_at');
  const recent = db.prepare('SELECT * FROM crises ORDER BY created_at DESC LIMIT ?');
  const upsert = db.prepare(`
    INSERT INTO crises (id, source, alert_id, incidents, state, headline, instruction, sign_ids, created_at, created_by,
      activated_at, expires_at, ended_at, ended_reason, takeover_ms, confirmations, reason)
    VALUES (@id, @source, @alertId, @incidents, @state, @headline, @instruction, @signIds, @createdAt, @createdBy,
      @activatedAt, @expiresAt, @endedAt, @endedReason, @takeoverMs, @confirmations, @reason)
    ON CONFLICT (id) DO UPDATE SET state = excluded.state, headline = excluded.headline,
      instruction = excluded.instruction, sign_ids = excluded.sign_ids, activated_at = excluded.activated_at,
      expires_at = excluded.expires_at, ended_at = excluded.ended_at, ended_reason = excluded.ended_reason,
      takeover_ms = excluded.takeover_ms, confirmations = excluded.confirmations, reason = excluded.reason`);
  return {
    get(id: string): CrisisRecord | null {
      const r = byId.get(id) as Record<string, unknown> | undefined;
      return r ? toRecord(r) : null;
    },
    byAlert(source: string, alertId: string): CrisisRecord | null {
      const r = byAlert.get(source, alertId) as Record<string, unknown> | undefined;
      return r ? toRecord(r) : null;
    },
    inState(state: CrisisState): CrisisRecord[] {
      return (inState.all(state) as Record<string, unknown>[]).map(toRecord);
    },
    /** Running or proposed crises an Update/Cancel points at, by alert id or incident id. */
    referencedBy(ids: readonly string[]): CrisisRecord[] {
      const open = [
        ...(inState.all('active') as Record<string, unknown>[]),
        ...(inState.all('proposed') as Record<string, unknown>[]),
      ].map(toRecord);
      return open.filter(
        (c) => (c.alertId !== null && ids.includes(c.alertId)) || c.incidents.some((i) => ids.includes(i)),
      );
    },
    recent(limit: number): CrisisRecord[] {
      return (recent.all(limit) as Record<string, unknown>[]).map(toRecord);
    },
    save(c: CrisisRecord): void {
      upsert.run({
        ...c,
        incidents: JSON.stringify(c.incidents),
        signIds: JSON.stringify(c.signIds),
        confirmations: JSON.stringify(c.confirmations),
      });
    },
  };
}
export type CrisisRepository = ReturnType<typeof crisisRepository>;

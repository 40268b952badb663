import type { Clock } from '../domain/clock.ts';
import type { Db } from './database.ts';

/**
 * SQLite result codes that say the database file cannot be written (or read) at all: the disk is full, the file
 * system went read-only (an SD card with errors is remounted read-only by the kernel), or I/O fails. Unlike a
 * constraint or a bug in a query, retrying later may work, so the API answers 503 and /api/health reports it.
 */
const FAULTS: Array<[RegExp, string]> = [
  [/^SQLITE_FULL$/, 'the disk is full'],
  [/^SQLITE_READONLY/, 'the database is read-only'],
  [/^SQLITE_IOERR/, 'the disk cannot be read or written'],
  [/^SQLITE_CANTOPEN$/, 'the database file cannot be opened'],
  [/^SQLITE_(CORRUPT|NOTADB)/, 'the database file is damaged'],
];

export interface StoreFault {
  /** The SQLite code, e.g. SQLITE_FULL. */
  code: string;
  /** In words, for a person: "the disk is full". */
  reason: string;
}

/** The store fault behind an error, or null for any other error (better-sqlite3's SqliteError carries `code`). */
export function storeFaultOf(error: unknown): StoreFault | null {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return null;
  const match = FAULTS.find(([re]) => re.test(code));
  return match ? { code, reason: match[1] } : null;
}

export interface StoreStatus {
  ok: boolean;
  problem: string | null;
  since: string | null;
}

/**
 * Whether the database can be written, as the last write found it. Set by any write that fails with a store
 * fault (API or runtime); cleared by a probe write that gets through (Runtime.tick, while a fault is reported).
 */
export class StoreHealth {
  private fault: (StoreFault & { since: number }) | null = null;
  private lastProbe = Number.NEGATIVE_INFINITY;

  constructor(private readonly clock: Clock) {}

  get faulty(): boolean {
    return this.fault !== null;
  }

  /** Notes a failed write; returns the fault, or null when the error is not a store fault. */
  failed(error: unknown): StoreFault | null {
    const fault = storeFaultOf(error);
    if (fault && this.fault?.code !== fault.code) this.fault = { ...fault, since: this.clock.now() };
    return fault;
  }

  recovered(): void {
    this.fault = null;
  }

  /**
   * While a fault is reported (at most every `everyMs`): a write that needs a fresh page (so a full disk refuses it),
   * in a transaction that deletes what it wrote, to find out whether the fault is gone. True when it just recovered.
   */
  probe(db: Db, everyMs: number): boolean {
    const now = this.clock.now();
    if (!this.fault || now - this.lastProbe < everyMs) return false;
    this.lastProbe = now;
    try {
      db.transaction(() => {
        db.prepare('INSERT INTO sign_state (sign_id, state_json, updated_at) VALUES (?, ?, ?)').run(
          '~store-probe',
          JSON.stringify('x'.repeat(8192)),
          new Date(now).toISOString(),
        );
        db.prepare('DELETE FROM sign_state WHERE sign_id = ?').run('~store-probe');
      })();
      this.recovered();
      return true;
    } catch (error: unknown) {
      this.failed(error);
      return false;
    }
  }

  status(): StoreStatus {
    const f = this.fault;
    if (!f) return { ok: true, problem: null, since: null };
    return {
      ok: false,
      problem: `${f.reason} (${f.code}): changes are refused until it is fixed; the signs keep playing what they show`,
      since: new Date(f.since).toISOString(),
    };
  }
}

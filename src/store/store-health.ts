import type { Clock } from '../domain/clock.ts';

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

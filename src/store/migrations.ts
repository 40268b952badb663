/**
 * Versioned schema migrations, applied in order at start, each in its own transaction. Never edit
 * a migration that has shipped: add a new one.
 */
export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'core: audit log, proof of play, sign state',
    sql: `
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        before_json TEXT,
        after_json TEXT
      );
      -- Append-only: the audit log is evidence, so the database itself refuses edits.
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

      -- Proof of play: one row per page a sign confirmed (ACK), closed when the next page starts.
      CREATE TABLE play_log (
        id INTEGER PRIMARY KEY,
        sign_id TEXT NOT NULL,
        priority TEXT NOT NULL,
        item_id TEXT,
        organisation TEXT,
        slot INTEGER NOT NULL,
        crc32 INTEGER NOT NULL,
        started_at TEXT NOT NULL,
        ended_at TEXT
      );
      CREATE INDEX play_log_sign_started ON play_log (sign_id, started_at);

      -- Where each sign's rotation stands, so a restart continues instead of starting over.
      CREATE TABLE sign_state (
        sign_id TEXT PRIMARY KEY,
        state_json TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
    `,
  },
];

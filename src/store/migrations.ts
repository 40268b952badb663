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
  {
    version: 2,
    name: 'crisis: crisis messages with per-sign confirmation',
    sql: `
      -- One row per crisis message, manual or from a feed. A proposal waits for a communicator.
      CREATE TABLE crises (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        alert_id TEXT,
        incidents TEXT NOT NULL DEFAULT '[]',
        state TEXT NOT NULL CHECK (state IN ('proposed', 'active', 'ended', 'dismissed')),
        headline TEXT NOT NULL,
        instruction TEXT NOT NULL,
        sign_ids TEXT NOT NULL,
        created_at TEXT NOT NULL,
        created_by TEXT NOT NULL,
        activated_at TEXT,
        expires_at TEXT,
        ended_at TEXT,
        ended_reason TEXT,
        takeover_ms REAL,
        confirmations TEXT NOT NULL DEFAULT '{}',
        reason TEXT
      );
      CREATE INDEX crises_state ON crises (state);
      CREATE UNIQUE INDEX crises_alert ON crises (source, alert_id) WHERE alert_id IS NOT NULL;
    `,
  },
  {
    version: 3,
    name: 'content workflow: users, sessions, API tokens, items, images, shared playlist',
    sql: `
      CREATE TABLE users (
        id INTEGER PRIMARY KEY,
        username TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name TEXT NOT NULL DEFAULT '',
        organisation TEXT NOT NULL CHECK (organisation IN ('kommun', 'konserthus')),
        role TEXT NOT NULL CHECK (role IN ('submitter', 'communicator', 'admin')),
        password_hash TEXT NOT NULL,
        failed_logins INTEGER NOT NULL DEFAULT 0,
        locked_until TEXT,
        disabled_at TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        -- Review, publishing and crisis belong to Vara kommun.
        CHECK (role <> 'communicator' OR organisation = 'kommun')
      );

      -- The cookie holds a random id; only its SHA-256 is stored, so a copy of the database opens no session.
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id),
        csrf_token TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL
      );
      CREATE INDEX sessions_user ON sessions (user_id);

      -- Bearer tokens: the public lookup part is stored as is, the secret part only as SHA-256.
      CREATE TABLE api_tokens (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        lookup TEXT NOT NULL UNIQUE,
        secret_hash TEXT NOT NULL,
        organisation TEXT NOT NULL CHECK (organisation IN ('kommun', 'konserthus')),
        role TEXT NOT NULL CHECK (role IN ('submitter', 'communicator', 'admin')),
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT,
        revoked_at TEXT,
        last_used_at TEXT,
        CHECK (role <> 'communicator' OR organisation = 'kommun')
      );

      CREATE TABLE items (
        id TEXT PRIMARY KEY,
        organisation TEXT NOT NULL CHECK (organisation IN ('kommun', 'konserthus')),
        kind TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('draft', 'pending', 'approved', 'rejected', 'expired', 'archived')),
        content_json TEXT NOT NULL,
        window_json TEXT,
        signs_json TEXT,
        dwell_seconds INTEGER NOT NULL CHECK (dwell_seconds >= 10),
        info_link TEXT NOT NULL,
        show_link INTEGER NOT NULL DEFAULT 0,
        rejection_reason TEXT,
        revision INTEGER NOT NULL DEFAULT 1,
        ends_at TEXT,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        decided_by TEXT,
        decided_at TEXT
      );
      CREATE INDEX items_state ON items (state, organisation);

      -- Uploaded pictures, normalised to PNG by the renderer's importer.
      CREATE TABLE images (
        id TEXT PRIMARY KEY,
        organisation TEXT NOT NULL CHECK (organisation IN ('kommun', 'konserthus')),
        png BLOB NOT NULL,
        width INTEGER NOT NULL,
        height INTEGER NOT NULL,
        source_format TEXT NOT NULL,
        source_bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        filename TEXT,
        uploaded_by TEXT NOT NULL,
        uploaded_at TEXT NOT NULL
      );

      -- The one shared playlist: a single draft row, and published revisions that never change.
      CREATE TABLE playlist_draft (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        name TEXT NOT NULL,
        settings_json TEXT NOT NULL,
        entries_json TEXT NOT NULL,
        updated_by TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE playlist_revisions (
        revision INTEGER PRIMARY KEY,
        playlist_json TEXT NOT NULL,
        item_revisions_json TEXT NOT NULL,
        published_by TEXT NOT NULL,
        published_at TEXT NOT NULL,
        note TEXT,
        rollback_of INTEGER
      );
      CREATE TRIGGER playlist_revisions_no_update BEFORE UPDATE ON playlist_revisions
        BEGIN SELECT RAISE(ABORT, 'published playlist revisions are immutable'); END;
      CREATE TRIGGER playlist_revisions_no_delete BEFORE DELETE ON playlist_revisions
        BEGIN SELECT RAISE(ABORT, 'published playlist revisions are immutable'); END;
    `,
  },
  {
    version: 4,
    name: 'scheduling: overrides, proof-of-play period index',
    sql: `
      -- A communicator's "show now": kept after it ends, as the record of what was shown and who asked.
      CREATE TABLE overrides (
        id TEXT PRIMARY KEY,
        sign_ids TEXT NOT NULL,
        page_json TEXT NOT NULL,
        starts_at TEXT NOT NULL,
        ends_at TEXT NOT NULL,
        reason TEXT,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        cancelled_at TEXT,
        cancelled_by TEXT,
        CHECK (ends_at > starts_at)
      );
      CREATE INDEX overrides_ends ON overrides (ends_at);

      -- Airtime reports ask for every sign over a period.
      CREATE INDEX play_log_started ON play_log (started_at);
    `,
  },
  {
    version: 5,
    name: 'proof of play: index of the open play per sign',
    sql: `
      -- Every page change closes the sign's open row and looks it up: without this they scan every
      -- row the sign ever played (a year of pages is over a million rows per sign).
      CREATE INDEX play_log_open ON play_log (sign_id) WHERE ended_at IS NULL;
    `,
  },
  {
    version: 6,
    name: 'playlist draft: a version for optimistic concurrency',
    sql: `
      -- Counts saves of the draft: GET /api/playlist/draft answers it as the ETag, and a save must name it in
      -- If-Match, so a save from a stale page cannot overwrite newer changes.
      ALTER TABLE playlist_draft ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
    `,
  },
  {
    version: 7,
    name: 'sign-in: failures per username and client, forced password change',
    sql: `
      -- Failed sign-ins counted per (username as typed, client address), known user or not: a lockout shuts out
      -- the address that guessed, not the account's owner elsewhere, and looks the same for a name that does not
      -- exist (OWASP Authentication Cheat Sheet: no account enumeration, no lockout as denial of service).
      CREATE TABLE login_failures (
        username TEXT NOT NULL,
        client TEXT NOT NULL,
        failures INTEGER NOT NULL,
        last_at TEXT NOT NULL,
        locked_until TEXT,
        PRIMARY KEY (username, client)
      );
      CREATE INDEX login_failures_last ON login_failures (last_at);
      -- A generated first-start or reset password works once: the user must choose their own before anything else.
      ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
    `,
  },
];

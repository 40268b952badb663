import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { MigrationError, migrate, openDatabase } from '../../src/store/database.ts';
import { MIGRATIONS } from '../../src/store/migrations.ts';

const tempDb = () => join(mkdtempSync(join(tmpdir(), 'skylt-db-')), 'skylt.db');

describe('migrations', () => {
  it('brings a fresh database to the newest schema, in WAL mode', () => {
    const path = tempDb();
    const db = openDatabase(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    const versions = db.prepare('SELECT version FROM schema_migrations ORDER BY version').pluck().all();
    expect(versions).toEqual(MIGRATIONS.map((m) => m.version));
    db.close();
  });

  it('upgrades an existing database without touching its data, and is idempotent', () => {
    const path = tempDb();
    const v1 = MIGRATIONS.filter((m) => m.version === 1);
    const db = openDatabase(path, v1);
    db.prepare("INSERT INTO audit_log (at, actor, action, subject) VALUES ('2026-01-01', 'admin', 'test', 'x')").run();
    db.close();
    const next = [
      ...MIGRATIONS,
      { version: 999, name: 'test: a later migration', sql: 'CREATE TABLE later (id INTEGER PRIMARY KEY)' },
    ];
    const upgraded = openDatabase(path, next);
    expect(upgraded.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(1);
    expect(upgraded.prepare("SELECT name FROM sqlite_master WHERE name = 'later'").pluck().get()).toBe('later');
    expect(migrate(upgraded, next)).toEqual([]);
    upgraded.close();
  });

  it('rolls back a failing migration completely and says which one failed', () => {
    const path = tempDb();
    const broken = [
      ...MIGRATIONS,
      { version: 998, name: 'broken', sql: 'CREATE TABLE half (id INTEGER); INSERT INTO nowhere VALUES (1);' },
    ];
    expect(() => openDatabase(path, broken)).toThrow(MigrationError);
    expect(() => openDatabase(path, broken)).toThrow(/migration 998 \(broken\) failed/);
    const db = new Database(path);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").pluck().get()).toBeUndefined();
    db.close();
  });

  it('refuses a database from a newer Skylt', () => {
    const path = tempDb();
    openDatabase(path, [...MIGRATIONS, { version: 500, name: 'future', sql: 'SELECT 1' }]).close();
    expect(() => openDatabase(path)).toThrow(/newer than this Skylt/);
  });

  it('keeps the audit log append-only', () => {
    const db = openDatabase(tempDb());
    db.prepare("INSERT INTO audit_log (at, actor, action, subject) VALUES ('2026-01-01', 'admin', 'test', 'x')").run();
    expect(() => db.prepare("UPDATE audit_log SET actor = 'mallory'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    db.close();
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/store/database.ts';

function skylt(dataDir: string, ...args: string[]) {
  return spawnSync(process.execPath, ['bin/skylt.js', ...args], {
    env: { ...process.env, SKYLT_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
}

const count = (path: string) => {
  const db = openDatabase(path);
  const n = db.prepare('SELECT count(*) FROM audit_log').pluck().get();
  db.close();
  return n;
};

describe('skylt backup and restore', () => {
  it('backs up while the database is open and being written, and restores it', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'skylt-backup-'));
    const dbPath = join(dataDir, 'skylt.db');
    const live = openDatabase(dbPath);
    const insert = live.prepare(
      "INSERT INTO audit_log (at, actor, action, subject) VALUES ('2026-12-01', 'test', 'write', 'x')",
    );
    for (let i = 0; i < 100; i++) insert.run();
    const file = join(dataDir, 'backup-1.db');
    const r = skylt(dataDir, 'backup', file);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('backed up');
    for (let i = 0; i < 50; i++) insert.run();
    live.close();
    expect(count(dbPath)).toBe(150);

    const again = skylt(dataDir, 'backup', file);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('exists already');

    const restored = skylt(dataDir, 'restore', file);
    expect(restored.status).toBe(0);
    expect(count(dbPath)).toBe(100);
  });

  it('refuses to restore a file that is not a Skylt database, and leaves the database alone', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'skylt-restore-'));
    const dbPath = join(dataDir, 'skylt.db');
    openDatabase(dbPath).close();
    const junk = join(dataDir, 'junk.db');
    writeFileSync(junk, 'this is not sqlite'.repeat(100));
    const r = skylt(dataDir, 'restore', junk);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not a SQLite database|cannot be read/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(count(dbPath)).toBe(0);
  });
});

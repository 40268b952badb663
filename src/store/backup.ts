import { copyFileSync, existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS } from './migrations.ts';

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

/**
 * Online backup through SQLite's backup API: consistent even while Skylt writes, because it copies
 * pages under SQLite's own locking (a plain file copy of a WAL database can tear).
 */
export async function backupDatabase(databasePath: string, target: string): Promise<{ pages: number }> {
  if (!existsSync(databasePath)) throw new BackupError(`no database at ${databasePath}: check SKYLT_DATA_DIR`);
  if (existsSync(target)) throw new BackupError(`${target} exists already: choose a new file name`);
  const db = new Database(databasePath, { readonly: true, fileMustExist: true });
  try {
    const result = await db.backup(target);
    return { pages: result.totalPages };
  } finally {
    db.close();
  }
}

/** Checks a backup before it replaces anything: a SQLite file, intact, with a schema this Skylt knows. */
export function verifyBackup(file: string): { version: number } {
  if (!existsSync(file)) throw new BackupError(`no file ${file}`);
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e: unknown) {
    throw new BackupError(`${file} is not a SQLite database: ${(e as Error).message}`);
  }
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') throw new BackupError(`${file} is damaged (integrity_check: ${String(check)})`);
    const hasTable = db.prepare("SELECT name FROM sqlite_master WHERE name = 'schema_migrations'").get();
    if (!hasTable) throw new BackupError(`${file} is not a Skylt database (no schema_migrations table)`);
    const version = db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number;
    const known = Math.max(...MIGRATIONS.map((m) => m.version));
    if (version > known) throw new BackupError(`${file} is from a newer Skylt (schema ${version} > ${known})`);
    return { version };
  } catch (e: unknown) {
    if (e instanceof BackupError) throw e;
    throw new BackupError(`${file} cannot be read as a SQLite database: ${(e as Error).message}`);
  } finally {
    db.close();
  }
}

/** Replaces the database with a verified backup, atomically (copy beside it, then rename). */
export function restoreDatabase(databasePath: string, file: string): { version: number } {
  const pidFile = join(dirname(databasePath), 'skylt.pid');
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (pid && isAlive(pid)) throw new BackupError(`Skylt is running (pid ${pid}): stop it before restoring`);
  }
  const verified = verifyBackup(file);
  const staging = `${databasePath}.restoring`;
  copyFileSync(file, staging);
  for (const suffix of ['-wal', '-shm']) rmSync(`${databasePath}${suffix}`, { force: true });
  renameSync(staging, databasePath);
  return verified;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

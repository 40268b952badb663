import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { SignController } from '../signs/sign-controller.ts';
import { CRISIS_SLOT, DEFAULT_SLOT } from '../signs/slot-cache.ts';
import type { Db } from '../store/database.ts';
import type { ProofOfPlayRepository } from '../store/proof-of-play-repository.ts';

/**
 * The night's housekeeping, while the roads are quiet:
 * 1. every slot the signs played from is read back (STATUS) and its CRC-32 compared with what was
 *    uploaded; a damaged slot on display is shown again, which makes the controller upload it anew
 *    (the sign answers CRC_MISMATCH, see sign-controller.ts);
 * 2. an online backup of the database (SQLite's backup API: consistent while Skylt writes);
 * 3. VACUUM, so a year of proof of play does not leave the file full of free pages;
 * 4. the archiving hook of the content workflow (expired items -> archived).
 */

export interface UpkeepSign {
  readonly id: string;
  readonly controller: SignController;
  /** Shows the visible page again (its slot is re-uploaded if the sign lost it). */
  readonly reshow: () => void;
}

export interface SlotCheck {
  readonly signId: string;
  readonly checked: number;
  readonly mismatched: ReadonlyArray<{ slot: number; expected: number; found: number | null }>;
  readonly error: string | null;
}

export interface UpkeepResult {
  readonly at: string;
  readonly slots: readonly SlotCheck[];
  readonly backup: { readonly file: string; readonly pages: number } | { readonly error: string };
  readonly vacuum: { readonly ok: boolean; readonly error?: string };
  readonly archive: { readonly ok: boolean; readonly error?: string };
}

export interface UpkeepOptions {
  readonly db: Db;
  readonly plays: ProofOfPlayRepository;
  readonly signs: readonly UpkeepSign[];
  readonly backupDir: string;
  /** Nightly backups kept (the newest ones). */
  readonly keepBackups: number;
  readonly now: number;
  /** Local date of the night, YYYY-MM-DD: the backup's name. */
  readonly localDate: string;
  readonly archive?: (now: number) => void | Promise<void>;
}

/** Slots played from within this long are checked; older ones have surely been reused. */
const SLOT_LOOKBACK_MS = 30 * 86_400_000;

export async function runNightlyUpkeep(o: UpkeepOptions): Promise<UpkeepResult> {
  const slots: SlotCheck[] = [];
  for (const sign of o.signs) slots.push(await verifySlots(sign, o.plays, o.now));
  const backup = await backupNightly(o.db, o.backupDir, o.localDate, o.keepBackups);
  let vacuum: UpkeepResult['vacuum'];
  try {
    o.db.exec('VACUUM');
    vacuum = { ok: true };
  } catch (error: unknown) {
    vacuum = { ok: false, error: message(error) };
  }
  let archive: UpkeepResult['archive'] = { ok: true };
  try {
    await o.archive?.(o.now);
  } catch (error: unknown) {
    archive = { ok: false, error: message(error) };
  }
  return { at: new Date(o.now).toISOString(), slots, backup, vacuum, archive };
}

export async function verifySlots(sign: UpkeepSign, plays: ProofOfPlayRepository, now: number): Promise<SlotCheck> {
  const c = sign.controller;
  if (!c.linkUp) return { signId: sign.id, checked: 0, mismatched: [], error: 'link down' };
  // The reserved slots are written without a play (crisis fast path, commissioned default): the
  // controller checks those itself whenever the link comes up.
  const expected = plays
    .lastPlayPerSlot(sign.id, new Date(now - SLOT_LOOKBACK_MS).toISOString())
    .filter((s) => s.slot !== CRISIS_SLOT && s.slot !== DEFAULT_SLOT);
  const mismatched: Array<{ slot: number; expected: number; found: number | null }> = [];
  try {
    for (const s of expected) {
      const report = await c.readBack(s.slot);
      const found = report.queryValid ? report.queryCrc32 >>> 0 : null;
      if (found !== s.crc32) mismatched.push({ slot: s.slot, expected: s.crc32, found });
    }
  } catch (error: unknown) {
    return { signId: sign.id, checked: expected.length, mismatched, error: message(error) };
  }
  const showing = c.showing();
  if (showing && mismatched.some((m) => m.slot === showing.slot)) sign.reshow();
  return { signId: sign.id, checked: expected.length, mismatched, error: null };
}

const BACKUP_NAME = /^skylt-\d{4}-\d{2}-\d{2}\.db$/;

export async function backupNightly(
  db: Db,
  dir: string,
  localDate: string,
  keep: number,
): Promise<{ file: string; pages: number } | { error: string }> {
  try {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `skylt-${localDate}.db`);
    rmSync(file, { force: true });
    const result = await db.backup(file);
    const old = readdirSync(dir)
      .filter((f) => BACKUP_NAME.test(f))
      .sort()
      .reverse()
      .slice(Math.max(1, keep));
    for (const f of old) rmSync(join(dir, f), { force: true });
    return { file, pages: result.totalPages };
  } catch (error: unknown) {
    return { error: message(error) };
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

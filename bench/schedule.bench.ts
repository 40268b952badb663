/**
 * `schedule`: how fast the rotation engine decides, and whether a running Skylt keeps its memory
 * flat over a simulated week.
 * - decisions_per_second: page decisions (rotationAt + confirmShown) for 2 signs over a published
 *   playlist of 5,000 items with windows, days, times of day and target signs; median of rounds.
 * - rss_growth_mb_7d: the real runtime (virtual signs over the bridge protocol, SQLite proof of
 *   play, the timed jobs incl. nightly backup and VACUUM) driven by an injected clock through 7
 *   days of pages from the same 5,000 items, after a simulated day of warm-up; RSS after minus RSS
 *   before, after a GC when exposed (run with `node --expose-gc --import tsx bench/run.ts schedule`).
 *   heap_growth_mb_7d is the same for the JS heap: RSS also moves with the allocator and SQLite's
 *   page cache, the heap only with what Skylt keeps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { loadConfig } from '../src/config.ts';
import { ManualClock } from '../src/domain/clock.ts';
import type { Organisation } from '../src/domain/item-content.ts';
import type { Weekday } from '../src/domain/local-time.ts';
import { Runtime } from '../src/runtime.ts';
import { compileSchedule, confirmShown, type RotationHistory, rotationAt } from '../src/schedule/rotation-engine.ts';
import type { PublishedSchedule } from '../src/schedule/schedule-input.ts';
import type { ScheduledPage } from '../src/schedule/sign-scheduler.ts';
import { type Benchmark, median } from './lib.ts';

const START = Date.parse('2026-12-07T06:00:00Z');
const DAY = 86_400_000;
const MB = 1024 * 1024;

/** A deterministic pseudo-random playlist of `n` items, the way a busy year would look. */
function playlist(n: number, revision = 'bench'): PublishedSchedule<ScheduledPage> {
  let seed = 42;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const items: ScheduledPage[] = [];
  for (let i = 0; i < n; i++) {
    const organisation: Organisation = rnd() < 0.55 ? 'kommun' : 'konserthus';
    const id = `item-${i}`;
    const r = rnd();
    const window =
      r < 0.15
        ? { from: START - 30 * DAY, until: START - DAY } // already over
        : r < 0.3
          ? { from: START + Math.floor(rnd() * 10) * DAY, until: START + 20 * DAY } // opens later
          : r < 0.5
            ? { from: START - DAY, until: START + 14 * DAY }
            : null;
    const days = rnd() < 0.1 ? ([1, 2, 3, 4, 5] as Weekday[]) : null;
    const timesOfDay = rnd() < 0.2 ? [{ from: '06:00', to: '22:00' }] : null;
    const signs = rnd() < 0.2 ? [rnd() < 0.5 ? 'E20-N' : 'E20-S'] : null;
    const dwellSeconds = [10, 10, 15, 20, 30][Math.floor(rnd() * 5)] as number;
    items.push({
      id,
      organisation,
      dwellSeconds,
      window,
      days,
      timesOfDay,
      signs,
      order: i,
      page: {
        id,
        organisation,
        // Six different pages per organisation: a week of 80,000 pages would otherwise spend an
        // hour drawing and compressing frames, which bench/render.bench.ts measures on its own.
        content: {
          kind: 'info',
          lines: [`Evenemang ${i % 6}`, organisation === 'kommun' ? 'vara.se' : 'varakonserthus.se'],
        },
        dwellSeconds,
        infoLink: 'https://vara.se/evenemang',
        showLink: false,
      },
    });
  }
  return { revision, items, settings: { shares: { kommun: 0.5, konserthus: 0.5 } } };
}

function decisionsPerSecond(schedule: PublishedSchedule<ScheduledPage>): number {
  const compiled = compileSchedule(schedule);
  const signs = ['E20-N', 'E20-S'];
  const histories = new Map<string, RotationHistory | null>(signs.map((s) => [s, null]));
  const clocks = new Map(signs.map((s) => [s, START]));
  const rates: number[] = [];
  for (let round = 0; round < 9; round++) {
    let decisions = 0;
    const t0 = performance.now();
    while (performance.now() - t0 < 250) {
      for (let k = 0; k < 100; k++) {
        for (const sign of signs) {
          const now = clocks.get(sign) as number;
          const d = rotationAt(compiled, sign, histories.get(sign) ?? null, now);
          if (d.kind === 'show') {
            histories.set(sign, confirmShown(d.history, now));
            clocks.set(sign, d.until);
          } else {
            histories.set(sign, d.history);
            clocks.set(sign, d.until ?? now + 60_000);
          }
          decisions++;
        }
      }
    }
    if (round >= 2) rates.push(decisions / ((performance.now() - t0) / 1000));
  }
  return median(rates);
}

function gc(): void {
  const g = (globalThis as { gc?: () => void }).gc;
  if (g) {
    g();
    g();
  }
}

async function rssGrowthOverAWeek(
  schedule: PublishedSchedule<ScheduledPage>,
): Promise<{ growthMb: number; heapGrowthMb: number; pages: number; wallSeconds: number; gc: boolean }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skylt-bench-schedule-'));
  const clock = new ManualClock(START);
  const runtime = new Runtime(
    loadConfig({
      SKYLT_DATA_DIR: dataDir,
      SKYLT_PORT: '0',
      SKYLT_VMA_URL: 'off',
      SKYLT_ADMIN_PASSWORD: 'bench-password-not-used',
    }),
    {
      clock,
      tickMs: 0,
      log: pino({ level: 'silent' }),
      printSecret: () => undefined,
    },
  );
  runtime.scheduling.setScheduleSource(() => schedule);
  // An fsync per proof-of-play row is the disk's time, not memory: off for the simulated week.
  runtime.db.pragma('synchronous = NORMAL');
  runtime.start();
  const signs = [...runtime.scheduling.signs.values()];
  let pages = 0;
  for (const s of runtime.signs.values()) s.controller.on('played', () => pages++);
  const until = async (end: number) => {
    while (clock.now() < end) {
      await runtime.tick();
      await new Promise((r) => setImmediate(r));
      // Straight to the next page change (ticks in between change nothing), at least every 10 s for the leases.
      const next = Math.min(...signs.map((s) => s.now().until ?? clock.now() + 1_000), clock.now() + 10_000);
      clock.set(Math.min(end, Math.max(clock.now() + 50, next + 50)));
    }
  };
  try {
    for (let i = 0; i < 200 && ![...runtime.signs.values()].every((s) => s.controller.linkUp); i++)
      await new Promise((r) => setTimeout(r, 10));
    // Warm-up: a simulated day (one nightly upkeep with its backup and VACUUM) fills the SQLite
    // page cache, prepared statements, the allocator's arenas and the JIT.
    await until(START + DAY);
    gc();
    const before = process.memoryUsage();
    const pagesBefore = pages;
    const t0 = performance.now();
    const daily: string[] = [];
    for (let d = 1; d <= 7; d++) {
      await until(START + DAY + d * DAY);
      gc();
      daily.push((process.memoryUsage().rss / MB).toFixed(0));
    }
    const wallSeconds = (performance.now() - t0) / 1000;
    const after = process.memoryUsage();
    console.log(
      `schedule bench: RSS MB at the start and after each simulated day: ${(before.rss / MB).toFixed(0)} -> ${daily.join(', ')}`,
    );
    return {
      growthMb: (after.rss - before.rss) / MB,
      heapGrowthMb: (after.heapUsed - before.heapUsed) / MB,
      pages: pages - pagesBefore,
      wallSeconds,
      gc: typeof (globalThis as { gc?: unknown }).gc === 'function',
    };
  } finally {
    await runtime.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export default {
  name: 'schedule',
  async run() {
    const schedule = playlist(5_000);
    const t0 = performance.now();
    compileSchedule(playlist(5_000, 'compile')).loop('E20-N');
    const compileMs = performance.now() - t0;
    const decisions = decisionsPerSecond(schedule);
    const week = await rssGrowthOverAWeek(schedule);
    if (!week.gc) console.warn('schedule bench: run with --expose-gc for a steadier RSS figure');
    return {
      decisions_per_second: Math.round(decisions),
      rss_growth_mb_7d: Math.round(week.growthMb * 10) / 10,
      heap_growth_mb_7d: Math.round(week.heapGrowthMb * 100) / 100,
      compile_ms_5000_items: Math.round(compileMs * 10) / 10,
      pages_confirmed_7d: week.pages,
      simulated_week_wall_s: Math.round(week.wallSeconds),
    };
  },
} satisfies Benchmark;

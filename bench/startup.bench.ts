/**
 * Cold start: `npm start`'s own command (read from package.json, so the bench follows it) spawned on an empty data
 * dir with the two virtual signs, timed from spawn to the log line "every sign confirmed its first frame" (both signs
 * acknowledged a PLAY), and its resident memory (the whole process tree) a second after that. For comparison the
 * same start from the TypeScript source through tsx, as `npm start` ran before the build step (and still runs when
 * src/ is newer than the build). Each run is a first start: a new data dir, so the first admin is created too.
 * npm itself is not spawned: its own start-up (~0.3 s) is not Skylt's, and systemd or Docker run the command directly.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type Benchmark, median } from './lib.ts';

const ROOT = resolve(import.meta.dirname, '..');
const RUNS = Number(process.env.SKYLT_STARTUP_RUNS ?? 7);
const CONFIRMED = 'every sign confirmed its first frame';
const TIMEOUT_MS = 30_000;

interface StartRun {
  listeningMs: number;
  confirmedMs: number;
  /** CPU time of the process tree when the signs had confirmed. */
  cpuMs: number;
  rssMb: number;
}

/** `npm start`'s command as argv: `node` is this Node, other programs come from node_modules/.bin. */
function startCommand(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [program, ...args] = pkg.scripts.start.trim().split(/\s+/);
  if (!program || /[|&;<>$`'"]/.test(pkg.scripts.start)) {
    throw new Error(`npm start is not a plain command the bench can spawn: ${pkg.scripts.start}`);
  }
  return [program === 'node' ? process.execPath : join(ROOT, 'node_modules/.bin', program), ...args];
}

/** Clock ticks per second of /proc/PID/stat's CPU times (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

/**
 * Resident memory (MB) and CPU time used so far (ms) of a process and all its descendants (tsx's CLI runs Node in a
 * child). CPU time does not grow when other work shares the cores, so it says what wall time cannot on a busy box.
 */
function treeUsage(rootPid: number): { rssMb: number; cpuMs: number } {
  const parent = new Map<number, number>();
  const usage = new Map<number, { rssKb: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      // After the command name in parentheses: state, ppid, ... utime is field 14 and stime 15 of the whole line.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const ppid = /^PPid:\s+(\d+)/m.exec(status);
      const vm = /^VmRSS:\s+(\d+) kB/m.exec(status);
      parent.set(Number(entry), Number(ppid?.[1] ?? 0));
      usage.set(Number(entry), { rssKb: Number(vm?.[1] ?? 0), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended while we looked.
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = parent.get(p) ?? 0, hops++) if (p === rootPid) return true;
    return false;
  };
  let rssKb = 0;
  let ticks = 0;
  for (const [pid, u] of usage) {
    if (!inTree(pid)) continue;
    rssKb += u.rssKb;
    ticks += u.ticks;
  }
  return { rssMb: rssKb / 1024, cpuMs: (ticks * 1000) / USER_HZ };
}

async function startOnce(argv: string[], cwd: string): Promise<StartRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skylt-startup-'));
  const [program, ...args] = argv as [string, ...string[]];
  const t0 = performance.now();
  const child = spawn(program, args, {
    cwd,
    env: {
      ...process.env,
      SKYLT_DATA_DIR: dataDir,
      SKYLT_PORT: '0',
      SKYLT_HOST: '127.0.0.1',
      // No network in a benchmark: the crisis feed would only add DNS failures.
      SKYLT_VMA_URL: 'off',
      SKYLT_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let output = '';
  try {
    const times = await new Promise<{ listeningMs: number; confirmedMs: number; cpuMs: number }>((done, fail) => {
      let listeningMs = Number.NaN;
      let confirmedMs = Number.NaN;
      let cpuMs = Number.NaN;
      const timer = setTimeout(
        () => fail(new Error(`no "${CONFIRMED}" within ${TIMEOUT_MS} ms:\n${output}`)),
        TIMEOUT_MS,
      );
      child.stderr?.on('data', (chunk) => {
        output += String(chunk);
      });
      child.stdout?.on('data', (chunk) => {
        const now = performance.now() - t0;
        output += String(chunk);
        if (Number.isNaN(listeningMs) && output.includes(' is running at ')) listeningMs = now;
        if (Number.isNaN(confirmedMs) && output.includes(CONFIRMED)) {
          confirmedMs = now;
          cpuMs = treeUsage(child.pid as number).cpuMs;
        }
        // The signs may confirm before the HTTP side listens (they start first): the run ends when both happened.
        if (!Number.isNaN(confirmedMs) && !Number.isNaN(listeningMs)) {
          clearTimeout(timer);
          done({ listeningMs, confirmedMs, cpuMs });
        }
      });
      child.once('exit', (code) => fail(new Error(`Skylt exited (${code}) before its signs confirmed:\n${output}`)));
    });
    await new Promise((r) => setTimeout(r, 1000));
    return { ...times, rssMb: treeUsage(child.pid as number).rssMb };
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface StartConfig {
  label: string;
  argv: string[];
  cwd: string;
}

/**
 * Runs every configuration RUNS times, taking turns (run 1 of each, then run 2 of each...), so a change in the load
 * of a shared machine falls on all of them alike.
 */
async function measure(configs: StartConfig[]): Promise<StartRun[][]> {
  for (const c of configs) {
    console.log(`  ${c.label}: ${c.argv.map((a) => a.replace(`${ROOT}/`, '')).join(' ')} (in ${c.cwd})`);
    await startOnce(c.argv, c.cwd); // warms the file cache: every run then reads the same way
  }
  const runs: StartRun[][] = configs.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    for (const [k, c] of configs.entries()) {
      const run = await startOnce(c.argv, c.cwd);
      console.log(
        `    ${c.label} run ${i + 1}: listening ${run.listeningMs.toFixed(0)} ms, signs confirmed ${run.confirmedMs.toFixed(0)} ms (CPU ${run.cpuMs.toFixed(0)} ms), RSS ${run.rssMb.toFixed(0)} MB`,
      );
      runs[k]?.push(run);
    }
  }
  return runs;
}

export default {
  name: 'startup',
  async run() {
    const tsx = join(ROOT, 'node_modules/.bin/tsx');
    const configs: StartConfig[] = [
      { label: 'npm start', argv: startCommand(), cwd: ROOT },
      { label: 'from source (tsx)', argv: [tsx, 'src/main.ts'], cwd: ROOT },
    ];
    // SKYLT_STARTUP_BEFORE=DIR: also an older checkout's `tsx src/main.ts` (it needs the "confirmed" log line).
    const beforeDir = process.env.SKYLT_STARTUP_BEFORE;
    if (beforeDir) configs.push({ label: 'before', argv: [tsx, 'src/main.ts'], cwd: beforeDir });
    const [built = [], source = [], before = []] = await measure(configs);
    return {
      cold_start_ms_p50: median(built.map((r) => r.confirmedMs)),
      cold_start_ms_max: Math.max(...built.map((r) => r.confirmedMs)),
      cpu_ms_to_confirmed_p50: median(built.map((r) => r.cpuMs)),
      listening_ms_p50: median(built.map((r) => r.listeningMs)),
      rss_after_start_mb_p50: median(built.map((r) => r.rssMb)),
      from_source_cold_start_ms_p50: median(source.map((r) => r.confirmedMs)),
      from_source_cpu_ms_to_confirmed_p50: median(source.map((r) => r.cpuMs)),
      from_source_rss_after_start_mb_p50: median(source.map((r) => r.rssMb)),
      ...(before.length > 0
        ? {
            before_cold_start_ms_p50: median(before.map((r) => r.confirmedMs)),
            before_cpu_ms_to_confirmed_p50: median(before.map((r) => r.cpuMs)),
            before_rss_after_start_mb_p50: median(before.map((r) => r.rssMb)),
          }
        : {}),
      runs: RUNS,
    };
  },
} satisfies Benchmark;

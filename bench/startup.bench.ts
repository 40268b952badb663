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

/** Resident memory of a process and all its descendants (tsx's CLI runs Node in a child), in MB. */
function treeRssMb(rootPid: number): number {
  const parent = new Map<number, number>();
  const rss = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      const ppid = /^PPid:\s+(\d+)/m.exec(status);
      const vm = /^VmRSS:\s+(\d+) kB/m.exec(status);
      parent.set(Number(entry), Number(ppid?.[1] ?? 0));
      rss.set(Number(entry), Number(vm?.[1] ?? 0));
    } catch {
      // The process ended while we looked.
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p = pid, hops = 0; p > 1 && hops < 64; p = parent.get(p) ?? 0, hops++) if (p === rootPid) return true;
    return false;
  };
  let kb = 0;
  for (const [pid, value] of rss) if (inTree(pid)) kb += value;
  return kb / 1024;
}

async function startOnce(argv: string[]): Promise<StartRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skylt-startup-'));
  const [program, ...args] = argv as [string, ...string[]];
  const t0 = performance.now();
  const child = spawn(program, args, {
    cwd: ROOT,
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
    const times = await new Promise<{ listeningMs: number; confirmedMs: number }>((done, fail) => {
      let listeningMs = Number.NaN;
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
        if (output.includes(CONFIRMED)) {
          clearTimeout(timer);
          done({ listeningMs, confirmedMs: now });
        }
      });
      child.once('exit', (code) => fail(new Error(`Skylt exited (${code}) before its signs confirmed:\n${output}`)));
    });
    await new Promise((r) => setTimeout(r, 1000));
    const rssMb = treeRssMb(child.pid as number);
    return { ...times, rssMb };
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function measure(label: string, argv: string[]): Promise<StartRun[]> {
  console.log(`  ${label}: ${argv.map((a) => a.replace(`${ROOT}/`, '')).join(' ')}`);
  await startOnce(argv); // warms the file cache: every run then reads the same way
  const runs: StartRun[] = [];
  for (let i = 0; i < RUNS; i++) {
    const run = await startOnce(argv);
    console.log(
      `    run ${i + 1}: listening ${run.listeningMs.toFixed(0)} ms, signs confirmed ${run.confirmedMs.toFixed(0)} ms, RSS ${run.rssMb.toFixed(0)} MB`,
    );
    runs.push(run);
  }
  return runs;
}

export default {
  name: 'startup',
  async run() {
    const built = await measure('npm start', startCommand());
    const source = await measure('from source (tsx)', [join(ROOT, 'node_modules/.bin/tsx'), 'src/main.ts']);
    return {
      cold_start_ms_p50: median(built.map((r) => r.confirmedMs)),
      cold_start_ms_max: Math.max(...built.map((r) => r.confirmedMs)),
      listening_ms_p50: median(built.map((r) => r.listeningMs)),
      rss_after_start_mb_p50: median(built.map((r) => r.rssMb)),
      from_source_cold_start_ms_p50: median(source.map((r) => r.confirmedMs)),
      from_source_rss_after_start_mb_p50: median(source.map((r) => r.rssMb)),
      runs: RUNS,
    };
  },
} satisfies Benchmark;

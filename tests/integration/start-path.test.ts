/**
 * How Skylt starts: `npm start`'s own command (read from package.json) on a copy of the repository (its own src/,
 * scripts/ and dist/, node_modules linked), built with `npm run build` as npm's prepare step builds it at `npm ci`.
 * The compiled build runs while it is as new as src/; after an edit to src/ the source runs (and says so), never the
 * stale build. The `skylt` command takes the same path.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CONFIRMED = 'every sign confirmed its first frame';
const FROM_SOURCE = 'running from the TypeScript source';

let copy = '';

beforeAll(() => {
  copy = mkdtempSync(join(tmpdir(), 'skylt-start-path-'));
  for (const part of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts', 'src', 'bin', 'playlists']) {
    cpSync(join(ROOT, part), join(copy, part), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  const build = spawnSync('npm', ['run', 'build'], { cwd: copy, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}\n${build.stderr}`);
}, 180_000);

afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  url: string;
  stdout: string;
  stderr: string;
}

/** Spawns `npm start`'s command as npm would run it (npm itself left out) and waits for both start-up lines. */
async function npmStart(): Promise<Started> {
  const start = (JSON.parse(readFileSync(join(copy, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts
    .start;
  const [program, ...args] = start.split(' ');
  expect(program).toBe('node');
  const dataDir = mkdtempSync(join(tmpdir(), 'skylt-start-data-'));
  const child = spawn(process.execPath, args, {
    cwd: copy,
    env: { ...process.env, SKYLT_DATA_DIR: dataDir, SKYLT_PORT: '0', SKYLT_VMA_URL: 'off', SKYLT_SCRYPT_LOG2N: '10' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.once('exit', () => rmSync(dataDir, { recursive: true, force: true }));
  const out = { stdout: '', stderr: '' };
  child.stderr?.on('data', (chunk) => {
    out.stderr += String(chunk);
  });
  const url = await new Promise<string>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`no start within 60 s:\n${out.stdout}\n${out.stderr}`)), 60_000);
    child.stdout?.on('data', (chunk) => {
      out.stdout += String(chunk);
      const running = /is running at (http:\/\/\S+)/.exec(out.stdout);
      if (running?.[1] && out.stdout.includes(CONFIRMED)) {
        clearTimeout(timer);
        done(running[1]);
      }
    });
    child.once('exit', (code) => fail(new Error(`exited (${code}) during start:\n${out.stdout}\n${out.stderr}`)));
  });
  return {
    child,
    url,
    get stdout() {
      return out.stdout;
    },
    get stderr() {
      return out.stderr;
    },
  };
}

async function stop(started: Started): Promise<number | null> {
  const exited = new Promise<number | null>((r) => started.child.once('exit', (code) => r(code)));
  started.child.kill('SIGTERM');
  return exited;
}

describe('npm start', () => {
  it('runs the compiled build: both signs confirm, the UI, the API docs and the health answer, SIGTERM stops it', async () => {
    const started = await npmStart();
    try {
      expect(started.stderr).not.toContain(FROM_SOURCE);
      const health = await fetch(`${started.url}/api/health`);
      expect(health.status).toBe(200);
      const ui = await fetch(`${started.url}/`);
      expect(ui.status).toBe(200);
      expect(await ui.text()).toContain('<html');
      const docs = await fetch(`${started.url}/docs/json`);
      expect(docs.status).toBe(200);
      expect(((await docs.json()) as { openapi: string }).openapi).toMatch(/^3\./);
    } finally {
      expect(await stop(started)).toBe(0);
    }
    expect(started.stdout).toContain('stopped: signs told, database closed');
  });

  it('the skylt command runs from the build too: it validates a playlist file', () => {
    const r = spawnSync(process.execPath, ['bin/skylt.js', 'playlist', 'validate', 'playlists/default.json'], {
      cwd: copy,
      encoding: 'utf8',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('runs the source, and says why, once src/ is newer than the build; the skylt command follows', async () => {
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(copy, 'src/version.ts'), future, future);
    const started = await npmStart();
    try {
      expect(started.stderr).toContain(`src/version.ts changed since the last build: ${FROM_SOURCE}`);
      expect((await fetch(`${started.url}/api/health`)).status).toBe(200);
    } finally {
      await stop(started);
    }
    const version = spawnSync(process.execPath, ['bin/skylt.js', 'version'], { cwd: copy, encoding: 'utf8' });
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(
      (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
    );
  });
});

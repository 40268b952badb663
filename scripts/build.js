/**
 * `npm run build` (and npm's `prepare`, so `npm ci` builds too): compiles src/ to dist/ with tsc, then stamps the
 * build with the time it started reading src/ (scripts/load.js runs dist/ only while nothing in src/ is newer).
 * Without TypeScript (an install with --omit=dev) or without src/ (a Docker layer before the sources are copied) it
 * builds nothing and says so: Skylt then runs from the source through tsx.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { DIST, STAMP } from './load.js';

const ROOT = resolve(import.meta.dirname, '..');

let tsc;
try {
  // typescript's package exports hide bin/, so the path goes through its package.json.
  tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
} catch {
  console.log('skylt build: TypeScript is not installed (--omit=dev?): no build; Skylt will run from src/ through tsx');
  process.exit(0);
}
if (!existsSync(join(ROOT, 'src'))) {
  console.log('skylt build: no src/ yet: nothing to build');
  process.exit(0);
}

const startedAt = Date.now();
// A fresh dist/: a module deleted from src/ must not linger in the build.
rmSync(DIST, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json')], {
  cwd: ROOT,
  stdio: 'inherit',
});
if (result.status !== 0) {
  rmSync(DIST, { recursive: true, force: true });
  console.error('skylt build: tsc failed (above); dist/ removed, so Skylt runs from src/ until the next build');
  process.exit(result.status ?? 1);
}
mkdirSync(DIST, { recursive: true });
writeFileSync(STAMP, `${JSON.stringify({ startedAt, node: process.version })}\n`);

/**
 * Loads one of Skylt's entry modules: the compiled JavaScript in dist/ when it was built from src/ as it is now (a
 * start well under a second), else the TypeScript in src/ through tsx (no build needed, but every start then
 * compiles the whole program, about two seconds more). So a stale build is never run: an edit to src/ without
 * `npm run build` is still what runs.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import module from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const ROOT = resolve(import.meta.dirname, '..');
const SRC = join(ROOT, 'src');
export const DIST = join(ROOT, 'dist');
/** Written by scripts/build.js after a build: when that build started reading src/. */
export const STAMP = join(DIST, '.build-stamp.json');
/** Inputs of the build besides the .ts files in src/. */
const CONFIGS = ['tsconfig.json', 'tsconfig.build.json'].map((f) => join(ROOT, f));

/** @returns {{ fresh: true } | { fresh: false, reason: string }} */
export function buildState() {
  let startedAt;
  try {
    startedAt = JSON.parse(readFileSync(STAMP, 'utf8')).startedAt;
  } catch {
    return { fresh: false, reason: 'there is no build in dist/' };
  }
  const inputs = readdirSync(SRC, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => join(e.parentPath, e.name));
  for (const file of [...inputs, ...CONFIGS]) {
    if (statSync(file).mtimeMs > startedAt)
      return { fresh: false, reason: `${file.slice(ROOT.length + 1)} changed since the last build` };
  }
  return { fresh: true };
}

/**
 * @param {string} entry module path under src/ without extension, e.g. "main" or "cli/cli"
 * @returns {Promise<{ module: any, fromSource: string | null }>} fromSource: why the source ran (null: the build ran)
 */
export async function loadEntry(entry) {
  // Node 22.1 and later keep V8's compiled code on disk between starts (in the OS temp dir); Node 20 has no such cache.
  module.enableCompileCache?.();
  const state = buildState();
  if (state.fresh) return { module: await import(pathToFileURL(join(DIST, `${entry}.js`)).href), fromSource: null };
  const { register } = await import('tsx/esm/api');
  register();
  return { module: await import(pathToFileURL(join(SRC, `${entry}.ts`)).href), fromSource: state.reason };
}

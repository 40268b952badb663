// The repository stands alone: a fresh clone passes its own tests with nothing beside it. A reference to a path
// outside the repo (such as the design folder's `../shared/fixtures`) works on a developer's machine and fails in CI.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const scanned = ['src', 'tests', 'bench', 'bin', 'firmware-bridge', '.ci', 'package.json', 'vitest.config.ts'];
const skip = new Set(['node_modules', 'build', 'dist', 'test-artifacts', 'results']);

function* files(path: string): Generator<string> {
  if (statSync(path).isFile()) {
    yield path;
    return;
  }
  for (const name of readdirSync(path)) {
    if (!skip.has(name)) yield* files(join(path, name));
  }
}

describe('the repository stands alone', () => {
  it('reads nothing from outside the checkout (no ../shared, no absolute /work paths)', () => {
    // A relative path in a string that climbs out of the checkout from the file it is written in, or an absolute
    // path into the development machine's folders.
    const climbing = /['"`]((?:\.\.\/)+[^'"`\s]*)/g;
    const absolute = /\/work\/(shared|main|wt)\b/;
    const escapes = (file: string, line: string) =>
      absolute.test(line) ||
      [...line.matchAll(climbing)].some((m) => relative(root, resolve(dirname(file), m[1] ?? '')).startsWith('..'));
    const offenders: string[] = [];
    for (const top of scanned) {
      for (const file of files(join(root, top))) {
        if (!/\.(ts|js|mjs|json|sh|c|h|md)$|\/run$/.test(file) || file.endsWith('stand-alone.test.ts')) continue;
        const text = readFileSync(file, 'utf8');
        text.split('\n').forEach((line, i) => {
          if (escapes(file, line)) offenders.push(`${relative(root, file)}:${i + 1}: ${line.trim()}`);
        });
      }
    }
    expect(offenders, 'copy what the tests need into the repo (tests/fixtures/) instead').toEqual([]);
  });
});

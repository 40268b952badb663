// Issue 14.6: tests start Skylt one way, tests/helper.ts build() (as fastify/demo's test/helper.ts), so a change to
// how the app is wired is made once. A second hand-rolled start (buildApp + new Runtime + listen) drifts: the two
// near-copies this replaced had different defaults for the login rate limit and the first admin.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

function* testFiles(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory() && entry.name !== 'fixtures') yield* testFiles(path);
    else if (entry.isFile() && entry.name.endsWith('.ts')) yield path;
  }
}

describe('one way to start Skylt in a test', () => {
  it('only tests/helper.ts builds the app or the runtime', () => {
    const starts = /\bbuildApp\(|\bnew Runtime\(|\.listen\(\{/;
    const offenders = [...testFiles(join(root, 'tests'))]
      .map((file) => relative(root, file))
      .filter((file) => file !== join('tests', 'helper.ts') && file !== join('tests', 'repo', 'test-helper.test.ts'))
      .filter((file) => starts.test(readFileSync(join(root, file), 'utf8')));
    expect(offenders, 'start the app with build() from tests/helper.ts').toEqual([]);
  });
});

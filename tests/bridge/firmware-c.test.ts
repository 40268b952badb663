import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { FIRMWARE_BUILD_LOCK } from './emulator.ts';

/**
 * The C receiver's own tests, run from `npm test` so one command covers both sides of the bridge:
 * C unit tests and the shared vectors under ASan/UBSan, the emulator as a process, and a bounded
 * randomised run that checks "no frame shown that did not pass its CRC" (the longer libFuzzer run
 * is in .ci/run).
 */
function make(...args: string[]) {
  return spawnSync('flock', [FIRMWARE_BUILD_LOCK, 'make', '-C', 'firmware-bridge', ...args], {
    encoding: 'utf8',
    timeout: 300_000,
  });
}

describe('firmware-bridge (C receiver core)', () => {
  it('passes its unit tests and the shared byte vectors', () => {
    const r = make('test');
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toMatch(/vectors: .* 0 failed/);
  }, 300_000);

  it('survives randomised hostile input under ASan/UBSan without showing an unverified frame', () => {
    const r = make('sanitize-run', 'SANITIZE_SECONDS=10');
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
  }, 300_000);

  // The libFuzzer build needs clang's runtime libraries (Debian: libclang-rt-dev, only a "recommends" of clang).
  // A CI that installs clang without them passed every other test and then failed to link the fuzzer; a short
  // run here catches that where the tests run, and proves the harness starts from its seed corpus.
  it('builds the libFuzzer harness and runs it briefly without a crash', () => {
    const r = make('fuzz-run', 'FUZZ_SECONDS=5');
    expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stderr).toMatch(/Done \d+ runs/);
  }, 300_000);
});

import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { columns } from '../../src/cli/workflow-commands.ts';
import { build, type TestApp } from '../helper.ts';
import { skylt } from './cli-helpers.ts';

/** Issue 13.13: `skylt token list | head` must not crash on EPIPE, and columns never run together. */
describe('skylt list output', () => {
  let dataDir: string;
  let t: TestApp;
  const admin = { username: 'test', organisation: 'kommun', role: 'admin' } as const;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'skylt-cli-out-'));
    t = await build({ env: { SKYLT_DATA_DIR: dataDir } });
    // Enough tokens that the list is far larger than a pipe's buffer, with names longer than any fixed column.
    for (let i = 0; i < 900; i++) {
      t.runtime.workflow.accounts.createToken(
        { name: `varakonserthus-se-webbplatsens-publicering-${i}`, organisation: 'konserthus', role: 'submitter' },
        admin,
      );
    }
    await t.runtime.workflow.accounts.createUser(
      {
        username: 'anna.lindqvist-bergstrom.konserthus',
        organisation: 'konserthus',
        role: 'submitter',
        password: 'x'.repeat(12),
      },
      admin,
    );
  });
  afterAll(async () => {
    await t.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('pads every column to its widest value, so long names do not run into the next column', async () => {
    for (const args of [
      ['token', 'list'],
      ['user', 'list'],
    ]) {
      const res = await skylt(dataDir, args);
      expect(res.code, res.stderr).toBe(0);
      const lines = res.stdout.trimEnd().split('\n');
      const header = lines[0] ?? '';
      const starts = [...header.matchAll(/\S+/g)].map((m) => m.index);
      for (const line of lines.slice(1)) {
        // Each column starts where its heading does, after at least two spaces.
        for (const at of starts.slice(1)) {
          expect(line.slice(at - 2, at), line).toBe('  ');
          expect(line[at], line).not.toBe(' ');
        }
      }
    }
    expect(
      columns([
        ['ID', 'NAME'],
        ['1', 'åäö-lång'],
        ['12', 'x'],
      ]),
    ).toEqual(['ID  NAME', '1   åäö-lång', '12  x']);
  });

  it('`skylt token list | head -n 2` ends quietly when head has read enough', async () => {
    const res = await new Promise<{ stdout: string; stderr: string }>((resolve) => {
      execFile(
        'bash',
        ['-c', 'node bin/skylt.js token list | head -n 2; echo "skylt exited $PIPESTATUS" >&2'],
        { env: { ...process.env, SKYLT_DATA_DIR: dataDir, SKYLT_VMA_URL: 'off', SKYLT_LOG_LEVEL: 'silent' } },
        (_error, stdout, stderr) => resolve({ stdout, stderr }),
      );
    });
    expect(res.stdout.trimEnd().split('\n')).toHaveLength(2);
    expect(res.stdout).toMatch(/^ID\s+NAME\s+PREFIX/);
    expect(res.stderr).not.toMatch(/EPIPE|Error/);
    expect(res.stderr).toContain('skylt exited 0');
  });
});

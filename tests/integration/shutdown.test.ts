import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('start and stop as a process', () => {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`prints its URL, serves health, and stops cleanly on ${signal}: signs told, database closed`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'skylt-proc-'));
      const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
        env: { ...process.env, SKYLT_PORT: '0', SKYLT_DATA_DIR: dataDir, SKYLT_LOG_LEVEL: 'info' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d) => {
        out += d;
      });
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no URL printed: ${out}`)), 20_000);
        child.stdout.on('data', () => {
          const m = /running at (http:\/\/\S+)/.exec(out);
          if (m?.[1]) {
            clearTimeout(timer);
            resolve(m[1]);
          }
        });
      });
      const health = await fetch(`${url}/api/health`);
      expect(health.status).toBe(200);
      const started = Date.now();
      child.kill(signal);
      const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(out).toContain('signs told, database closed');
      // A cleanly closed WAL database checkpoints and removes its -wal file.
      expect(existsSync(join(dataDir, 'skylt.db'))).toBe(true);
      expect(existsSync(join(dataDir, 'skylt.db-wal'))).toBe(false);
    });
  }
});

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

function tempFile(content: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'skylt-config-')), 'signs.json');
  writeFileSync(path, content);
  return path;
}

describe('configuration', () => {
  it('runs on embedded defaults: two virtual 384x192 RGB signs facing each direction of the E20', () => {
    const c = loadConfig({});
    expect(c.host).toBe('127.0.0.1');
    expect(c.port).toBe(8080);
    expect(c.dataDir).toMatch(/data$/);
    expect(c.signs.map((s) => [s.id, s.direction, s.facing, s.width, s.height, s.pixelFormat, s.link])).toEqual([
      ['E20-N', 'northbound', 'towards Skara/Örebro', 384, 192, 'rgb888', 'virtual'],
      ['E20-S', 'southbound', 'towards Vårgårda/Göteborg', 384, 192, 'rgb888', 'virtual'],
    ]);
  });

  it('reads SKYLT_* variables', () => {
    const c = loadConfig({ SKYLT_HOST: '0.0.0.0', SKYLT_PORT: '9000', SKYLT_DATA_DIR: '/var/lib/skylt' });
    expect([c.host, c.port, c.dataDir]).toEqual(['0.0.0.0', 9000, '/var/lib/skylt']);
  });

  it('names every bad field in a config file, and what it should be', () => {
    const path = tempFile(
      JSON.stringify({
        signs: [
          {
            id: 'e20 north',
            name: 'x',
            direction: 'up',
            facing: 'x',
            lat: 91,
            lon: 12,
            width: 'wide',
            height: 192,
            pixelPitchMm: 16,
            pixelFormat: 'rgb999',
            link: 'ftp://sign',
          },
        ],
      }),
    );
    let error: ConfigError | null = null;
    try {
      loadConfig({ SKYLT_CONFIG: path });
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const text = error?.message ?? '';
    for (const field of [
      'signs.0.id',
      'signs.0.direction',
      'signs.0.lat',
      'signs.0.width',
      'signs.0.pixelFormat',
      'signs.0.link',
    ]) {
      expect(text).toContain(field);
    }
    expect(text).toContain('"E20-N"');
    expect(text).toContain('tcp://HOST:PORT');
  });

  it('rejects a bad port and an unreadable or non-JSON file with a clear message', () => {
    expect(() => loadConfig({ SKYLT_PORT: 'eighty' })).toThrow(/SKYLT_PORT/);
    expect(() => loadConfig({ SKYLT_CONFIG: '/nonexistent/skylt.json' })).toThrow(
      /cannot read \/nonexistent\/skylt.json/,
    );
    expect(() => loadConfig({ SKYLT_CONFIG: tempFile('{ signs: [') })).toThrow(/not valid JSON/);
  });

  it('stops start-up with that message and exit code 1, no stack trace', () => {
    const path = tempFile(JSON.stringify({ signs: [{ id: 'E20-N' }] }));
    const r = spawnSync('npx', ['tsx', 'src/main.ts'], {
      env: { ...process.env, SKYLT_CONFIG: path, SKYLT_PORT: '0' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('signs.0.width');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('the JSON Schemas in schemas/ are generated from the zod schemas and not stale', () => {
    execFileSync('node', ['bin/skylt.js', 'schemas', '--check'], { stdio: 'pipe' });
  });
});

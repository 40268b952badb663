import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas, Image } from '@napi-rs/canvas';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { Runtime } from '../../src/runtime.ts';
import { authHeaders } from '../workflow/helpers.ts';

export interface TestApp {
  app: FastifyInstance;
  runtime: Runtime;
  clock: ManualClock;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

/** The real app with its embedded defaults (two virtual signs, a SQLite file), on a real port. */
export async function startTestApp(
  env: Record<string, string> = {},
  start = Date.parse('2026-12-01T09:00:00Z'),
): Promise<TestApp> {
  const dataDir = env.SKYLT_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'skylt-test-'));
  // Tests never reach the internet: the SR VMA feed (on by default) is off unless a test points it at a local server.
  const config = loadConfig({
    SKYLT_DATA_DIR: dataDir,
    SKYLT_PORT: '0',
    SKYLT_VMA_URL: 'off',
    // A known first admin (no generated password printed) and a cheap hash: tests sign in many times.
    SKYLT_ADMIN_PASSWORD: 'admin-password-for-tests',
    SKYLT_SCRYPT_LOG2N: '10',
    ...env,
  });
  const clock = new ManualClock(start);
  const log = pino({ level: 'silent' });
  const runtime = new Runtime(config, { clock, tickMs: 0, log });
  const app = await buildApp({ runtime, version: 'test', logger: false });
  runtime.start();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    app,
    runtime,
    clock,
    url,
    dataDir,
    async close() {
      await app.close();
      await runtime.stop();
      if (!env.SKYLT_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** fetch() as a Vara kommun communicator (Bearer token), for the protected routes such as /api/crisis. */
export function communicatorFetch(app: TestApp): (path: string, init?: RequestInit) => Promise<Response> {
  const headers = authHeaders(app.runtime);
  return (path, init = {}) =>
    fetch(`${app.url}${path}`, {
      ...init,
      headers: { ...headers, ...(init.headers as Record<string, string> | undefined) },
    });
}

/** Decodes a PNG to RGBA, as a viewer of /api/signs/{id}/frame.png would see it. */
export function decodePng(png: Buffer): { width: number; height: number; rgba: Uint8ClampedArray } {
  const image = new Image();
  image.src = png;
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  return { width: image.width, height: image.height, rgba: ctx.getImageData(0, 0, image.width, image.height).data };
}

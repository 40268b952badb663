import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { ConfigError, loadConfig } from './config.ts';
import { Runtime } from './runtime.ts';
import { PlaylistFileError } from './schedule/playlist-file.ts';
import { MigrationError } from './store/database.ts';
import { VERSION } from './version.ts';

/** How long shutdown may take before Skylt exits anyway. */
const SHUTDOWN_BOUND_MS = 5000;
/** How long the HTTP side waits at most for the signs' first frames before it loads anyway. */
const SIGNS_FIRST_MS = 1500;

/** Starts Skylt from the environment; resolves once it listens. Exits with a clear message on bad config. */
export async function startSkylt(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (error: unknown) {
    return fail(error);
  }
  const log = pino({ level: config.logLevel, base: { app: 'skylt' } });
  let runtime: Runtime;
  try {
    mkdirSync(config.dataDir, { recursive: true });
    runtime = new Runtime(config, { log });
  } catch (error: unknown) {
    return fail(error);
  }
  // The pid file lets `skylt restore` refuse to swap the database under a running Skylt.
  const pidFile = join(config.dataDir, 'skylt.pid');
  writeFileSync(pidFile, String(process.pid));
  // From here a signal stops Skylt in order (the signs are told), also while the HTTP side is still loading.
  let app: FastifyInstance | null = null;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping');
    const force = setTimeout(() => {
      log.error('shutdown took too long; exiting anyway');
      process.exit(1);
    }, SHUTDOWN_BOUND_MS);
    force.unref();
    void (async () => {
      await app?.close().catch(() => undefined);
      await runtime.stop();
      rmSync(pidFile, { force: true });
      log.info('stopped: signs told, database closed');
      process.exit(0);
    })();
  };
  process.once('SIGINT', () => shutdown('SIGINT'));
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  const confirmed = logWhenSignsConfirm(runtime, log);
  // The signs first: loading the HTTP side is most of the start-up, and on two cores it would slow the signs' first
  // frames. It loads once every sign has confirmed one, or after SIGNS_FIRST_MS when a sign is slow or away.
  runtime.start();
  // Not unref'd: with every sign away, this timer is what keeps the process alive until the HTTP side is up.
  let signsFirst: NodeJS.Timeout | undefined;
  await Promise.race([confirmed, new Promise((r) => (signsFirst = setTimeout(r, SIGNS_FIRST_MS)))]);
  clearTimeout(signsFirst);
  try {
    const { buildApp } = await import('./app.ts');
    app = await buildApp({ runtime, version: VERSION, logger: log.child({ part: 'http' }) });
  } catch (error: unknown) {
    await runtime.stop();
    return fail(error);
  }
  if (stopping) return;
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error: unknown) {
    await runtime.stop();
    return fail(
      new Error(
        `cannot listen on ${config.host}:${config.port}: ${(error as Error).message}. Set SKYLT_PORT to a free port.`,
      ),
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  console.log(
    `Skylt ${VERSION} is running at ${url}  (signs: ${config.signs.map((s) => `${s.id} via ${s.link}`).join(', ')}; data: ${config.dataDir})`,
  );
  console.log(
    `  health: ${url}/api/health   API docs: ${url}/docs   sign frames: ${url}/api/signs/${config.signs[0]?.id}/frame.png`,
  );
}

/**
 * One line when every sign has acknowledged its first PLAY: the moment Skylt is really on the road after a start
 * (the `startup` bench waits for it). The time is from the process's own start.
 */
function logWhenSignsConfirm(runtime: Runtime, log: pino.Logger): Promise<void> {
  const waiting = new Set(runtime.signs.keys());
  return new Promise((resolve) => {
    for (const [id, sign] of runtime.signs) {
      sign.controller.once('played', () => {
        waiting.delete(id);
        if (waiting.size > 0) return;
        log.info(
          { signs: [...runtime.signs.keys()], msSinceStart: Math.round(performance.now()) },
          'every sign confirmed its first frame',
        );
        resolve();
      });
    }
  });
}

function fail(error: unknown): never {
  const known = error instanceof ConfigError || error instanceof PlaylistFileError || error instanceof MigrationError;
  console.error(
    `skylt: ${known ? (error as Error).message : `could not start: ${error instanceof Error ? error.message : String(error)}`}`,
  );
  process.exit(1);
}

if (import.meta.url === `file://${process.argv[1]}`) await startSkylt();

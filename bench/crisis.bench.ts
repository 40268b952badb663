/**
 * Crisis takeover latency. takeover_ms_*: POST /api/crisis to both virtual signs confirmed (ACK +
 * STATUS read-back of the generic crisis slot). feed_*_to_sign_ms_p50: an alert published on a local
 * feed server (SR VMA shape) to both signs confirmed, by push (SSE) and by polling. The anchor: IRIS
 * polls its CAP feed every 60 s.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { Runtime } from '../src/runtime.ts';
import type { CrisisRecord } from '../src/store/crisis-repository.ts';
import { buildEmulator, Emulator, haveSocat, SocatPair } from '../tests/bridge/emulator.ts';
import { FeedReplayServer, fixture } from '../tests/crisis/feed-replay-server.ts';
import { type Benchmark, median, percentile } from './lib.ts';

const POLL_SECONDS = 2;

async function startSkylt(env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), 'skylt-bench-crisis-'));
  const config = loadConfig({
    SKYLT_DATA_DIR: dataDir,
    SKYLT_PORT: '0',
    SKYLT_VMA_URL: 'off',
    SKYLT_ADMIN_PASSWORD: 'bench-admin-password',
    ...env,
  });
  const runtime = new Runtime(config, { log: pino({ level: 'silent' }) });
  const app = await buildApp({ runtime, version: 'bench', logger: false });
  runtime.start();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  // Wait until both signs run the playlist and hold the generic crisis frame in its slot.
  for (;;) {
    let ready = true;
    for (const s of runtime.signs.values()) {
      if (!s.controller.heldLease('fallback')) ready = false;
      else if ((await s.controller.readBack(1)).queryValid !== 1) ready = false;
    }
    if (ready) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  // A communicator's API token, as an integration would use.
  const { token } = runtime.workflow.accounts.createToken(
    { name: 'bench', organisation: 'kommun', role: 'communicator' },
    { username: 'bench', organisation: 'kommun', role: 'admin' },
  );
  return {
    runtime,
    url,
    auth: { authorization: `Bearer ${token}` },
    async close() {
      await app.close();
      await runtime.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The fixture alert, made current and unique, so the policy takes it as a new Actual alert for Vara. */
function freshAlert(n: number, msgType: 'Alert' | 'Cancel' = 'Alert'): string {
  const now = Date.now();
  const doc = JSON.parse(fixture(msgType === 'Alert' ? 'sr-vma-vara-alert.json' : 'sr-vma-vara-cancel.json')) as {
    alerts: Array<Record<string, unknown> & { info: Array<Record<string, unknown>> | null }>;
  };
  for (const a of doc.alerts) {
    a.identifier = `BENCH${n}${msgType}`;
    a.incidents = `BENCH${n}`;
    a.sent = new Date(now).toISOString();
    if (msgType === 'Cancel') a.references = `https://vmaapi.sr.se,BENCH${n}Alert,${new Date(now).toISOString()}`;
    for (const i of a.info ?? []) i.expires = new Date(now + 3_600_000).toISOString();
  }
  return JSON.stringify(doc);
}

function confirmedOnBoth(runtime: Runtime, alertId: string): Promise<void> {
  return new Promise((resolve) => {
    const check = (c: CrisisRecord) => {
      if (c.alertId !== alertId) return;
      const confirmed = c.signIds.every((id) => c.confirmations[id]?.genericMs != null);
      if (confirmed && c.signIds.length === runtime.signs.size) {
        runtime.crisis.off('changed', check);
        resolve();
      }
    };
    runtime.crisis.on('changed', check);
  });
}

async function feedLatency(push: boolean, rounds: number): Promise<number[]> {
  const server = await FeedReplayServer.start();
  server.serveJson('/api/v3/alerts', { alerts: [] });
  if (push) server.enableSse('/api/v3/subscribe');
  const skylt = await startSkylt({
    SKYLT_VMA_URL: `${server.url}/api/v3`,
    SKYLT_VMA_PUSH: push ? 'on' : 'off',
    SKYLT_FEED_POLL_SECONDS: push ? '3600' : String(POLL_SECONDS),
  });
  if (push) await server.waitForSseClients('/api/v3/subscribe', 1);
  const out: number[] = [];
  for (let n = 0; n < rounds; n++) {
    const id = `BENCH${push ? 'P' : 'Q'}${n}`;
    const body = freshAlert(Number.parseInt(String(n), 10)).replaceAll(`BENCH${n}`, id);
    const done = confirmedOnBoth(skylt.runtime, `${id}Alert`);
    // Publish at a random moment within the poll interval, as a real alert would arrive.
    if (!push) await new Promise((r) => setTimeout(r, Math.random() * POLL_SECONDS * 1000));
    const t0 = performance.now();
    server.serve('/api/v3/alerts', { body, headers: { 'content-type': 'application/json' } });
    if (push) server.pushEvent('/api/v3/subscribe', { data: body, id: String(n) });
    await done;
    out.push(performance.now() - t0);
    const active = skylt.runtime.crisis.active();
    if (active) await skylt.runtime.crisis.end(active.id, 'bench', 'all-clear');
    server.serveJson('/api/v3/alerts', { alerts: [] });
  }
  await skylt.close();
  await server.close();
  return out;
}

/** POST /api/crisis, then the all-clear, `rounds` times; the server's measured takeover for each. */
async function takeovers(skylt: Awaited<ReturnType<typeof startSkylt>>, rounds: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const res = await fetch(`${skylt.url}/api/crisis`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...skylt.auth },
      body: JSON.stringify({ template: i % 2 ? 'gas' : 'vma-p4' }),
    });
    const crisis = (await res.json()) as { id: string; takeoverMs: number | null };
    if (res.status !== 201 || crisis.takeoverMs == null)
      throw new Error(`takeover not confirmed: ${JSON.stringify(crisis)}`);
    out.push(crisis.takeoverMs);
    await fetch(`${skylt.url}/api/crisis/${crisis.id}/end`, { method: 'POST', headers: skylt.auth });
  }
  return out;
}

/**
 * The same takeover with both signs being the C host bridge on socat pseudo-terminals, the link paced
 * to 115200 baud (11520 bytes/s) in Skylt's serial transport.
 */
async function serialTakeovers(rounds: number): Promise<number[]> {
  const built = buildEmulator();
  if (!built.ok || !haveSocat())
    throw new Error(`the serial takeover needs the C emulator and socat: ${built.ok ? 'no socat' : built.reason}`);
  const dir = mkdtempSync(join(tmpdir(), 'skylt-bench-serial-'));
  const parts: Array<{ pair: SocatPair; sign: Emulator }> = [];
  const signs = [];
  for (const [id, direction, facing] of [
    ['E20-N', 'northbound', 'towards Skara/Örebro'],
    ['E20-S', 'southbound', 'towards Vårgårda/Göteborg'],
  ] as const) {
    const pair = new SocatPair(mkdtempSync(join(dir, `${id}-`)));
    await pair.start();
    const sign = await Emulator.start({ link: { tty: pair.a }, width: 384, height: 192 });
    parts.push({ pair, sign });
    signs.push({
      id,
      name: id,
      direction,
      facing,
      lat: 58.267,
      lon: 12.95,
      width: 384,
      height: 192,
      pixelPitchMm: 16,
      pixelFormat: 'rgb888',
      link: `serial:${pair.b}?baud=115200&pace=11520`,
    });
  }
  const config = join(dir, 'signs.json');
  writeFileSync(config, JSON.stringify({ signs }));
  const skylt = await startSkylt({ SKYLT_CONFIG: config });
  try {
    return await takeovers(skylt, rounds);
  } finally {
    await skylt.close();
    for (const p of parts) {
      await p.sign.stop();
      await p.pair.kill();
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

export default {
  name: 'crisis',
  async run() {
    const skylt = await startSkylt({});
    const takeover = await takeovers(skylt, 40);
    await skylt.close();
    const serial = await serialTakeovers(30);
    const pushed = await feedLatency(true, 15);
    const polled = await feedLatency(false, 6);
    return {
      takeover_ms_p50: median(takeover),
      takeover_ms_p99: percentile(takeover, 99),
      takeover_serial_ms_p50: median(serial),
      takeover_serial_ms_p99: percentile(serial, 99),
      feed_push_to_sign_ms_p50: median(pushed),
      feed_poll_to_sign_ms_p50: median(polled),
      feed_poll_interval_s: POLL_SECONDS,
    };
  },
} satisfies Benchmark;

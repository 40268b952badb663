import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/crisis/alert.ts';
import { parseRetryAfter } from '../../src/crisis/feed-http.ts';
import { type BackoffConfig, backoffDelay, FeedPoller, type FeedPollerOptions } from '../../src/crisis/feed-poller.ts';
import { capAdapter } from '../../src/crisis/feeds/cap-adapter.ts';
import { srVmaAdapter } from '../../src/crisis/feeds/sr-vma-adapter.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { ManualTimers, recordingLog } from './crisis-test-kit.ts';
import { FeedReplayServer, fixture } from './feed-replay-server.ts';

const T0 = Date.parse('2026-03-02T09:15:00Z');
const BACKOFF: BackoffConfig = { initialMs: 10_000, maxMs: 80_000, factor: 2, jitter: 0 };
const PATH = '/api/v3/alerts';

let server: FeedReplayServer;
let clock: ManualClock;
let timers: ManualTimers;
let received: Alert[][];
let pollers: FeedPoller[];

beforeEach(async () => {
  server = await FeedReplayServer.start();
  clock = new ManualClock(T0);
  timers = new ManualTimers();
  received = [];
  pollers = [];
});

afterEach(async () => {
  await Promise.all(pollers.map((p) => p.stop()));
  await server.close();
});

function poller(extra: Partial<FeedPollerOptions> = {}): FeedPoller {
  const p = new FeedPoller({
    name: 'sr-vma:1470',
    url: `${server.url}${PATH}?geocode=1470`,
    adapter: srVmaAdapter(),
    intervalMs: 30_000,
    clock,
    timers,
    backoff: BACKOFF,
    timeoutMs: 2_000,
    onAlerts: (alerts) => received.push(alerts),
    ...extra,
  });
  pollers.push(p);
  return p;
}

describe('FeedPoller against a local feed server', () => {
  it('fetches, parses and reports alerts, then schedules the next poll at the interval', async () => {
    server.serveFixture(PATH, 'sr-vma-vara-alert.json');
    const p = poller();
    p.start();
    expect(timers.pendingDelays).toEqual([0]);
    const outcome = await p.pollNow();
    expect(outcome).toMatchObject({ ok: true, notModified: false, error: null });
    expect(received.flat().map((a) => a.id)).toEqual(['SRVMA20260302101200A']);
    expect(p.health()).toMatchObject({
      name: 'sr-vma:1470',
      kind: 'poll',
      lastOk: T0,
      lastError: null,
      consecutiveFailures: 0,
      nextPollAt: T0 + 30_000,
      lastAlertCount: 1,
    });
    expect(timers.pendingDelays).toEqual([30_000]);
    const [request] = server.requestsTo(PATH);
    expect(request?.query).toBe('?geocode=1470');
    expect(request?.headers['user-agent']).toMatch(/^Skylt/);
  });

  it('honours 429 Retry-After, in seconds and as an HTTP date', async () => {
    server.serveFixture(PATH, 'sr-vma-vara-alert.json');
    server.failNext(
      PATH,
      { status: 429, headers: { 'retry-after': '120' } },
      { status: 429, headers: { 'retry-after': new Date(T0 + 300_000).toUTCString() } },
    );
    const p = poller();
    p.start();
    const first = await p.pollNow();
    expect(first.error).toMatchObject({ kind: 'rate-limited', status: 429 });
    expect(p.health()).toMatchObject({ consecutiveFailures: 1, nextPollAt: T0 + 120_000 });
    const second = await p.pollNow();
    expect(second.ok).toBe(false);
    // The date says 300 s; the exponential back-off (20 s) is shorter, so the header wins.
    expect(p.health()).toMatchObject({ consecutiveFailures: 2, nextPollAt: T0 + 300_000 });
    await p.pollNow();
    expect(p.health()).toMatchObject({ consecutiveFailures: 0, nextPollAt: T0 + 30_000 });
    expect(received).toHaveLength(1);
  });

  it('caps an excessive Retry-After so a crisis feed is never silent for hours', async () => {
    server.failNext(PATH, { status: 429, headers: { 'retry-after': '86400' } });
    const p = poller({ maxRetryAfterMs: 600_000 });
    p.start();
    await p.pollNow();
    expect(p.health().nextPollAt).toBe(T0 + 600_000);
  });

  it('backs off exponentially on 5xx and malformed JSON, records health, then recovers', async () => {
    const log = recordingLog();
    server.serveFixture(PATH, 'sr-vma-vara-alert.json');
    server.failNext(
      PATH,
      { status: 500, body: 'Internal Server Error' },
      { status: 503 },
      { status: 200, headers: { 'content-type': 'application/json' }, body: '{"alerts": [{"identifier": ' },
      { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>maintenance</html>' },
      { status: 200, body: '{"unexpected": true}' },
    );
    const p = poller({ log });
    p.start();
    const delays: number[] = [];
    const kinds: string[] = [];
    for (let i = 0; i < 5; i++) {
      const outcome = await p.pollNow();
      expect(outcome.ok).toBe(false);
      kinds.push(outcome.error?.kind ?? '');
      delays.push((p.health().nextPollAt ?? 0) - T0);
    }
    expect(kinds).toEqual(['http', 'http', 'malformed', 'malformed', 'shape']);
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 80_000]);
    expect(p.health()).toMatchObject({ consecutiveFailures: 5, lastOk: null });
    expect(p.health().lastError?.message).toContain('expected {"alerts": [...]}');
    expect(log.lines.filter((l) => l.level === 'warn')).toHaveLength(5);
    expect(received).toEqual([]);

    clock.advance(80_000);
    expect((await p.pollNow()).ok).toBe(true);
    expect(p.health()).toMatchObject({ consecutiveFailures: 0, lastOk: T0 + 80_000, nextPollAt: T0 + 110_000 });
    // The last error stays visible for the operator.
    expect(p.health().lastError?.kind).toBe('shape');
  });

  it('times out a feed that does not answer, and one that hangs mid-body', async () => {
    server.failNext(PATH, { hang: true }, { hangAfter: '{"timestamp": "2026-03-02T10:15:04+01:00", "alerts": [' });
    const p = poller({ timeoutMs: 150 });
    p.start();
    const started = Date.now();
    const outcome = await p.pollNow();
    expect(outcome.error).toMatchObject({ kind: 'timeout' });
    expect(outcome.error?.message).toContain('150 ms');
    expect(Date.now() - started).toBeLessThan(1_500);
    expect((await p.pollNow()).error?.kind).toBe('timeout');
    expect(p.health().consecutiveFailures).toBe(2);
  });

  it('reports a refused connection as a network failure', async () => {
    const closed = await FeedReplayServer.start();
    const url = `${closed.url}/x`;
    await closed.close();
    const p = poller({ url });
    p.start();
    expect((await p.pollNow()).error?.kind).toBe('network');
  });

  it('uses ETag: a 304 is a healthy poll with nothing new', async () => {
    server.serveFixture(PATH, 'sr-vma-vara-alert.json', { etag: '"v1"' });
    const p = poller();
    p.start();
    await p.pollNow();
    const second = await p.pollNow();
    expect(second).toMatchObject({ ok: true, notModified: true, alerts: [] });
    expect(server.requestsTo(PATH)[1]?.headers['if-none-match']).toBe('"v1"');
    expect(received).toHaveLength(1);
    expect(p.health().lastAlertCount).toBe(1);
  });

  it('joins a poll already in flight instead of starting a second one', async () => {
    server.serveFixture(PATH, 'sr-vma-vara-alert.json', { delayMs: 50 });
    const p = poller();
    const [a, b] = await Promise.all([p.pollNow(), p.pollNow()]);
    expect(a).toBe(b);
    expect(server.requestsTo(PATH)).toHaveLength(1);
  });

  it('keeps polling when the alert handler throws', async () => {
    const log = recordingLog();
    server.serveFixture(PATH, 'sr-vma-vara-alert.json');
    const p = poller({
      log,
      onAlerts: () => {
        throw new Error('crisis state unavailable');
      },
    });
    p.start();
    expect((await p.pollNow()).ok).toBe(true);
    expect(p.health().nextPollAt).toBe(T0 + 30_000);
    expect(log.lines.some((l) => l.level === 'error')).toBe(true);
  });

  it('refuses a runaway body', async () => {
    server.serve(PATH, { body: 'x'.repeat(10_000) });
    const p = poller({ maxBytes: 1_000 });
    expect((await p.pollNow()).error?.kind).toBe('too-large');
  });

  it('stop() aborts a poll in flight without recording a failure', async () => {
    server.failNext(PATH, { hang: true });
    const p = poller();
    p.start();
    const outcome = p.pollNow();
    await server.waitForRequests(PATH, 1);
    await p.stop();
    expect((await outcome).error?.kind).toBe('aborted');
    expect(p.health()).toMatchObject({ consecutiveFailures: 0, nextPollAt: null });
  });

  it('follows Atom entries that link to CAP documents, once per entry version', async () => {
    const atom = (updated: string) => `<?xml version="1.0"?>
      <feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>
        <entry><id>1</id><updated>${updated}</updated><link type="application/cap+xml" href="/cap/vara.xml"/></entry>
        <entry><id>2</id><updated>${updated}</updated><link type="application/cap+xml" href="/cap/broken.xml"/></entry>
      </feed>`;
    server.serve('/feed.atom', { body: atom('2026-07-14T09:30:00+02:00') });
    server.serveFixture('/cap/vara.xml', 'cap-vara.xml');
    server.serve('/cap/broken.xml', { status: 500 });
    const p = poller({ url: `${server.url}/feed.atom`, adapter: capAdapter() });
    const first = await p.pollNow();
    expect(first.ok).toBe(true);
    expect(first.alerts.map((a) => a.id)).toEqual(['VARA-KOMMUN-2026-07-14-001']);
    await p.pollNow();
    expect(server.requestsTo('/cap/vara.xml')).toHaveLength(1);
    // The broken document is retried each poll; it does not make the feed unhealthy.
    expect(server.requestsTo('/cap/broken.xml')).toHaveLength(2);
    expect(p.health().consecutiveFailures).toBe(0);
    server.serve('/feed.atom', { body: atom('2026-07-14T10:00:00+02:00') });
    await p.pollNow();
    expect(server.requestsTo('/cap/vara.xml')).toHaveLength(2);
  });

  it('slows down and speeds up with setIntervalMs (push up / push down)', async () => {
    server.serveFixture(PATH, 'sr-vma-test.json');
    const p = poller();
    p.start();
    await p.pollNow();
    p.setIntervalMs(Number.POSITIVE_INFINITY);
    await p.pollNow();
    expect(p.health().nextPollAt).toBeNull();
    expect(timers.pendingDelays).toEqual([]);
    p.setIntervalMs(30_000);
    expect(p.health().nextPollAt).toBe(T0 + 30_000);
  });
});

describe('back-off arithmetic', () => {
  it('doubles from the initial delay up to the cap, with bounded jitter', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelay(n, BACKOFF))).toEqual([
      10_000, 20_000, 40_000, 80_000, 80_000, 80_000,
    ]);
    const jittered = { ...BACKOFF, jitter: 0.1 };
    expect(backoffDelay(1, jittered, () => 0)).toBe(9_000);
    expect(backoffDelay(1, jittered, () => 1)).toBe(11_000);
  });

  it('parses Retry-After seconds and dates', () => {
    expect(parseRetryAfter('120', T0)).toBe(120_000);
    expect(parseRetryAfter(new Date(T0 + 5_000).toUTCString(), T0)).toBe(5_000);
    expect(parseRetryAfter(new Date(T0 - 5_000).toUTCString(), T0)).toBe(0);
    expect(parseRetryAfter('soon', T0)).toBeNull();
    expect(parseRetryAfter(null, T0)).toBeNull();
  });
});

// Keeps the fixture loader honest about where the shared payloads are.
it('finds the shared fixtures', () => {
  expect(fixture('sr-vma-vara-cancel.json')).toContain('"info": null');
});

// End to end for the automatic half of issue 7: every shared fixture is served from a local HTTP server, fetched
// by the real HTTP client, normalised, matched against the Vara signs and decided by the default policy.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CrisisDecision } from '../../src/crisis/crisis-policy.ts';
import { CrisisFeedConfig, type CrisisFeedConfigInput } from '../../src/crisis/feed-config.ts';
import { FeedMonitor, type FeedMonitorOptions } from '../../src/crisis/feed-monitor.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { eventually, recordingLog, VARA_SIGN_IDS, VARA_SIGNS } from './crisis-test-kit.ts';
import { FeedReplayServer, fixture } from './feed-replay-server.ts';

const VMA = '/api/v3/alerts';
const SUBSCRIBE = '/api/v3/subscribe';
const KRISINFO = '/krisinfo/v3/news';
const SMHI = '/ibww/api/version/1/warning.json';
const CAP = '/cap/vara.xml';
const EMPTY_VMA = { timestamp: '2026-03-02T10:00:00+01:00', alerts: [] };

let server: FeedReplayServer;
let monitors: FeedMonitor[];
let decisions: CrisisDecision[];
let log: ReturnType<typeof recordingLog>;

beforeEach(async () => {
  server = await FeedReplayServer.start();
  monitors = [];
  decisions = [];
  log = recordingLog();
});

afterEach(async () => {
  await Promise.all(monitors.map((m) => m.stop()));
  await server.close();
});

/** A monitor with only the given feeds pointed at the replay server. */
function monitor(
  feeds: { vma?: boolean; push?: boolean; krisinfo?: boolean; smhi?: boolean; cap?: boolean },
  at: string,
  config: Partial<CrisisFeedConfigInput> = {},
  extra: Partial<FeedMonitorOptions> = {},
): { monitor: FeedMonitor; clock: ManualClock } {
  const clock = new ManualClock(Date.parse(at));
  const m = new FeedMonitor({
    config: CrisisFeedConfig.parse({
      vmaUrl: feeds.vma ? `${server.url}/api/v3` : null,
      vmaPush: feeds.push ?? false,
      krisinfoUrl: feeds.krisinfo ? `${server.url}/krisinfo/v3` : null,
      smhiUrl: feeds.smhi ? `${server.url}/ibww/api/version/1` : null,
      capUrls: feeds.cap ? [`${server.url}${CAP}`] : [],
      backoff: { initialMs: 20, maxMs: 200, jitter: 0 },
      ...config,
    }),
    signs: VARA_SIGNS,
    clock,
    log,
    onDecision: (d) => decisions.push(d),
    ...extra,
  });
  monitors.push(m);
  return { monitor: m, clock };
}

const summary = (list: CrisisDecision[]) => list.map((d) => [d.action, d.alert.id, d.signIds]);

describe('every shared fixture through the real HTTP client (fixtures README outcomes)', () => {
  it('sr-vma-vara-alert -> update -> cancel: takeover of both signs, update, end', async () => {
    const { monitor: m, clock } = monitor({ vma: true }, '2026-03-02T09:15:00Z');
    server.serveFixture(VMA, 'sr-vma-vara-alert.json');
    await m.pollAll();
    expect(summary(decisions)).toEqual([['takeover', 'SRVMA20260302101200A', VARA_SIGN_IDS]]);
    expect(server.requestsTo(VMA)[0]?.query).toBe('');

    clock.set(Date.parse('2026-03-02T10:05:10Z'));
    server.serveFixture(VMA, 'sr-vma-vara-update.json');
    await m.pollAll();
    expect(decisions[1]).toMatchObject({ action: 'update', signIds: VARA_SIGN_IDS });
    expect(decisions[1]?.alert.headline).toBe('Brand i Vara: röken sprids mot Skara');

    clock.set(Date.parse('2026-03-02T12:30:02Z'));
    server.serveFixture(VMA, 'sr-vma-vara-cancel.json');
    await m.pollAll();
    expect(decisions[2]).toMatchObject({ action: 'end', signIds: VARA_SIGN_IDS });
    expect(decisions[2]?.alert.references.map((r) => r.id)).toEqual(['SRVMA20260302101200A', 'SRVMA20260302110400U']);
    expect(decisions).toHaveLength(3);
  });

  it('sr-vma-test: ignored because of status Test, and logged', async () => {
    const { monitor: m } = monitor({ vma: true }, '2026-03-02T14:00:05Z');
    server.serveFixture(VMA, 'sr-vma-test.json');
    await m.pollAll();
    expect(summary(decisions)).toEqual([['ignore', 'SRVMA20260302150000T', []]]);
    expect(log.lines.some((l) => l.msg.includes('ignored') && l.msg.includes('status Test'))).toBe(true);
  });

  it('sr-vma-other-kommun: ignored, Borås is not Vara, and logged', async () => {
    const { monitor: m } = monitor({ vma: true }, '2026-04-11T06:27:00Z');
    server.serveFixture(VMA, 'sr-vma-other-kommun.json');
    await m.pollAll();
    expect(summary(decisions)).toEqual([['ignore', 'SRVMA20260411082600A', []]]);
    expect(log.lines.some((l) => l.msg.includes('out of area (Borås kommun'))).toBe(true);
  });

  it('krisinformation-news: first item proposed for county 14, second ignored', async () => {
    const { monitor: m } = monitor({ krisinfo: true }, '2026-01-17T06:10:00Z');
    server.serveFixture(KRISINFO, 'krisinformation-news.json');
    await m.pollAll();
    expect(summary(decisions)).toEqual([
      ['ignore', 'KRI-2026-0117-0043', []],
      ['propose', 'KRI-2026-0117-0042', VARA_SIGN_IDS],
    ]);
    expect(decisions[1]?.alert.headline).toBe('Snöstorm: E20 avstängd mellan Vårgårda och Vara');
    expect(decisions[1]?.alert.credit).toBe('Krisinformation.se');
    expect(server.requestsTo(KRISINFO)[0]?.query).toBe('?counties=14');
  });

  it('smhi-warnings: orange warning proposed, its polygon covers Vara', async () => {
    const { monitor: m } = monitor({ smhi: true }, '2026-01-17T05:00:00Z');
    server.serveFixture(SMHI, 'smhi-warnings.json');
    await m.pollAll();
    expect(summary(decisions)).toEqual([['propose', '8841-15522', VARA_SIGN_IDS]]);
    expect(decisions[0]?.alert.level).toBe('ORANGE');
  });

  it('cap-vara: proposed by default, taken over when the CAP policy says so', async () => {
    const { monitor: m } = monitor({ cap: true }, '2026-07-14T07:35:00Z');
    server.serveFixture(CAP, 'cap-vara.xml');
    await m.pollAll();
    expect(summary(decisions)).toEqual([['propose', 'VARA-KOMMUN-2026-07-14-001', VARA_SIGN_IDS]]);
    expect(decisions[0]?.reason).toContain('polygon');

    const { monitor: takeover } = monitor({ cap: true }, '2026-07-14T07:35:00Z', {
      policy: { sources: { cap: { onAlert: 'takeover' } } },
    });
    await takeover.pollAll();
    expect(decisions[1]).toMatchObject({ action: 'takeover', signIds: VARA_SIGN_IDS });
  });
});

describe('dedupe and in-place updates', () => {
  it('decides each alert once, however often it is polled, even with Alert and Update in one payload', async () => {
    const { monitor: m } = monitor({ vma: true }, '2026-03-02T10:05:10Z');
    const alert = JSON.parse(fixture('sr-vma-vara-alert.json')).alerts[0];
    const update = JSON.parse(fixture('sr-vma-vara-update.json')).alerts[0];
    // Newest first, as a feed lists them: the monitor still applies them oldest first.
    server.serveJson(VMA, { timestamp: '2026-03-02T11:05:10+01:00', alerts: [update, alert] });
    await m.pollAll();
    await m.pollAll();
    await m.pollAll();
    expect(summary(decisions)).toEqual([
      ['takeover', 'SRVMA20260302101200A', VARA_SIGN_IDS],
      ['update', 'SRVMA20260302110400U', VARA_SIGN_IDS],
    ]);
  });

  it('turns an in-place change of a proposed Krisinformation item into an update', async () => {
    const { monitor: m } = monitor({ krisinfo: true }, '2026-01-17T06:10:00Z');
    const items = JSON.parse(fixture('krisinformation-news.json'));
    server.serveJson(KRISINFO, [items[0]]);
    await m.pollAll();
    server.serveJson(KRISINFO, [
      { ...items[0], Updated: '2026-01-17T07:30:00+01:00', Headline: 'E20 &ouml;ppnad igen' },
    ]);
    await m.pollAll();
    expect(decisions.map((d) => [d.action, d.alert.msgType, d.alert.headline])).toEqual([
      ['propose', 'Alert', 'Snöstorm: E20 avstängd mellan Vårgårda och Vara'],
      ['update', 'Update', 'E20 öppnad igen'],
    ]);
  });

  it('re-judges an SMHI warning raised from yellow to orange', async () => {
    const { monitor: m } = monitor({ smhi: true }, '2026-01-17T05:00:00Z');
    const warnings = JSON.parse(fixture('smhi-warnings.json'));
    const area = warnings[0].warningAreas[0];
    server.serveJson(SMHI, [
      { ...warnings[0], warningAreas: [{ ...area, warningLevel: { sv: 'Gul', en: 'Yellow', code: 'YELLOW' } }] },
    ]);
    await m.pollAll();
    server.serveJson(SMHI, [{ ...warnings[0], warningAreas: [{ ...area, published: '2026-01-17T04:30:00.000Z' }] }]);
    await m.pollAll();
    expect(decisions.map((d) => [d.action, d.alert.level])).toEqual([
      ['ignore', 'YELLOW'],
      ['propose', 'ORANGE'],
    ]);
  });

  it('does not decide again what was handled before a restart', async () => {
    const { monitor: m } = monitor(
      { vma: true },
      '2026-03-02T09:15:00Z',
      {},
      {
        seenAlertKeys: ['sr-vma|SRVMA20260302101200A|Alert'],
      },
    );
    server.serveFixture(VMA, 'sr-vma-vara-alert.json');
    await m.pollAll();
    expect(decisions).toEqual([]);
  });

  it('takes over on an Update whose Alert was missed, and ends it on the Cancel', async () => {
    const { monitor: m, clock } = monitor({ vma: true }, '2026-03-02T10:05:10Z');
    server.serveFixture(VMA, 'sr-vma-vara-update.json');
    await m.pollAll();
    expect(decisions[0]).toMatchObject({ action: 'takeover', signIds: VARA_SIGN_IDS });
    expect(decisions[0]?.reason).toContain('judged as new');
    clock.set(Date.parse('2026-03-02T12:30:02Z'));
    server.serveFixture(VMA, 'sr-vma-vara-cancel.json');
    await m.pollAll();
    expect(decisions.map((d) => d.action)).toEqual(['takeover', 'end']);
  });

  it('passes on a Cancel after a restart, when only the crisis state knows the crisis', async () => {
    const { monitor: m } = monitor({ vma: true }, '2026-03-02T12:30:02Z');
    server.serveFixture(VMA, 'sr-vma-vara-cancel.json');
    await m.pollAll();
    expect(decisions.map((d) => d.action)).toEqual(['end']);
    expect(decisions[0]?.reason).toContain('none known to be active');
  });

  it('resolves a Cancel against crises the crisis state reports as active', async () => {
    const { monitor: m } = monitor(
      { vma: true },
      '2026-03-02T12:30:02Z',
      {},
      {
        activeAlertIds: () => ['SRVMA20260302101200A'],
      },
    );
    server.serveFixture(VMA, 'sr-vma-vara-cancel.json');
    await m.pollAll();
    expect(summary(decisions)).toEqual([['end', 'SRVMA20260302132900C', VARA_SIGN_IDS]]);
  });
});

describe('feed failures', () => {
  it('never ends a running crisis on an outage, and shows the failure in health', async () => {
    const { monitor: m, clock } = monitor({ vma: true }, '2026-03-02T09:15:00Z');
    server.serveFixture(VMA, 'sr-vma-vara-alert.json');
    await m.pollAll();
    expect(decisions.map((d) => d.action)).toEqual(['takeover']);

    server.failNext(
      VMA,
      { status: 500 },
      { status: 429, headers: { 'retry-after': '60' } },
      { body: '{"alerts": [ {' },
      { reset: true },
    );
    for (let i = 0; i < 4; i++) {
      clock.advance(1_000);
      await m.pollAll();
    }
    const [vma] = m.health();
    expect(vma).toMatchObject({
      name: 'sr-vma:alerts',
      consecutiveFailures: 4,
      lastOk: Date.parse('2026-03-02T09:15:00Z'),
    });
    expect(vma?.lastError?.kind).toBe('network');

    // The alert disappears from a healthy feed: still no 'end' (only a Cancel or expiry ends a crisis).
    server.serveJson(VMA, EMPTY_VMA);
    await m.pollAll();
    expect(m.health()[0]?.consecutiveFailures).toBe(0);
    expect(decisions.map((d) => d.action)).toEqual(['takeover']);
  });

  it('keeps running when the decision handler throws', async () => {
    const { monitor: m } = monitor(
      { vma: true },
      '2026-03-02T09:15:00Z',
      {},
      {
        onDecision: () => {
          throw new Error('database locked');
        },
      },
    );
    server.serveFixture(VMA, 'sr-vma-vara-alert.json');
    await m.pollAll();
    expect(m.health()[0]?.consecutiveFailures).toBe(0);
    expect(log.lines.some((l) => l.level === 'error' && l.msg.includes('decision handler failed'))).toBe(true);
  });

  it('lists every configured feed in health', () => {
    const { monitor: m } = monitor(
      { vma: true, push: true, krisinfo: true, smhi: true, cap: true },
      '2026-03-02T09:15:00Z',
    );
    expect(m.health().map((h) => [h.name, h.kind])).toEqual([
      ['sr-vma:alerts', 'poll'],
      ['krisinformation', 'poll'],
      ['smhi', 'poll'],
      ['cap:1', 'poll'],
      ['sr-vma:push', 'push'],
    ]);
  });
});

describe('SR VMA push', () => {
  it('takes over on a pushed alert, and polls on a pushed notification', async () => {
    server.enableSse(SUBSCRIBE);
    server.serveJson(VMA, EMPTY_VMA);
    const { monitor: m } = monitor({ vma: true, push: true }, '2026-03-02T09:15:00Z', {
      pollIntervalMs: 60_000,
      pushSafetyPollMs: 0,
    });
    m.start();
    await server.waitForSseClients(SUBSCRIBE, 1);
    // Start-up poll plus the catch-up poll when the stream opened.
    await server.waitForRequests(VMA, 2);
    await eventually(() => m.health()[0]?.nextPollAt === null, 2_000, 'polling to pause while pushed');

    server.pushEvent(SUBSCRIBE, { event: 'alert', id: '1', data: fixture('sr-vma-vara-alert.json') });
    await eventually(() => decisions.length === 1, 2_000, 'the pushed alert');
    expect(summary(decisions)).toEqual([['takeover', 'SRVMA20260302101200A', VARA_SIGN_IDS]]);

    // A bare notification: the monitor fetches the alerts itself.
    server.serveFixture(VMA, 'sr-vma-vara-update.json');
    server.pushEvent(SUBSCRIBE, { id: '2', data: { message: 'alerts changed' } });
    await eventually(() => decisions.length === 2, 2_000, 'the update fetched after a notification');
    expect(decisions[1]).toMatchObject({ action: 'update' });

    // Heartbeats and repeats change nothing.
    server.pushEvent(SUBSCRIBE, { event: 'ping', data: 'ping' });
    server.pushEvent(SUBSCRIBE, { event: 'alert', id: '3', data: fixture('sr-vma-vara-alert.json') });
    await new Promise((r) => setTimeout(r, 50));
    expect(decisions).toHaveLength(2);
    expect(m.health().find((h) => h.kind === 'push')).toMatchObject({ connected: true, consecutiveFailures: 0 });
  });

  it('falls back to polling while the stream is down, and reconnects', async () => {
    server.enableSse(SUBSCRIBE);
    server.serveJson(VMA, EMPTY_VMA);
    const { monitor: m } = monitor({ vma: true, push: true }, '2026-03-02T09:15:00Z', {
      pollIntervalMs: 30,
      pushSafetyPollMs: 0,
    });
    m.start();
    await server.waitForSseClients(SUBSCRIBE, 1);
    await eventually(() => m.health()[0]?.nextPollAt === null, 2_000, 'polling to pause while pushed');
    const whilePushed = server.requestsTo(VMA).length;

    // The stream goes down and stays refused for a while: polling takes over and finds the alert.
    server.failNext(SUBSCRIBE, ...Array.from({ length: 5 }, () => ({ status: 503 })));
    server.serveFixture(VMA, 'sr-vma-vara-alert.json');
    server.dropSseClients(SUBSCRIBE);
    await eventually(() => decisions.length === 1, 3_000, 'the alert by fallback polling');
    expect(decisions[0]).toMatchObject({ action: 'takeover', signIds: VARA_SIGN_IDS });
    await server.waitForRequests(VMA, whilePushed + 3, 3_000);

    // The stream comes back: polling pauses again.
    await server.waitForSseClients(SUBSCRIBE, 1, 3_000);
    await eventually(() => m.health()[0]?.nextPollAt === null, 2_000, 'polling to pause again');
    expect(decisions).toHaveLength(1);
  });
});

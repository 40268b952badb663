import { afterEach, describe, expect, it } from 'vitest';
import { frameToRgba } from '../../src/render/frame.ts';
import { renderCrisisPage, renderItemForSign } from '../../src/render/sign-page.ts';
import { FeedReplayServer, fixture, startFeedApp } from '../crisis/feed-replay-server.ts';
import type { TestApp } from '../helper.ts';
import { communicatorFetch, decodePng } from '../integration/app-helpers.ts';
import { waitFor } from '../signs/helpers.ts';

// The fixtures' own times: the policy ignores expired and stale alerts, so the clock stands where they were sent.
const VMA_DAY = Date.parse('2026-03-02T10:15:30+01:00');

let server: FeedReplayServer | null = null;
let app: TestApp | null = null;
afterEach(async () => {
  await app?.close();
  await server?.close();
  app = null;
  server = null;
});

async function start(env: Record<string, string>, at: number): Promise<TestApp> {
  app = await startFeedApp(env, at);
  return app;
}

interface CrisisState {
  active: boolean;
  crisis: {
    id: string;
    source: string;
    headline: string;
    instruction: string;
    state: string;
    confirmations: Record<string, { specificMs: number | null }>;
  } | null;
  proposals: Array<{ id: string; source: string; headline: string }>;
}
const clients = new WeakMap<TestApp, ReturnType<typeof communicatorFetch>>();
const api = (a: TestApp) => {
  if (!clients.has(a)) clients.set(a, communicatorFetch(a));
  return clients.get(a) as ReturnType<typeof communicatorFetch>;
};
const crisisState = async (a: TestApp) => (await (await api(a)('/api/crisis')).json()) as CrisisState;

async function mirrorEquals(a: TestApp, signId: string, expected: Uint8ClampedArray): Promise<boolean> {
  const png = Buffer.from(await (await fetch(`${a.url}/api/signs/${signId}/frame.png`)).arrayBuffer());
  return Buffer.from(decodePng(png).rgba).equals(Buffer.from(expected));
}

const bothShowCrisis = async (a: TestApp, text: { headline: string; instruction: string }) => {
  for (const [id, s] of a.runtime.signs)
    if (!(await mirrorEquals(a, id, frameToRgba(renderCrisisPage(text, s.surface))))) return false;
  return true;
};
const showsPlaylist = async (a: TestApp) => {
  for (const [id, s] of a.runtime.signs) {
    const item = a.runtime.playlistFile.items.find((i) => i.id === s.controller.heldLease('fallback')?.itemId);
    if (!item || !(await mirrorEquals(a, id, frameToRgba(renderItemForSign(item, s.surface))))) return false;
  }
  return true;
};
/** Both signs show the playlist, within a few of the runtime's ticks (250 ms apart in production). */
const bothShowPlaylist = (a: TestApp) =>
  waitFor('the playlist on both signs', async () => {
    await a.runtime.tick();
    return showsPlaylist(a);
  }).then(() => true);

describe('automatic crisis from SR VMA (fixtures over local HTTP, real client)', () => {
  it('alert takes over both signs, update replaces the text, cancel returns them to the playlist', async () => {
    server = await FeedReplayServer.start();
    server.serveFixture('/api/v3/alerts', 'sr-vma-vara-alert.json');
    const a = await start({ SKYLT_VMA_URL: `${server.url}/api/v3` }, VMA_DAY);

    const running = await waitFor('takeover', async () => {
      const s = await crisisState(a);
      return s.active && Object.values(s.crisis?.confirmations ?? {}).filter((c) => c.specificMs !== null).length === 2
        ? s.crisis
        : null;
    });
    expect(running.source).toBe('sr-vma');
    expect(running.headline).toBe('Brand i industribyggnad i Vara');
    expect(await bothShowCrisis(a, running)).toBe(true);

    server.serveFixture('/api/v3/alerts', 'sr-vma-vara-update.json');
    const updated = await waitFor('update', async () => {
      const s = await crisisState(a);
      return s.crisis && s.crisis.headline !== running.headline ? s.crisis : null;
    });
    expect(updated.id).toBe(running.id);
    await waitFor('both signs show the updated text', () => bothShowCrisis(a, updated));

    server.serveFixture('/api/v3/alerts', 'sr-vma-vara-cancel.json');
    await waitFor('cancel ends it', async () => !(await crisisState(a)).active);
    expect(await bothShowPlaylist(a)).toBe(true);
    const ended = a.runtime.crisis.get(running.id);
    expect(ended.endedReason).toMatch(/cancelled by sr-vma/);
  });

  it('never shows a Test message or an alert for another kommun', async () => {
    server = await FeedReplayServer.start();
    server.serveFixture('/api/v3/alerts', 'sr-vma-test.json');
    const a = await start({ SKYLT_VMA_URL: `${server.url}/api/v3` }, Date.parse('2026-03-02T15:00:30+01:00'));
    await server.waitForRequests('/api/v3/alerts', 3);
    server.serveFixture('/api/v3/alerts', 'sr-vma-other-kommun.json');
    const seen = server.requestsTo('/api/v3/alerts').length;
    await server.waitForRequests('/api/v3/alerts', seen + 3);
    const s = await crisisState(a);
    expect(s.active).toBe(false);
    expect(s.proposals).toEqual([]);
    expect(await bothShowPlaylist(a)).toBe(true);
  });

  it('a feed outage during a crisis neither crashes Skylt nor ends the crisis, and shows in health', async () => {
    server = await FeedReplayServer.start();
    server.serveFixture('/api/v3/alerts', 'sr-vma-vara-alert.json');
    const a = await start({ SKYLT_VMA_URL: `${server.url}/api/v3` }, VMA_DAY);
    const running = await waitFor('takeover', async () => (await crisisState(a)).crisis);
    server.failNext(
      '/api/v3/alerts',
      { status: 503 },
      { status: 500 },
      { status: 429, headers: { 'retry-after': '1' } },
      { body: '{"alerts": [' },
      { reset: true },
    );
    server.serve('/api/v3/alerts', { status: 500, body: 'upstream down' });
    const health = await waitFor('failures visible in health', async () => {
      const h = (await (await fetch(`${a.url}/api/health`)).json()) as {
        feeds: Array<{ consecutiveFailures: number; lastError: { message: string } | null }>;
      };
      return h.feeds[0] && h.feeds[0].consecutiveFailures >= 1 ? h : null;
    });
    expect(health.feeds[0]?.lastError?.message).toBeTruthy();
    const s = await crisisState(a);
    expect(s.active).toBe(true);
    expect(s.crisis?.id).toBe(running.id);
    expect(await bothShowCrisis(a, running)).toBe(true);
  });

  it('takes over from the push stream (server-sent events)', async () => {
    server = await FeedReplayServer.start();
    server.serveJson('/api/v3/alerts', { alerts: [] });
    server.enableSse('/api/v3/subscribe');
    const a = await start(
      { SKYLT_VMA_URL: `${server.url}/api/v3`, SKYLT_VMA_PUSH: 'on', SKYLT_FEED_POLL_SECONDS: '3600' },
      VMA_DAY,
    );
    await server.waitForSseClients('/api/v3/subscribe', 1);
    server.pushEvent('/api/v3/subscribe', { data: fixture('sr-vma-vara-alert.json'), id: '1' });
    const running = await waitFor('takeover by push', async () => (await crisisState(a)).crisis);
    expect(running.source).toBe('sr-vma');
  });
});

describe('proposals wait for a communicator', () => {
  it('Krisinformation news for the county is proposed, approved with one click, and takes over', async () => {
    server = await FeedReplayServer.start();
    server.serveFixture('/v3/news', 'krisinformation-news.json');
    const a = await start({ SKYLT_KRISINFO_URL: `${server.url}/v3` }, Date.parse('2026-01-17T07:10:00+01:00'));
    const proposal = await waitFor('proposal', async () => (await crisisState(a)).proposals[0]);
    expect(proposal.source).toBe('krisinformation');
    expect((await crisisState(a)).proposals).toHaveLength(1);
    expect((await crisisState(a)).active).toBe(false);
    expect(await bothShowPlaylist(a)).toBe(true);

    const res = await api(a)(`/api/crisis/${proposal.id}/approve`, { method: 'POST' });
    expect(res.status).toBe(200);
    const s = await crisisState(a);
    expect(s.crisis?.id).toBe(proposal.id);
    expect(await bothShowCrisis(a, s.crisis as { headline: string; instruction: string })).toBe(true);
  });

  it('SMHI orange warning for the county is proposed; dismissing it leaves the signs alone', async () => {
    server = await FeedReplayServer.start();
    server.serveFixture('/ibww/api/version/1/warning.json', 'smhi-warnings.json');
    const a = await start(
      { SKYLT_SMHI_URL: `${server.url}/ibww/api/version/1` },
      Date.parse('2026-01-17T04:00:00+01:00'),
    );
    const proposal = await waitFor('proposal', async () => (await crisisState(a)).proposals[0]);
    expect(proposal.source).toBe('smhi');
    const res = await api(a)(`/api/crisis/${proposal.id}/dismiss`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect((await crisisState(a)).proposals).toEqual([]);
    expect(await bothShowPlaylist(a)).toBe(true);
  });

  it('a CAP feed whose polygon covers Vara is proposed (the default policy for CAP)', async () => {
    server = await FeedReplayServer.start();
    server.serve('/cap.xml', { body: fixture('cap-vara.xml'), headers: { 'content-type': 'application/xml' } });
    const a = await start({ SKYLT_CAP_URLS: `${server.url}/cap.xml` }, Date.parse('2026-07-14T10:00:00+02:00'));
    const proposal = await waitFor('proposal', async () => (await crisisState(a)).proposals[0]);
    expect(proposal.source).toBe('cap');
    expect(proposal.headline).toContain('Koka vattnet');
  });
});

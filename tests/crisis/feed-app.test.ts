// Issue 12, points 6 and 9 in the running app: recorded Krisinformation and NWS payloads served over loopback HTTP
// to the real feed client, crisis state, signs (virtual) and /api/health, as a communicator and a passer-by see them.

import { afterEach, describe, expect, it } from 'vitest';
import { frameToRgba } from '../../src/render/frame.ts';
import { renderCrisisPage, renderItemForSign } from '../../src/render/sign-page.ts';
import type { TestApp } from '../helper.ts';
import { communicatorFetch, decodePng } from '../integration/app-helpers.ts';
import { waitFor } from '../signs/helpers.ts';
import { FeedReplayServer, fixture, startFeedApp } from './feed-replay-server.ts';

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

interface CrisisView {
  id: string;
  source: string;
  headline: string;
  instruction: string;
}
interface CrisisState {
  active: boolean;
  crisis: CrisisView | null;
  proposals: CrisisView[];
}
const crisisState = async (a: TestApp) => (await (await communicatorFetch(a)('/api/crisis')).json()) as CrisisState;

async function mirrorEquals(a: TestApp, signId: string, expected: Uint8ClampedArray): Promise<boolean> {
  const png = Buffer.from(await (await fetch(`${a.url}/api/signs/${signId}/frame.png`)).arrayBuffer());
  return Buffer.from(decodePng(png).rgba).equals(Buffer.from(expected));
}
const bothShowCrisis = async (a: TestApp, text: { headline: string; instruction: string }) => {
  for (const [id, s] of a.runtime.signs)
    if (!(await mirrorEquals(a, id, frameToRgba(renderCrisisPage(text, s.surface))))) return false;
  return true;
};
const bothShowPlaylist = async (a: TestApp) => {
  await a.runtime.tick();
  for (const [id, s] of a.runtime.signs) {
    const item = a.runtime.playlistFile.items.find((i) => i.id === s.controller.heldLease('fallback')?.itemId);
    if (!item || !(await mirrorEquals(a, id, frameToRgba(renderItemForSign(item, s.surface))))) return false;
  }
  return true;
};

describe('Krisinformation all-clear in the running app (12.6)', () => {
  it('proposes only what concerns Vara, follows a rewritten text, and "Faran är över" returns the signs to the playlist', async () => {
    server = await FeedReplayServer.start();
    server.serveFixture('/v3/news', 'krisinformation-v3-vara-fire.json');
    const a = await start({ SKYLT_KRISINFO_URL: `${server.url}/v3` }, Date.parse('2026-03-02T10:45:00+01:00'));

    // Four items, each listing "Sverige" first: the fire in Vara kommun and the accident at Tråvad (a point 8 km
    // away) are proposed; the Göteborg leak and the nationwide siren test are not.
    const proposals = await waitFor('two proposals', async () => {
      const p = (await crisisState(a)).proposals;
      return p.length >= 2 ? p : null;
    });
    await server.waitForRequests('/v3/news', server.requestsTo('/v3/news').length + 3);
    expect((await crisisState(a)).proposals.map((p) => p.headline).sort()).toEqual([
      'Brand i industribyggnad i Vara',
      'Olycka med farligt gods på E20',
    ]);
    const fire = proposals.find((p) => p.headline.startsWith('Brand')) as CrisisView;
    expect((await communicatorFetch(a)(`/api/crisis/${fire.id}/approve`, { method: 'POST' })).status).toBe(200);
    const running = (await crisisState(a)).crisis as CrisisView;
    expect(running.id).toBe(fire.id);
    await waitFor('both signs show the fire', () => bothShowCrisis(a, running));

    // Same Identifier, same Updated, new text: the sign follows the text.
    server.serveFixture('/v3/news', 'krisinformation-v3-vara-fire-text-changed.json');
    const rewritten = await waitFor('the rewritten text', async () => {
      const c = (await crisisState(a)).crisis;
      return c && c.headline !== running.headline ? c : null;
    });
    expect(rewritten.id).toBe(running.id);
    expect(rewritten.headline).toBe('Brand i Vara: röken når Tråvad');
    await waitFor('both signs show the rewritten text', () => bothShowCrisis(a, rewritten));

    server.serveFixture('/v3/news', 'krisinformation-v3-vara-fire-faran-over.json');
    await waitFor('the all-clear ends the crisis', async () => !(await crisisState(a)).active);
    await waitFor('both signs back on the playlist', () => bothShowPlaylist(a));
    expect(a.runtime.crisis.get(running.id).endedReason).toMatch(/cancelled by krisinformation/);
  });
});

describe('an Atom index whose links give no CAP, in /api/health (12.9)', () => {
  it('shows the feed, and Skylt, as degraded, with counts and without addresses for a passer-by', async () => {
    server = await FeedReplayServer.start();
    const atom = fixture('nws-atom-index-untyped-links.atom').replaceAll('https://alerts.weather.gov', server.url);
    const entries = atom.match(/<entry>[\s\S]*?<\/entry>/g) ?? [];
    // The live NWS index listed hundreds of entries; the recorded three, a hundred times over with their own ids.
    const hundreds = Array.from({ length: 100 }, (_, i) =>
      entries.map((e) => e.replaceAll('?x=', `?x=${i}.`)).join('\n'),
    ).join('\n');
    server.serve('/cap/us.php', {
      body: atom.replace(/<entry>[\s\S]*<\/entry>/, hundreds),
      headers: { 'content-type': 'application/atom+xml' },
    });
    server.serveFixture('/cap/wwacapget.php', 'nws-wwacapget-moved.html', {
      headers: { 'content-type': 'text/html; charset=utf-8' },
    });
    const a = await start({ SKYLT_CAP_URLS: `${server.url}/cap/us.php?x=0` }, Date.parse('2026-02-10T04:00:00Z'));

    interface FeedView {
      name: string;
      url: string | null;
      status: string;
      problem: string | null;
      lastPoll: { items: number; alerts: number; linksNotCap: number } | null;
      consecutiveFailures: number;
    }
    const health = async (init?: RequestInit) =>
      (await (await fetch(`${a.url}/api/health`, init)).json()) as { status: string; feeds: FeedView[] };
    const seen = await waitFor('the CAP feed degraded', async () => {
      const h = await health();
      return h.feeds[0]?.status === 'degraded' ? h : null;
    });
    expect(seen.status).toBe('degraded');
    const feed = seen.feeds[0] as FeedView;
    expect(feed.consecutiveFailures).toBe(0);
    expect(feed.lastPoll).toMatchObject({ items: 300, alerts: 0 });
    expect(feed.problem).toMatch(/^none of 300 entries gave a usable alert/);
    // A passer-by learns that the feed is degraded, not where it is.
    expect(feed.url).toBeNull();
    expect(feed.problem).not.toContain('127.0.0.1');

    const staff = (await (await communicatorFetch(a)('/api/health')).json()) as { feeds: FeedView[] };
    expect(staff.feeds[0]?.url).toBe(`${server.url}/cap/us.php?x=0`);
    expect(staff.feeds[0]?.problem).toContain(`${server.url}/cap/wwacapget.php`);
    // Nothing of it reaches the signs.
    expect((await crisisState(a)).proposals).toEqual([]);
    expect(await bothShowPlaylist(a)).toBe(true);
  });
});

import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/auth/accounts.ts';
import { FeedReplayServer, fixture } from '../crisis/feed-replay-server.ts';
import { build, type TestApp } from '../helper.ts';
import { waitFor } from '../signs/helpers.ts';
import { launchChromium } from './browser.ts';

const COMMUNICATOR = {
  username: 'kalle.kommun',
  password: 'kalle-losenord-2026',
  organisation: 'kommun',
  role: 'communicator',
  displayName: 'Kalle Berg',
} as const;

let server: FeedReplayServer;
let t: TestApp;
let browser: Browser;

beforeAll(async () => {
  server = await FeedReplayServer.start();
  const atom = fixture('nws-atom-index-untyped-links.atom').replaceAll('https://alerts.weather.gov', server.url);
  const entries = atom.match(/<entry>[\s\S]*?<\/entry>/g) ?? [];
  const hundreds = Array.from({ length: 100 }, (_, i) =>
    entries.map((e) => e.replaceAll('?x=', `?x=${i}.`)).join('\n'),
  ).join('\n');
  server.serve('/cap/us.php', { body: atom.replace(/<entry>[\s\S]*<\/entry>/, hundreds), headers: {} });
  server.serveFixture('/cap/wwacapget.php', 'nws-wwacapget-moved.html', { headers: { 'content-type': 'text/html' } });
  t = await build({
    env: { SKYLT_CAP_URLS: `${server.url}/cap/us.php?x=0`, SKYLT_FEED_POLL_SECONDS: '0.2' },
    start: Date.parse('2026-02-10T04:00:00Z'),
    listen: true,
  });
  await t.runtime.workflow.accounts.createUser(COMMUNICATOR, SYSTEM_ACTOR);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await t?.close();
  await server?.close();
});

describe('the crisis page lists the feeds', () => {
  it('shows a feed that answers with nothing usable as such, in Swedish', async () => {
    const context = await browser.newContext({ locale: 'sv-SE', timezoneId: 'Europe/Stockholm' });
    const page = await context.newPage();
    await page.goto(`${t.url}/logga-in`);
    await page.fill('#username', COMMUNICATOR.username);
    await page.fill('#password', COMMUNICATOR.password);
    await page.click('#login-button');
    await page.waitForURL((u) => !u.pathname.startsWith('/logga-in'));
    await waitFor(
      'the feed degraded in health',
      async () => {
        const h = (await (await fetch(`${t.url}/api/health`)).json()) as { feeds: { status: string }[] };
        return h.feeds[0]?.status === 'degraded';
      },
      10_000,
    );
    await page.goto(`${t.url}/kris`);
    const text = await waitFor(
      'the feed line',
      async () => {
        const line = await page.textContent('#feeds');
        return line?.includes('svarar men') ? line : null;
      },
      10_000,
    );
    expect(text).toContain('svarar men ger inga användbara larm (300 poster, 0 larm)');
    expect(text).not.toContain('fungerar');
    expect(await page.getAttribute('#feeds li', 'class')).toContain('lint-error');
    await context.close();
  }, 60_000);
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ADMIN_PASSWORD, build, type Client, PASSWORD, type TestApp } from '../helper.ts';
import { concert, info, saveDraft } from '../workflow/helpers.ts';
import { launchChromium } from './browser.ts';

/**
 * Every page of the web UI, each as the person it is for, over an app with the content a working week leaves: items
 * in every state, a picture, a published playlist the signs have played (so the reports have a period to show), an
 * audit log and several accounts. tests/ui/accessibility.test.ts and phone.test.ts walk this tour in real Chromium.
 */

export type Person = 'submitter' | 'communicator' | 'admin';

/** Who signs in as each role: a Konserthus submitter, a Vara kommun communicator, the first admin. */
export const PEOPLE: Readonly<Record<Person, { username: string; password: string }>> = {
  submitter: { username: 'anna.ek', password: PASSWORD },
  communicator: { username: 'kalle.berg', password: PASSWORD },
  admin: { username: 'admin', password: ADMIN_PASSWORD },
};

export interface TourStop {
  /** The address, as users type it. */
  path: string;
  /** The role the page is for (the least one: a communicator sees the submitter's pages too). */
  role: Person | 'anonymous';
  /** Shown once the page has drawn its content from the API; what the checks then look at. */
  ready: string;
}

/**
 * Each page with what shows that it has drawn its content. Keep in step with WEB_PAGES in src/api/web-routes.ts:
 * accessibility.test.ts fails when a page is missing here.
 */
export const TOUR: readonly TourStop[] = [
  { path: '/logga-in', role: 'anonymous', ready: '#login-form' },
  { path: '/skicka', role: 'submitter', ready: '#previews figure' },
  { path: '/mina-poster', role: 'submitter', ready: '#item-list [data-state]' },
  { path: '/skyltar', role: 'submitter', ready: '[data-sign-facts="E20-S"] [data-showing]' },
  { path: '/rapporter', role: 'submitter', ready: '#item-table tbody tr td.num' },
  { path: '/konto', role: 'submitter', ready: '#account-facts dd' },
  { path: '/granska', role: 'communicator', ready: '#queue [data-item-id] img.sign-frame' },
  { path: '/spellista', role: 'communicator', ready: '#airs tbody tr' },
  { path: '/kris', role: 'communicator', ready: '[data-crisis-active]' },
  { path: '/logg', role: 'communicator', ready: '#log-table tbody tr' },
  { path: '/anvandare', role: 'admin', ready: '#users-table tr[data-username]' },
];

/** The start page only sends people on (to /granska or /mina-poster); it is walked through, never stopped at. */
export const PASS_THROUGH = ['/'];

export interface Tour {
  t: TestApp;
  browser: Browser;
  /** A fresh browser context signed in as `who` (or anonymous), at the given window size. */
  visitor(who: Person | 'anonymous', viewport?: { width: number; height: number }): Promise<Page>;
  close(): Promise<void>;
}

function posterPng(): Buffer {
  const canvas = createCanvas(800, 400);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#101030';
  ctx.fillRect(0, 0, 800, 400);
  ctx.fillStyle = '#f0c040';
  ctx.beginPath();
  ctx.arc(400, 200, 150, 0, Math.PI * 2);
  ctx.fill();
  return canvas.toBuffer('image/png');
}

async function ok<T extends { status: number; body: unknown }>(what: string, reply: Promise<T>): Promise<T> {
  const r = await reply;
  if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`);
  return r;
}

/** A week's worth of content, made through the real API as the people would; only the people when `content` is off. */
async function furnish(t: TestApp, content: boolean): Promise<void> {
  const anna = await t.user(PEOPLE.submitter.username, 'konserthus', 'submitter');
  const kalle = await t.user(PEOPLE.communicator.username, 'kommun', 'communicator');
  await t.user('lisa.holm', 'kommun', 'submitter');
  if (!content) return;

  const approve = async (by: Client, id: string, revision = 1) =>
    ok(`approve ${id}`, by.post(`/api/items/${id}/approve`, { revision }));
  const julkonsert = (await ok('concert', anna.post('/api/items', concert({ submit: true })))).body.item.id;
  await approve(kalle, julkonsert);
  const torget = (
    await ok(
      'info',
      kalle.post('/api/items', info(['Julmarknad', 'Vara torg', 'lör 12 dec'], { submit: true, dwellSeconds: 12 })),
    )
  ).body.item.id;
  await approve(kalle, torget);
  const form = new FormData();
  form.append('file', new Blob([posterPng()]), 'affisch.png');
  const picture = (await ok('picture', anna.post('/api/images', form))).body.id;
  const poster = (
    await ok(
      'poster',
      anna.post('/api/items', {
        content: { kind: 'image', image: picture, caption: 'Julkonserter' },
        infoLink: 'https://varakonserthus.se/program',
        submit: true,
      }),
    )
  ).body.item.id;
  await approve(kalle, poster);

  // What waits: one for review, one turned down with a reason, one still a draft.
  await ok(
    'pending',
    anna.post(
      '/api/items',
      concert({
        content: { ...concert().content, title: 'Luciakonsert', startsAt: '2026-12-13T18:00:00+01:00' },
        submit: true,
      }),
    ),
  );
  const rejected = (
    await ok(
      'to reject',
      anna.post(
        '/api/items',
        concert({
          content: { ...concert().content, title: 'Nyårskonsert', startsAt: '2026-12-31T16:00:00+01:00' },
          submit: true,
        }),
      ),
    )
  ).body.item.id;
  await ok(
    'reject',
    kalle.post(`/api/items/${rejected}/reject`, { reason: 'Skriv vilken orkester som spelar.', revision: 1 }),
  );
  await ok(
    'draft',
    anna.post(
      '/api/items',
      concert({
        content: { ...concert().content, title: 'Trettondagskonsert', startsAt: '2027-01-06T16:00:00+01:00' },
      }),
    ),
  );

  await ok(
    'draft playlist',
    saveDraft(kalle, {
      name: 'December',
      settings: { shares: { kommun: 50, konserthus: 50 } },
      entries: [{ itemId: torget }, { itemId: julkonsert }, { itemId: poster, signs: ['E20-S'] }],
    }),
  );
  await ok('publish', kalle.post('/api/playlist/publish', { note: 'Julkonserten och julmarknaden' }));

  // The signs play it for a while: proof of play for the reports.
  for (let i = 0; i < 60; i++) {
    t.clock.advance(5_000);
    await t.runtime.tick();
  }
}

/**
 * The app with a browser. `content: false` is the first day: accounts, but nothing submitted or published (the signs
 * play the fallback loop).
 */
export async function startTour(options: { content?: boolean } = {}): Promise<Tour> {
  const t = await build({ listen: true });
  const contexts: BrowserContext[] = [];
  let browser: Browser | undefined;
  try {
    await furnish(t, options.content ?? true);
    browser = await launchChromium();
  } catch (e) {
    await t.close();
    throw e;
  }
  const b = browser;
  return {
    t,
    browser: b,
    async visitor(who, viewport = { width: 1280, height: 900 }) {
      const context = await b.newContext({ viewport, locale: 'sv-SE', timezoneId: 'Europe/Stockholm' });
      contexts.push(context);
      if (who !== 'anonymous') {
        // The session cookie from a sign-in over HTTP: the login page itself is tested elsewhere.
        const client = await t.login(PEOPLE[who].username, PEOPLE[who].password);
        const value = client.auth.cookie?.split('=').slice(1).join('=') ?? '';
        await context.addCookies([{ name: 'skylt_session', value, url: t.url }]);
      }
      return context.newPage();
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await b.close();
      await t.close();
    },
  };
}

/** The stops a person may visit: their own pages and those of every lesser role. */
export function stopsFor(who: Person | 'anonymous'): TourStop[] {
  const rank = { anonymous: 0, submitter: 1, communicator: 2, admin: 3 } as const;
  return TOUR.filter((s) => (s.role === 'anonymous' ? who === 'anonymous' : rank[s.role] <= rank[who]));
}

/** Goes to a stop and waits until it has drawn its content. */
export async function visit(page: Page, url: string, stop: TourStop): Promise<void> {
  await page.goto(`${url}${stop.path}`);
  await page.waitForSelector(stop.ready, { timeout: 20_000 });
}

/** Where signing in (or the start page) takes each person: their review queue, or their own items. */
export function landingOf(who: Person): string {
  return who === 'submitter' ? '/mina-poster' : '/granska';
}

/**
 * Which HTML files of src/web/pages no address in `paths` serves: the tour must not miss a page added later, whatever
 * the server's page list looks like.
 */
export async function pageFiles(url: string, paths: readonly string[]): Promise<{ missing: string[] }> {
  const dir = join(process.cwd(), 'src', 'web', 'pages');
  const served = new Set<string>();
  for (const path of paths) served.add(await (await fetch(`${url}${path}`)).text());
  const missing = readdirSync(dir)
    .filter((f) => f.endsWith('.html'))
    .filter((f) => !served.has(readFileSync(join(dir, f), 'utf8')));
  return { missing };
}

/**
 * Collects what a user would find in the browser's console: errors logged, uncaught exceptions, requests answered
 * 4xx/5xx and requests that failed. A request cancelled because the page moved on (net::ERR_ABORTED, e.g. a sign
 * mirror's frame when leaving /skyltar) is no fault. Read and empty the list with splice(0).
 */
export function watchForTrouble(page: Page): string[] {
  const seen: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') seen.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => seen.push(`exception: ${e.message}`));
  page.on('response', (r) => {
    if (r.status() >= 400) seen.push(`${r.status()} ${r.request().method()} ${new URL(r.url()).pathname}`);
  });
  page.on('requestfailed', (r) => {
    const why = r.failure()?.errorText ?? '';
    if (!why.includes('ERR_ABORTED')) seen.push(`failed ${r.method()} ${new URL(r.url()).pathname}: ${why}`);
  });
  return seen;
}

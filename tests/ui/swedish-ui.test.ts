import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_PAGES } from '../../src/api/web-routes.ts';
import { ADMIN_PASSWORD, build, type Client, PASSWORD, type TestApp } from '../helper.ts';
import { concert, info, saveDraft, signShows } from '../workflow/helpers.ts';
import { ARTIFACTS, launchChromium } from './browser.ts';

/**
 * 13.8: every page of the UI speaks Swedish to its reader, in real Chromium against the real app: no id shown where
 * the thing has a name (a fallback page, a crisis, an item), no English note from the server, a lint problem said
 * once (not once per sign), and "1 post" but "2 poster". The whole visible text of each page is read, as a user sees
 * it, with the store holding what makes these mistakes likely: a rollback, a crisis on the signs, the fallback loop
 * playing, a draft of one item, an item with the same lint problem on both signs.
 */

const TEST_MS = 120_000;

/** Words of English that have no business in the Swedish UI (whole words, any case). */
const ENGLISH =
  /\b(the|and|of|to|is|are|from|with|without|revision|rollback|imported|towards|cannot|failed|error|null|undefined|NaN|true|false)\b|\[object Object\]/i;
/** A count with the wrong number: "1 poster", "2 post". */
const WRONG_NUMBER =
  /(?<![\d,.])1 (poster|sidor|skyltar|gånger|versioner|förslag[a-z]+)\b|(?<![\d,.])(0|[2-9]|\d{2,}) (post|sida|skylt|gång|version)\b/;

const FALLBACK_IDS = (
  JSON.parse(readFileSync(join(process.cwd(), 'playlists/default.json'), 'utf8')) as { items: { id: string }[] }
).items.map((i) => i.id);

let t: TestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
let anna: Client;
let kalle: Client;

async function newPage(): Promise<Page> {
  const context = await browser.newContext({
    viewport: { width: 1280, height: 900 },
    locale: 'sv-SE',
    timezoneId: 'Europe/Stockholm',
  });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  return page;
}

async function login(page: Page, username: string, password = PASSWORD): Promise<void> {
  await page.goto(`${t.url}/logga-in`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login-button');
  await page.waitForURL((u) => !u.pathname.startsWith('/logga-in'));
}

/** What shows when each page has drawn what it loads. */
const READY: Record<string, string> = {
  '/skicka': '#sign-choices input',
  '/mina-poster': '#item-list li',
  '/granska': '#queue li',
  '/spellista': '#revisions tbody tr',
  '/kris': '[data-crisis-active]',
  '/skyltar': '[data-sign-facts] dd',
  '/rapporter': '#chart svg',
  '/logg': '#log-table tbody tr',
  '/anvandare': '#users-table tbody tr',
  '/konto': '#account-facts dd',
};

/** The page's visible text, after it has drawn what it loads. */
async function visibleText(page: Page, path: string): Promise<string> {
  await page.goto(`${t.url}${path}`);
  const ready = READY[path];
  if (ready) await page.waitForSelector(ready, { timeout: 15_000 });
  // What is drawn from a second answer (titles of what the signs show, the timeline) comes a moment later.
  await page.waitForLoadState('networkidle', { timeout: 3000 }).catch(() => undefined);
  await page.waitForTimeout(300);
  return page.evaluate(() => {
    const doc = (
      globalThis as unknown as {
        document: {
          body: { innerText: string };
          querySelectorAll(s: string): ArrayLike<{ getAttribute(name: string): string | null }>;
        };
      }
    ).document;
    // What a screen reader says besides the text: labels, picture descriptions, tooltips.
    const said = Array.from(doc.querySelectorAll('[aria-label], img[alt], [title], [placeholder]')).flatMap((el) =>
      ['aria-label', 'alt', 'title', 'placeholder'].map((a) => el.getAttribute(a) ?? '').filter(Boolean),
    );
    // innerText, not textContent: what is shown, without hidden elements and with table cells apart.
    // biome-ignore lint/performance/useDomNodeTextContent: the visible text is what is checked
    return [doc.body.innerText, ...said].join('\n');
  });
}

/** Everything wrong with a page's text, one line each. */
function problems(path: string, text: string, ids: string[]): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const english = ENGLISH.exec(line);
    if (english) out.push(`${path}: English "${english[0]}" in "${line.trim()}"`);
    const number = WRONG_NUMBER.exec(line);
    if (number) out.push(`${path}: wrong number "${number[0]}" in "${line.trim()}"`);
    for (const id of ids) if (line.includes(id)) out.push(`${path}: id "${id}" in "${line.trim()}"`);
  }
  return out;
}

/** Lint problems said more than once on one review card or on the form. */
async function repeatedLint(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const doc = (
      globalThis as unknown as {
        document: {
          querySelectorAll(s: string): ArrayLike<{
            textContent: string | null;
            querySelectorAll(s: string): ArrayLike<{ textContent: string | null }>;
          }>;
        };
      }
    ).document;
    const out: string[] = [];
    const scopes = Array.from(doc.querySelectorAll('[data-item-id], .submit-layout'));
    for (const scope of scopes) {
      const seen = new Set<string>();
      for (const el of Array.from(scope.querySelectorAll('.field-msg, .lint-list li'))) {
        const text = (el.textContent ?? '').replace(/^(Fel|Tips): /, '');
        if (seen.has(text)) out.push(text);
        seen.add(text);
      }
    }
    return out;
  });
}

describe('the web UI in Swedish', () => {
  beforeAll(async () => {
    t = await build({ listen: true });
    anna = await t.user('anna', 'konserthus', 'submitter');
    kalle = await t.user('kalle', 'kommun', 'communicator');
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it(
    'every page: names instead of ids, no English, each lint problem once, 1 post / 2 poster',
    async () => {
      const admin = await newPage();
      const found: string[] = [];

      // Nothing published: the signs play the fallback loop, whose pages have titles.
      await signShows(t, 'E20-N', FALLBACK_IDS);
      await login(admin, 'admin', ADMIN_PASSWORD);
      found.push(...problems('/skyltar (standardslingan)', await visibleText(admin, '/skyltar'), FALLBACK_IDS));

      // A concert and a notice published, then rolled back to the concert alone: a draft of one item.
      const a = (await anna.post('/api/items', concert({ submit: true }))).body.item.id as string;
      const b = (await kalle.post('/api/items', info(['Vägarbete', 'Storgatan'], { submit: true }))).body.item.id;
      for (const id of [a, b]) expect((await kalle.post(`/api/items/${id}/approve`, { revision: 1 })).status).toBe(200);
      expect((await saveDraft(kalle, { entries: [{ itemId: a }] })).status).toBe(200);
      expect((await kalle.post('/api/playlist/publish', {})).status).toBe(201);
      expect((await saveDraft(kalle, { entries: [{ itemId: a }, { itemId: b }] })).status).toBe(200);
      expect((await kalle.post('/api/playlist/publish', {})).status).toBe(201);
      expect((await kalle.post('/api/playlist/rollback', { revision: 1 })).status).toBe(201);
      // The same lint problem on both signs (too many words), waiting for review.
      const wordy = await anna.post(
        '/api/items',
        concert({ content: { ...concert().content, title: 'Stor julkonsert med kör och stråkar' }, submit: true }),
      );
      expect(wordy.status).toBe(201);
      // A crisis on the signs.
      const crisis = await kalle.post('/api/crisis', { headline: 'Olycka på E20', instruction: 'Kör försiktigt' });
      expect(crisis.status).toBe(201);
      const crisisId = crisis.body.crisis?.id ?? crisis.body.id;
      expect(crisisId).toBeTruthy();
      for (const sign of ['E20-N', 'E20-S']) await signShows(t, sign, `crisis:${crisisId}`);

      const items = (await kalle.get('/api/items?limit=200')).body.items as { id: string }[];
      const ids = [...FALLBACK_IDS, ...items.map((i) => i.id), crisisId];
      for (const page of WEB_PAGES) {
        if (page.path === '/' || page.path === '/logga-in') continue;
        found.push(...problems(page.path, await visibleText(admin, page.path), ids));
        for (const text of await repeatedLint(admin)) found.push(`${page.path}: said twice: "${text}"`);
        await admin.screenshot({
          path: join(ARTIFACTS, `30-svenska${page.path.replace('/', '-')}.png`),
          fullPage: true,
        });
      }

      // The submitter's own pages, and the form with the same problem on both signs.
      const submitter = await newPage();
      await login(submitter, 'anna');
      found.push(...problems('/mina-poster (anna)', await visibleText(submitter, '/mina-poster'), ids));
      await submitter.goto(`${t.url}/skicka?id=${encodeURIComponent(wordy.body.item.id)}`);
      await submitter.waitForSelector('.field-msg');
      for (const text of await repeatedLint(submitter)) found.push(`/skicka: said twice: "${text}"`);
      const anonymous = await newPage();
      found.push(...problems('/logga-in', await visibleText(anonymous, '/logga-in'), ids));

      expect(found).toEqual([]);
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );
});

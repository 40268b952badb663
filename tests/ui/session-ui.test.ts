import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { build, type Client, PASSWORD, type TestApp } from '../helper.ts';
import { concert } from '../workflow/helpers.ts';
import { ARTIFACTS, launchChromium } from './browser.ts';

/**
 * 13.4: a lost session loses nothing. In real Chromium against the real app: the session is deleted on the server
 * while a form is half done (/skicka, a reject reason on /granska, a free crisis text on /kris); the next request sends
 * the user to the login page, and after signing in the form is back as it was. Before the session ends a banner warns,
 * and "Fortsätt vara inloggad" keeps it (POST /api/auth/refresh). Screenshots go to test-artifacts/ui/.
 */

const TEST_MS = 90_000;

let t: TestApp;
let browser: Browser;
let contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
let anna: Client;

const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000, interval: 100 });
const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

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

async function signIn(page: Page, username: string): Promise<void> {
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await page.click('#login-button');
  await page.waitForURL((u) => !u.pathname.startsWith('/logga-in'));
}

async function login(page: Page, username: string): Promise<void> {
  await page.goto(`${t.url}/logga-in`);
  await signIn(page, username);
}

/** The session ends on the server (as at its end, or a restart that lost it): the browser still holds the cookie. */
function endSessions(username: string): void {
  const gone = t.runtime.db
    .prepare('DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = ?)')
    .run(username).changes;
  expect(gone).toBeGreaterThan(0);
}

const keptDrafts = (page: Page) =>
  page.evaluate(() => {
    const storage = (globalThis as unknown as { localStorage: { length: number; key(i: number): string | null } })
      .localStorage;
    return Array.from({ length: storage.length }, (_, i) => storage.key(i) ?? '').filter((k) =>
      k.startsWith('skylt:utkast:'),
    );
  });

describe('a lost session loses nothing', () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });
  beforeEach(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    contexts = [];
    await t?.close();
    t = await build({ listen: true });
    anna = await t.user('anna', 'konserthus', 'submitter');
    await t.user('kalle', 'kommun', 'communicator');
    pageErrors.length = 0;
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it(
    '/skicka: the session ends mid-form; submit leads to the login page, and after it the form is back and can be sent',
    async () => {
      const page = await newPage();
      await login(page, 'anna');
      await page.goto(`${t.url}/skicka`);
      await page.fill('#event-title', 'Luciakonsert');
      await page.fill('#event-performer', 'Vara Kammarkör');
      await page.fill('#event-starts', '2026-12-13T18:00');
      await page.fill('#event-venue', 'Vara Konserthus');
      await page.fill('#info-link', 'https://varakonserthus.se/lucia');
      await page.uncheck('input[name=sign][value="E20-S"]');
      await page.waitForSelector('[data-lint="ok"]');

      endSessions('anna');
      await page.click('#submit-button');
      await page.waitForURL((u) => u.pathname === '/logga-in' && u.searchParams.get('next') === '/skicka');
      expect(await keptDrafts(page)).toEqual(['skylt:utkast:anna:/skicka']);
      await poll(() => page.textContent('#login-message')).toContain('Det du skrev är sparat');

      await signIn(page, 'anna');
      await page.waitForURL((u) => u.pathname === '/skicka');
      await poll(() => page.textContent('#form-message')).toContain('återställt');
      expect(await page.inputValue('#event-title')).toBe('Luciakonsert');
      expect(await page.inputValue('#event-performer')).toBe('Vara Kammarkör');
      expect(await page.inputValue('#event-starts')).toBe('2026-12-13T18:00');
      expect(await page.inputValue('#info-link')).toBe('https://varakonserthus.se/lucia');
      expect(await page.isChecked('input[name=sign][value="E20-S"]')).toBe(false);
      expect(await keptDrafts(page)).toEqual([]);
      await page.waitForSelector('[data-lint="ok"]');
      await shot(page, '40-skicka-aterstallt');

      await page.click('#submit-button');
      await page.waitForURL((u) => u.pathname === '/mina-poster');
      // The API client's session went with the browser's: a fresh one reads what was saved.
      const saved = (await (await t.login('anna')).get('/api/items')).body.items as {
        content: { title: string };
        signs: string[];
      }[];
      expect(saved.map((i) => [i.content.title, i.signs])).toEqual([['Luciakonsert', ['E20-N']]]);
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );

  it(
    '/granska and /kris: a reject reason and a free crisis text come back after the login',
    async () => {
      const item = (await anna.post('/api/items', concert({ submit: true }))).body.item as { id: string };
      const page = await newPage();
      await login(page, 'kalle');
      await page.goto(`${t.url}/granska`);
      await page.click(`[data-item-id="${item.id}"] button:text-is("Avslå …")`);
      await page.fill(`#reason-${item.id}`, 'Titeln behöver datum – skriv ”Julkonsert 12 dec”.');
      endSessions('kalle');
      await page.click(`[data-item-id="${item.id}"] button:text-is("Skicka avslaget")`);
      await page.waitForURL((u) => u.pathname === '/logga-in');
      await signIn(page, 'kalle');
      await page.waitForURL((u) => u.pathname === '/granska');
      await poll(() => page.textContent('#review-message')).toContain('återställt');
      expect(await page.inputValue(`#reason-${item.id}`)).toBe('Titeln behöver datum – skriv ”Julkonsert 12 dec”.');
      await page.waitForSelector(`#reason-${item.id}`, { state: 'visible', timeout: 5000 });
      await page.click(`[data-item-id="${item.id}"] button:text-is("Skicka avslaget")`);
      await page.waitForSelector(`[data-item-id="${item.id}"]`, { state: 'detached' });
      expect((await (await t.login('anna')).get(`/api/items/${item.id}`)).body.item).toMatchObject({
        state: 'rejected',
        rejectionReason: 'Titeln behöver datum – skriv ”Julkonsert 12 dec”.',
      });

      await page.goto(`${t.url}/kris`);
      await page.click('.template-list label:has-text("Egen text")');
      await page.fill('#headline', 'Älgar på vägen');
      await page.fill('#instruction', 'Sänk farten');
      endSessions('kalle');
      // The preview asks the server, which answers 401: off to the login page.
      await page.click('#start-form button[type=submit]');
      await page.waitForURL((u) => u.pathname === '/logga-in');
      await signIn(page, 'kalle');
      await page.waitForURL((u) => u.pathname === '/kris');
      await poll(() => page.textContent('#crisis-message')).toContain('återställt');
      await page.waitForSelector('#headline', { state: 'visible', timeout: 5000 });
      expect(await page.inputValue('#headline')).toBe('Älgar på vägen');
      expect(await page.inputValue('#instruction')).toBe('Sänk farten');
      await shot(page, '41-kris-aterstallt');
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'a banner warns before the session ends, "Fortsätt vara inloggad" keeps it, and at the end the form is kept',
    async () => {
      const page = await newPage();
      await login(page, 'anna');
      const me = async () =>
        (await page.evaluate(async () => (await fetch('/api/auth/me')).json())) as { expiresAt: string };
      const first = await me();
      // Four minutes before the end, by Skylt's clock (the browser's says another date: it is not used).
      t.clock.set(Date.parse(first.expiresAt) - 4 * 60_000);
      await page.goto(`${t.url}/skicka`);
      await page.waitForSelector('#session-banner[data-session="warning"]:not([hidden])');
      expect(await page.textContent('#session-banner')).toContain('Din inloggning går ut kl');
      await shot(page, '42-inloggning-gar-ut');
      await page.click('#stay-signed-in');
      await page.waitForSelector('#session-banner', { state: 'hidden' });
      expect(Date.parse((await me()).expiresAt)).toBe(t.clock.now() + 12 * 3600_000);

      // Five seconds before the new end: the banner warns, then says the session has ended and the form is kept.
      t.clock.set(Date.parse((await me()).expiresAt) - 5000);
      await page.goto(`${t.url}/skicka`);
      await page.fill('#event-title', 'Nyårskonsert');
      await page.waitForSelector('#session-banner[data-session="ended"]:not([hidden])', { timeout: 10_000 });
      expect(await page.textContent('#session-banner')).toContain('Inloggningen har gått ut');
      expect(await keptDrafts(page)).toEqual(['skylt:utkast:anna:/skicka']);
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );
});

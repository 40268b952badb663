import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { build, type Client, PASSWORD, type TestApp } from '../helper.ts';
import { concert, info } from '../workflow/helpers.ts';
import { ARTIFACTS, launchChromium } from './browser.ts';

/**
 * The content workflow's pages in real Chromium (Debian's, never downloaded) against the real app on a real port:
 * a review card that changed under the reviewer (12.10), two communicators on /spellista at once (13.3), items
 * that cannot air (13.2), field-level lint on /skicka (13.5, 13.9), and when each item airs plus "Visa nu" (13.6).
 * Screenshots go to test-artifacts/ui/.
 */

const TEST_MS = 90_000;

let t: TestApp;
let browser: Browser;
let contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
/** API clients of the people in the browser, for what happens "elsewhere" meanwhile. */
let anna: Client;
let kalle: Client;
let lisa: Client;

const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000, interval: 100 });

async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'sv-SE', timezoneId: 'Europe/Stockholm' });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  return page;
}

async function login(page: Page, username: string): Promise<void> {
  await page.goto(`${t.url}/logga-in`);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await page.click('#login-button');
  await page.waitForURL((u) => !u.pathname.startsWith('/logga-in'));
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

async function approvedInfo(lines: string[]): Promise<string> {
  const created = await kalle.post('/api/items', info(lines, { submit: true }));
  const ok = await kalle.post(`/api/items/${created.body.item.id}/approve`, { revision: 1 });
  if (ok.status !== 200) throw new Error(JSON.stringify(ok.body));
  return created.body.item.id;
}

const draftIds = async () =>
  ((await kalle.get('/api/playlist/draft')).body.entries as { itemId: string }[]).map((e) => e.itemId);

describe('the content workflow in Chromium', () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });
  beforeEach(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    contexts = [];
    await t?.close();
    t = await build({ listen: true });
    anna = await t.user('anna', 'konserthus', 'submitter');
    kalle = await t.user('kalle', 'kommun', 'communicator');
    lisa = await t.user('lisa', 'kommun', 'communicator');
    pageErrors.length = 0;
  });
  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it(
    '12.10: the submitter changes the text while the card is open; Godkänn reloads the card and says so, and approves nothing',
    async () => {
      const created = await anna.post('/api/items', concert({ submit: true }));
      const id = created.body.item.id as string;
      const page = await newPage();
      await login(page, 'kalle');
      await page.goto(`${t.url}/granska`);
      await page.waitForSelector(`[data-item-id="${id}"][data-revision="1"] h2:text-is("Julkonsert")`);

      // Anna changes the title after Kalle opened the card.
      const edited = await anna.patch(`/api/items/${id}`, { content: { ...concert().content, title: 'Julgala' } });
      expect(edited.body.item.revision).toBe(2);

      await page.click(`[data-item-id="${id}"] button:text-is("Godkänn")`);
      await page.waitForSelector(`[data-item-id="${id}"][data-revision="2"] [data-changed]`);
      expect(await page.textContent(`[data-item-id="${id}"] h2`)).toBe('Julgala');
      expect(await page.textContent(`[data-item-id="${id}"] [data-changed]`)).toContain('Posten har ändrats av anna');
      await poll(() => page.textContent('#review-message')).toContain('har ändrats sedan du öppnade den');
      expect((await kalle.get(`/api/items/${id}`)).body.item).toMatchObject({ state: 'pending', decidedBy: null });
      await shot(page, '20-granska-andrad');

      // Having seen the new text, Kalle approves it (into the draft).
      await page.click(`[data-item-id="${id}"] button:text-is("Godkänn")`);
      await page.waitForSelector(`[data-item-id="${id}"]`, { state: 'detached' });
      expect((await kalle.get(`/api/items/${id}`)).body.item).toMatchObject({ state: 'approved', revision: 2 });
      expect(await draftIds()).toEqual([id]);
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );

  it(
    '13.3: two communicators approve into the draft at once from /granska: both items land in it',
    async () => {
      const a = (await anna.post('/api/items', concert({ submit: true, id: 'julkonsert-a' }))).body.item.id;
      const b = (await anna.post('/api/items', concert({ submit: true, id: 'julkonsert-b' }))).body.item.id;
      const [k, l] = [await newPage(), await newPage()];
      await login(k, 'kalle');
      await login(l, 'lisa');
      await Promise.all([k.goto(`${t.url}/granska`), l.goto(`${t.url}/granska`)]);
      await k.waitForSelector(`[data-item-id="${a}"] button:text-is("Godkänn")`);
      await l.waitForSelector(`[data-item-id="${b}"] button:text-is("Godkänn")`);
      await Promise.all([
        k.click(`[data-item-id="${a}"] button:text-is("Godkänn")`),
        l.click(`[data-item-id="${b}"] button:text-is("Godkänn")`),
      ]);
      await poll(() => k.textContent('#review-message')).toContain('ligger i spellistans utkast');
      await poll(() => l.textContent('#review-message')).toContain('ligger i spellistans utkast');
      expect((await draftIds()).sort()).toEqual([a, b].sort());
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );

  it(
    '13.3: a stale /spellista shows what changed and merges the change onto the new draft, or reloads',
    async () => {
      const torg = await approvedInfo(['Julmarknad', 'Vara torg']);
      const bibl = await approvedInfo(['Biblioteket', 'öppet till 19']);
      const simhall = await approvedInfo(['Simhallen', 'stängd måndag']);
      const [k, l] = [await newPage(), await newPage()];
      await login(k, 'kalle');
      await login(l, 'lisa');
      await k.goto(`${t.url}/spellista`);
      await l.goto(`${t.url}/spellista`);
      await k.waitForSelector('#add-item option', { state: 'attached' });
      await l.waitForSelector('#add-item option', { state: 'attached' });

      // Lisa adds the market; Kalle's page still shows the empty draft and he adds the library.
      await l.selectOption('#add-item', torg);
      await l.click('#add-form button');
      await l.waitForSelector(`[data-entry="${torg}"]`);
      await k.selectOption('#add-item', bibl);
      await k.click('#add-form button');
      await k.waitForSelector('#draft-conflict:not([hidden])');
      expect(await k.textContent('#draft-conflict')).toContain('lisa sparade utkastet');
      expect(await k.textContent('[data-conflict-changes]')).toContain('Tillagda: ”Julmarknad / Vara torg”');
      expect(await k.textContent('#draft-conflict')).toContain('Din ändring: lägga till ”Biblioteket / öppet till 19”');
      expect(await draftIds()).toEqual([torg]);
      await shot(k, '21-spellista-konflikt');

      await k.click('#draft-conflict [data-action="merge"]');
      await k.waitForSelector(`[data-entry="${bibl}"]`);
      await k.waitForSelector('#draft-conflict', { state: 'hidden' });
      expect(await draftIds()).toEqual([torg, bibl]);

      // Lisa's page is stale now: her removal of the market is refused; she reloads instead of merging.
      await l.selectOption('#add-item', simhall);
      await l.click(`[data-entry="${torg}"] button:has-text("Ta bort")`);
      await l.waitForSelector('#draft-conflict:not([hidden])');
      expect(await l.textContent('[data-conflict-changes]')).toContain('Tillagda: ”Biblioteket / öppet till 19”');
      await l.click('#draft-conflict [data-action="reload"]');
      await l.waitForSelector(`[data-entry="${bibl}"]`);
      expect(await draftIds()).toEqual([torg, bibl]);

      // A stale page cannot publish what it has not seen.
      await lisa.request(
        'PUT',
        '/api/playlist/draft',
        { entries: [{ itemId: bibl }] },
        {
          headers: { 'if-match': (await lisa.get('/api/playlist/draft')).headers.get('etag') ?? '' },
        },
      );
      await k.click('#publish-button');
      await k.waitForSelector('#draft-conflict:not([hidden])');
      expect(await k.textContent('#draft-conflict')).toContain('Ingenting är publicerat');
      expect(t.runtime.publishedPlaylist()).toBeNull();
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );

  it(
    '13.5 and 13.9: the live check puts its message under the field: words, a past end date, text in a picture',
    async () => {
      const page = await newPage();
      await login(page, 'anna');
      await page.goto(`${t.url}/skicka`);
      await page.fill('#event-title', 'Julkonsert');
      await page.fill('#event-performer', 'Vara Kammarkör');
      await page.fill('#event-starts', '2026-12-19T18:00');
      await page.fill('#event-venue', 'Vara Konserthus');
      await page.fill('#info-link', 'https://varakonserthus.se/julkonsert');
      await page.waitForSelector('[data-lint="ok"]');
      await page.fill('#event-title', 'Stor julkonsert med kör och stråkar');
      const titleField = page.locator('.field', { has: page.locator('#event-title') });
      await poll(() => titleField.locator('.field-msg').textContent()).toContain('korta titeln med minst 3 ord');
      expect(await page.getAttribute('#event-title', 'aria-invalid')).toBe('true');
      await shot(page, '22-skicka-for-manga-ord');

      // An information item's end date in the past is flagged while typing, under that date.
      await page.check('input[name=kind][value=info]');
      await page.fill('#info-line-0', 'Vägarbete');
      await page.fill('#info-line-1', 'Storgatan');
      await page.fill('#info-link', 'https://vara.se/vagarbete');
      await page.fill('#info-until', '2026-11-30');
      const untilField = page.locator('.field', { has: page.locator('#info-until') });
      await poll(() => untilField.locator('.field-msg').textContent()).toContain('Slutdatumet har redan passerat');
      await page.fill('#info-until', '2026-12-24');
      await page.waitForSelector('[data-lint="ok"]');
      await page.click('#submit-button');
      await page.waitForURL((u) => u.pathname === '/mina-poster');
      const saved = (await anna.get('/api/items?kind=info')).body.items[0];
      // The whole 24th, Swedish time.
      expect(saved.window).toEqual({ until: '2026-12-25T00:00:00+01:00' });

      // Editing it shows the end date again.
      await page.goto(`${t.url}/skicka?id=${encodeURIComponent(saved.id)}`);
      await poll(() => page.inputValue('#info-until')).toBe('2026-12-24');

      // A picture: the plain note about text inside it, under the picture field.
      await page.goto(`${t.url}/skicka`);
      await page.check('input[name=kind][value=image]');
      const canvas = createCanvas(600, 300);
      canvas.getContext('2d').fillRect(0, 0, 600, 300);
      const file = join(t.dataDir, 'affisch.png');
      writeFileSync(file, canvas.encodeSync('png'));
      await page.setInputFiles('#image-file', file);
      await poll(() => page.textContent('#image-status')).toContain('Uppladdad');
      await page.fill('#info-link', 'https://varakonserthus.se/program');
      const imageField = page.locator('.field', { has: page.locator('#image-file') });
      await poll(() => imageField.locator('.field-msg').textContent()).toContain(
        'Skylt kan inte läsa text som finns i bilden',
      );
      await shot(page, '25-skicka-bildtext');
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );

  it(
    '13.6 and 13.2: /spellista shows when each item airs next per sign, "Visa nu" starts and ends an override, and an item that cannot air is named',
    async () => {
      const torg = await approvedInfo(['Julmarknad', 'Vara torg']);
      const later = await kalle.post(
        '/api/items',
        info(['Luciatåg', 'Vara kyrka'], { window: { from: '2026-12-05T00:00:00+01:00' }, submit: true }),
      );
      await kalle.post(`/api/items/${later.body.item.id}/approve`, { revision: 1, addToDraft: true });
      await kalle.request(
        'PUT',
        '/api/playlist/draft',
        { entries: [{ itemId: torg }, { itemId: later.body.item.id }] },
        {
          headers: { 'if-match': (await kalle.get('/api/playlist/draft')).headers.get('etag') ?? '' },
        },
      );
      // A picture whose stored bytes cannot be decoded, published without the route's check (as the CLI can).
      t.runtime.workflow.items.images.insert({
        id: 'img-trasig',
        organisation: 'kommun',
        png: Buffer.from('not a png'),
        width: 10,
        height: 10,
        sourceFormat: 'png',
        sourceBytes: 9,
        sha256: '0'.repeat(64),
        filename: 'trasig.png',
        uploadedBy: 'kalle',
        uploadedAt: new Date(t.clock.now()).toISOString(),
      });
      const broken = await kalle.post('/api/items', {
        content: { kind: 'image', image: 'img-trasig', caption: 'Vinter' },
        infoLink: 'https://vara.se/vinter',
        submit: true,
      });
      expect(broken.status).toBe(201);
      // Its lint refuses approval (the picture cannot be read), so it is made approved in the store, as an import would.
      const record = t.runtime.workflow.items.repo.byId(broken.body.item.id);
      if (!record) throw new Error('the broken picture item was not saved');
      t.runtime.workflow.items.repo.save({ ...record, state: 'approved' });
      await kalle.request(
        'PUT',
        '/api/playlist/draft',
        { entries: [{ itemId: torg }, { itemId: later.body.item.id }, { itemId: broken.body.item.id }] },
        { headers: { 'if-match': (await kalle.get('/api/playlist/draft')).headers.get('etag') ?? '' } },
      );
      t.runtime.workflow.playlist.publish({ username: 'cli:test', organisation: 'kommun', role: 'admin' });
      for (let i = 0; i < 30; i++) {
        await t.runtime.tick();
        t.clock.advance(1_000);
      }

      const page = await newPage();
      await login(page, 'kalle');
      await page.goto(`${t.url}/spellista`);
      await page.waitForSelector(`[data-cannot-air="${broken.body.item.id}"][data-code="picture-unreadable"]`);
      expect(await page.textContent('#cannot-air')).toContain('bilden går inte att läsa');
      await page.waitForSelector('[data-timeline="E20-N"] svg rect');
      await page.waitForSelector('[data-timeline="E20-S"] svg rect');
      const nextTorg = await page.getAttribute(`[data-airs="${torg}"] td[data-sign="E20-N"]`, 'data-next-at');
      expect(Date.parse(nextTorg ?? '')).toBeGreaterThanOrEqual(t.clock.now() - 60_000);
      expect(await page.textContent(`[data-airs="${later.body.item.id}"] td[data-sign="E20-N"]`)).toContain('Från');
      await shot(page, '23-spellista-nar-visas');
      await page.check('input[name=airs][value="168"]');
      await poll(() =>
        page.getAttribute(`[data-airs="${later.body.item.id}"] td[data-sign="E20-N"]`, 'data-next-at'),
      ).toMatch(/^2026-12-04T23:00/);

      // "Visa nu" for the market, on the northbound sign only, for 15 minutes.
      await page.click(`[data-show-now="${torg}"]`);
      await page.uncheck(`input[name="show-sign-${torg}"][value="E20-S"]`);
      await page.click(`[data-show-now-form="${torg}"] button[type=submit]`);
      await poll(() => page.textContent('#playlist-message')).toContain('visas nu på E20 norrgående');
      await page.waitForSelector('[data-override]');
      const overrides = (await kalle.get('/api/schedule')).body.overrides;
      expect(overrides).toMatchObject([{ itemId: torg, signs: ['E20-N'], state: 'active', createdBy: 'kalle' }]);
      expect(Date.parse(overrides[0].endsAt) - t.clock.now()).toBe(15 * 60_000);
      await shot(page, '24-spellista-visa-nu');
      await page.click('[data-override] button:text-is("Avsluta")');
      await page.waitForSelector('[data-override]', { state: 'detached' });
      expect((await kalle.get('/api/schedule')).body.overrides).toEqual([]);
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );
});

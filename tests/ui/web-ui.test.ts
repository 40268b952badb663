import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYSTEM_ACTOR } from '../../src/auth/accounts.ts';
import { frameToRgba } from '../../src/render/frame.ts';
import { renderItemForSign } from '../../src/render/sign-page.ts';
import { build, type TestApp } from '../helper.ts';
import { ARTIFACTS, launchChromium } from './browser.ts';

/**
 * The Swedish web UI end to end: real Chromium (Debian's, never downloaded), the real app on a real port with a
 * temp SQLite file and a ManualClock. Screenshots of every page go to test-artifacts/ui/.
 */

/** Per test: a browser session on a busy two-core box; the whole file stays well under 90 s on a quiet one. */
const TEST_MS = 60_000;

const USERS = {
  konserthus: {
    username: 'anna.konserthus',
    password: 'anna-losenord-2026',
    organisation: 'konserthus',
    role: 'submitter',
    displayName: 'Anna Ek',
  },
  communicator: {
    username: 'kalle.kommun',
    password: 'kalle-losenord-2026',
    organisation: 'kommun',
    role: 'communicator',
    displayName: 'Kalle Berg',
  },
} as const;

/** The few browser types the in-page functions below use: the tests compile against Node's lib, not the DOM's. */
interface PageImage {
  complete: boolean;
  naturalWidth: number;
  naturalHeight: number;
}
interface PageCanvas {
  width: number;
  height: number;
  getContext(kind: '2d'): {
    drawImage(image: PageImage, x: number, y: number): void;
    getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray };
  };
}
declare const document: { querySelector<T>(selector: string): T | null; createElement(tag: 'canvas'): PageCanvas };

let t: TestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];

async function waitFor<T>(
  what: string,
  check: () => Promise<T | null | undefined | false> | T | null | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** expect.poll with room for a busy machine: logins cost a scrypt hash each, previews a render. */
const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000, interval: 100 });

/** FNV-1a over RGBA bytes: the same function runs in the page, over what the browser decoded. */
function fnv(bytes: Uint8ClampedArray | Uint8Array): number {
  let h = 2166136261;
  for (const b of bytes) h = Math.imul(h ^ b, 16777619) >>> 0;
  return h;
}

/** What a sign mirror on the page shows now, as the hash of its decoded pixels. */
function mirrorHash(page: Page, signId: string): Promise<number | null> {
  return page.evaluate((id) => {
    const img = document.querySelector<PageImage>(`img[data-mirror="live"][data-sign-id="${id}"]`);
    if (!img?.complete || img.naturalWidth === 0) return null;
    const c = document.createElement('canvas');
    c.width = img.naturalWidth;
    c.height = img.naturalHeight;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    let h = 2166136261;
    for (const b of ctx.getImageData(0, 0, c.width, c.height).data) h = Math.imul(h ^ b, 16777619) >>> 0;
    return h;
  }, signId);
}

/** The hash of the page Skylt renders for a playlist item on a sign: what the sign must show. */
function expectedItemHash(signId: string, itemId: string): number {
  const sign = t.runtime.signs.get(signId);
  // A page of the published playlist, or of the fallback loop when nothing is published.
  const item = [...(t.runtime.publishedPlaylist()?.items ?? []), ...t.runtime.playlistFile.items].find(
    (i) => i.id === itemId,
  );
  if (!sign || !item) throw new Error(`no sign ${signId} or item ${itemId}`);
  return fnv(frameToRgba(renderItemForSign(item, sign.surface), sign.config.monoColour));
}

async function health() {
  const res = await fetch(`${t.url}/api/health`);
  return (await res.json()) as {
    signs: Array<{ id: string; showing: { priority: string; itemId: string | null } | null }>;
  };
}

async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'sv-SE', timezoneId: 'Europe/Stockholm' });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  return page;
}

async function login(page: Page, user: { username: string; password: string }): Promise<void> {
  await page.goto(`${t.url}/logga-in`);
  await page.fill('#username', user.username);
  await page.fill('#password', user.password);
  await page.click('#login-button');
  await page.waitForURL((u) => !u.pathname.startsWith('/logga-in'));
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Steps the signs (ticks, with the clock moving a dwell at a time) until `done`. */
async function playUntil(what: string, done: () => Promise<boolean>): Promise<void> {
  await waitFor(
    what,
    async () => {
      t.clock.advance(5_000);
      await t.runtime.tick();
      return done();
    },
    15_000,
  );
}

function posterPng(): string {
  const canvas = createCanvas(600, 300);
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#101030';
  ctx.fillRect(0, 0, 600, 300);
  ctx.fillStyle = '#f0c040';
  ctx.beginPath();
  ctx.arc(300, 150, 110, 0, Math.PI * 2);
  ctx.fill();
  const file = join(t.dataDir, 'julkonsert-affisch.png');
  writeFileSync(file, canvas.toBuffer('image/png'));
  return file;
}

describe('the Swedish web UI in Chromium', () => {
  beforeAll(async () => {
    // A known first admin, so the first start prints no generated password into the test output.
    process.env.SKYLT_ADMIN_PASSWORD ??= 'ui-test-admin-password';
    // No crisis feed: the tests reach nothing beyond loopback.
    t = await build({ env: { SKYLT_VMA_URL: 'off' }, listen: true });
    for (const u of Object.values(USERS)) await t.runtime.workflow.accounts.createUser(u, SYSTEM_ACTOR);
    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
  });

  it(
    'a Konserthus user submits an event with an image; a communicator approves and publishes it; the sign mirror shows the event',
    async () => {
      const anna = await newPage();
      await anna.goto(`${t.url}/logga-in`);
      await shot(anna, '01-logga-in');
      await anna.fill('#username', USERS.konserthus.username);
      await anna.fill('#password', 'fel-losenord-1');
      await anna.click('#login-button');
      await poll(() => anna.textContent('#login-message')).toContain('Fel användarnamn eller lösenord');
      await shot(anna, '01-logga-in-fel');
      await login(anna, USERS.konserthus);

      // The picture: a page of its own, uploaded and previewed.
      await anna.goto(`${t.url}/skicka`);
      await anna.check('input[name=kind][value=image]');
      await anna.setInputFiles('#image-file', posterPng());
      await poll(() => anna.textContent('#image-status')).toContain('Uppladdad');
      await anna.fill('#image-caption', 'Julkonsert 12 dec');
      await anna.fill('#info-link', 'https://varakonserthus.se/julkonsert');
      await anna.waitForSelector('[data-preview-sign="E20-N"] img:not([hidden])');
      await anna.click('#submit-button');
      await anna.waitForURL((u) => u.pathname === '/mina-poster');

      // The event, with the live preview and the lint as the user types.
      await anna.goto(`${t.url}/skicka`);
      await anna.fill('#event-title', 'Julkonsert');
      await anna.fill('#event-starts', '2026-12-12T19:00');
      await anna.fill('#event-venue', 'Vara Konserthus');
      await anna.fill('#info-link', 'https://varakonserthus.se/julkonsert');
      await anna.waitForSelector('[data-lint="ok"]');
      await anna.waitForSelector('[data-preview-sign="E20-N"] img:not([hidden])');
      await anna.waitForSelector('[data-preview-sign="E20-S"] img:not([hidden])');
      await shot(anna, '02-skicka');
      await anna.click('#submit-button');
      await anna.waitForURL((u) => u.pathname === '/mina-poster');
      await anna.waitForSelector('[data-state="pending"]');
      await shot(anna, '03-mina-poster');

      const pending = t.runtime.workflow.items.repo.list({ scope: 'all' }, { state: 'pending' }, 10, 0).rows;
      const event = pending.find((i) => i.content.kind === 'event');
      const image = pending.find((i) => i.content.kind === 'image');
      expect(event && image).toBeTruthy();
      if (!event || !image) return;

      // The communicator: the queue (with its count on every page), approve both, publish.
      const kalle = await newPage();
      await login(kalle, USERS.communicator);
      await kalle.goto(`${t.url}/granska`);
      await poll(() => kalle.textContent('#pending-count')).toBe('2');
      await kalle.waitForSelector(`[data-item-id="${event.id}"] img.sign-frame`);
      await shot(kalle, '04-granska');
      for (const item of [image, event]) {
        await kalle.click(`[data-item-id="${item.id}"] button:text-is("Godkänn")`);
        await kalle.waitForSelector(`[data-item-id="${item.id}"]`, { state: 'detached' });
      }
      await poll(() => kalle.textContent('#pending-count')).toBe('0');

      await kalle.goto(`${t.url}/spellista`);
      await kalle.waitForSelector('[data-diff="changes"]');
      await kalle.waitForSelector(`[data-filmstrip="E20-N"] img`);
      await shot(kalle, '05-spellista');
      await kalle.click('#publish-button');
      await poll(() => kalle.textContent('#playlist-message')).toContain('Publicerat som version 1');

      // The signs play it; the live mirror on /skyltar shows the event, pixel for pixel as Skylt renders it.
      await playUntil('the event on both signs', async () =>
        (await health()).signs.every((s) => s.showing?.priority === 'scheduled' && s.showing.itemId === event.id),
      );
      await kalle.goto(`${t.url}/skyltar`);
      for (const signId of ['E20-N', 'E20-S']) {
        const expected = expectedItemHash(signId, event.id);
        await poll(() => mirrorHash(kalle, signId)).toBe(expected);
        await poll(() => kalle.getAttribute(`[data-sign-facts="${signId}"] [data-showing]`, 'data-showing')).toBe(
          event.id,
        );
      }
      await shot(kalle, '06-skyltar');

      await kalle.goto(`${t.url}/rapporter`);
      await kalle.waitForSelector('#chart svg');
      await shot(kalle, '07-rapporter');
      const csv = await kalle.evaluate(async () => {
        const a = document.querySelector<{ href: string }>('#csv-link');
        const res = await fetch(a?.href ?? '');
        return { status: res.status, type: res.headers.get('content-type') };
      });
      expect(csv).toEqual({ status: 200, type: expect.stringContaining('text/csv') });
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'a communicator starts a crisis and ends it, and both sign mirrors follow',
    async () => {
      // A feed's proposal waits for a decision: one click dismisses it.
      const proposal = t.runtime.crisis.propose({
        source: 'krisinformation',
        alertId: 'ki-test-1',
        headline: 'Brand i Vara',
        instruction: 'Stäng fönster',
        actor: 'krisinformation',
        reason: 'Krisinformation.se, Västra Götalands län',
      });
      const phone = await newPage({ width: 390, height: 844 });
      await login(phone, USERS.communicator);
      await phone.goto(`${t.url}/skyltar`);
      await poll(() => phone.textContent('.crisis-banner')).toContain('förslag från krisflödena');
      await phone.goto(`${t.url}/kris`);
      await phone.waitForSelector('[data-crisis-active="false"]');
      await phone.waitForSelector(`[data-proposal="${proposal.id}"]`);
      await shot(phone, '08-kris-forslag');
      await phone.click(`[data-proposal="${proposal.id}"] button:has-text("Avfärda")`);
      await phone.waitForSelector(`[data-proposal="${proposal.id}"]`, { state: 'detached' });
      expect(t.runtime.crisis.get(proposal.id).state).toBe('dismissed');

      for (const id of ['E20-N', 'E20-S']) await poll(() => mirrorHash(phone, id)).not.toBeNull();
      const before = { 'E20-N': await mirrorHash(phone, 'E20-N'), 'E20-S': await mirrorHash(phone, 'E20-S') };

      await phone.click('.template-list label:has-text("Gasutsläpp")');
      await phone.click('#start-form button[type=submit]');
      // The preview is Skylt's exact crisis page for each sign (POST /api/crisis/preview.png).
      await poll(() =>
        phone.$$eval(
          '#confirm:not([hidden]) img.sign-frame',
          (imgs) => imgs.filter((i) => (i as unknown as { naturalWidth: number }).naturalWidth === 384).length,
        ),
      ).toBe(2);
      await shot(phone, '09-kris-bekrafta');
      await phone.click('#confirm-start');
      await phone.waitForSelector('[data-crisis-active="true"]');

      await playUntil('the crisis confirmed on both signs', async () =>
        (await health()).signs.every((s) => s.showing?.priority === 'crisis'),
      );
      for (const id of ['E20-N', 'E20-S']) {
        await phone.waitForSelector(`[data-confirm-sign="${id}"][data-confirmed="true"]`, { timeout: 10_000 });
        const crisisFrame = await waitFor('the specific crisis frame', async () => {
          const h = await mirrorHash(phone, id);
          return h !== null && h !== before[id as 'E20-N'] ? h : null;
        });
        expect(crisisFrame).not.toBe(before[id as 'E20-N']);
      }
      await shot(phone, '10-kris-aktiv');

      await phone.click('#end-crisis');
      await phone.click('#end-yes');
      await phone.waitForSelector('[data-crisis-active="false"]');
      await playUntil('both signs back on the schedule', async () =>
        (await health()).signs.every((s) => s.showing !== null && s.showing.priority !== 'crisis'),
      );
      const after = await health();
      for (const s of after.signs) {
        const expected = s.showing?.itemId ? expectedItemHash(s.id, s.showing.itemId) : null;
        if (expected !== null) await poll(() => mirrorHash(phone, s.id)).toBe(expected);
      }
      await shot(phone, '11-kris-avslutad');
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'a submitter cannot reach the review or crisis pages',
    async () => {
      const anna = await newPage();
      await login(anna, USERS.konserthus);
      const nav = await anna.locator('.site-nav a').allTextContents();
      expect(nav.join(' ')).not.toMatch(/Granska|Krisläge|Spellista/);
      for (const path of ['/granska', '/kris', '/spellista']) {
        await anna.goto(`${t.url}${path}`);
        await anna.waitForSelector('#no-access');
        expect(await anna.locator('#page').count()).toBe(0);
      }
      await shot(anna, '12-ingen-behorighet');
      await anna.goto(`${t.url}/konto`);
      await anna.waitForSelector('#password-form');
      await shot(anna, '13-konto');
      const statuses = await anna.evaluate(async () =>
        Promise.all(
          ['/api/crisis', '/api/items/x/approve', '/api/playlist/draft'].map(
            async (p, i) => (await fetch(p, { method: i === 1 ? 'POST' : 'GET' })).status,
          ),
        ),
      );
      expect(statuses).toEqual([403, 403, 403]);
      expect(pageErrors).toEqual([]);
    },
    TEST_MS,
  );
});

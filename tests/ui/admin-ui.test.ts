import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, build, type Client, PASSWORD, type TestApp } from '../helper.ts';
import { concert } from '../workflow/helpers.ts';
import { ARTIFACTS, launchChromium } from './browser.ts';

/**
 * Accounts and safety in real Chromium (Debian's, never downloaded) against the real app: the login page's `next`
 * never leaves the site (12.12), a generated password must be replaced before anything else (12.14), an admin
 * manages accounts on /anvandare (13.7), a communicator reads /logg without other organisations' drafts (12.11,
 * 13.7), and a picture is checked before it is sent, with progress and the real reason (12.15, 13.10).
 */

const TEST_MS = 90_000;

let t: TestApp;
let browser: Browser;
const contexts: BrowserContext[] = [];
const pageErrors: string[] = [];
let kajsa: Client;

const poll = <T>(fn: () => Promise<T> | T) => expect.poll(fn, { timeout: 15_000, interval: 100 });

async function newPage(viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, locale: 'sv-SE', timezoneId: 'Europe/Stockholm' });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(`${page.url()}: ${e.message}`));
  return page;
}

async function signIn(page: Page, username: string, password: string, next?: string): Promise<void> {
  await page.goto(`${t.url}/logga-in${next === undefined ? '' : `?next=${next}`}`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login-button');
  await page.waitForURL((u) => !u.pathname.startsWith('/logga-in'));
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

describe('accounts and safety in Chromium', () => {
  beforeAll(async () => {
    t = await build({ listen: true });
    kajsa = await t.user('kajsa', 'konserthus', 'submitter');
    await t.user('maria', 'kommun', 'communicator');
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser?.close();
    await t?.close();
    expect(pageErrors).toEqual([]);
  });

  it(
    "the login page's next never leads off the site",
    async () => {
      for (const next of ['/%5Cevil.example/', '/%09/evil.example/', '//evil.example/', 'https://evil.example/']) {
        const page = await newPage();
        await signIn(page, 'kajsa', PASSWORD, next);
        const url = new URL(page.url());
        expect(url.origin, next).toBe(t.url);
        expect(url.pathname).toBe('/mina-poster');
      }
      const page = await newPage();
      await signIn(page, 'kajsa', PASSWORD, encodeURIComponent('/skicka?typ=event'));
      expect(new URL(page.url()).pathname).toBe('/skicka');
    },
    TEST_MS,
  );

  it(
    'an admin creates an account; its one-time password leads only to choosing one of their own',
    async () => {
      const admin = await newPage();
      await signIn(admin, 'admin', ADMIN_PASSWORD);
      await admin.goto(`${t.url}/anvandare`);
      await admin.waitForSelector('tr[data-username="kajsa"]');
      await admin.fill('#new-username', 'lisa.ek');
      await admin.fill('#new-display-name', 'Lisa Ek');
      await admin.selectOption('#new-organisation', 'konserthus');
      await admin.click('#new-user-button');
      const secret = await admin.waitForSelector('[data-secret="lisa.ek"]');
      const oneTime = (await secret.textContent())?.trim() ?? '';
      expect(oneTime).toHaveLength(20);
      await admin.waitForSelector('tr[data-username="lisa.ek"][data-state="new-password"]');
      await shot(admin, '20-anvandare');

      const lisa = await newPage();
      await signIn(lisa, 'lisa.ek', oneTime);
      // Straight to Mitt konto: any other page sends her back there.
      await lisa.waitForURL((u) => u.pathname === '/konto');
      await poll(() => lisa.textContent('#account-message')).toContain('tillfälligt lösenord');
      await lisa.goto(`${t.url}/skicka`);
      await lisa.waitForURL((u) => u.pathname === '/konto');
      await shot(lisa, '21-konto-byt-losenord');
      await lisa.fill('#current-password', oneTime);
      await lisa.fill('#new-password', 'lisas-eget-losenord-2026');
      await lisa.fill('#repeat-password', 'lisas-eget-losenord-2026');
      await lisa.click('#password-button');
      await lisa.waitForURL((u) => u.pathname === '/mina-poster');
      await admin.reload();
      await admin.waitForSelector('tr[data-username="lisa.ek"][data-state="active"]');
    },
    TEST_MS,
  );

  it(
    'an admin sees a locked account, unlocks it, disables and enables it, and gives a new password',
    async () => {
      for (let i = 0; i < 5; i++)
        await t.anonymous().post('/api/auth/login', { username: 'kajsa', password: `fel-losenord-${i}` });
      const admin = await newPage();
      await signIn(admin, 'admin', ADMIN_PASSWORD);
      await admin.goto(`${t.url}/anvandare`);
      const row = 'tr[data-username="kajsa"]';
      await admin.waitForSelector(`${row}[data-state="locked"]`);
      await admin.click(`${row} >> text=Lås upp`);
      await admin.waitForSelector(`${row}[data-state="active"]`);
      expect((await t.anonymous().post('/api/auth/login', { username: 'kajsa', password: PASSWORD })).status).toBe(200);
      await admin.click(`${row} >> text=Stäng av`);
      await admin.waitForSelector(`${row}[data-state="disabled"]`);
      expect((await kajsa.get('/api/items')).status).toBe(401);
      await admin.click(`${row} >> text=Aktivera`);
      await admin.waitForSelector(`${row}[data-state="active"]`);
      await admin.click(`${row} >> text=Nytt lösenord`);
      const oneTime = (await (await admin.waitForSelector('[data-secret="kajsa"]')).textContent())?.trim() ?? '';
      expect(
        (await t.anonymous().post('/api/auth/login', { username: 'kajsa', password: oneTime })).body.user,
      ).toMatchObject({ username: 'kajsa', mustChangePassword: true });
      // A communicator is no admin: no such page in the menu, and the page says so.
      const maria = await newPage();
      await signIn(maria, 'maria', PASSWORD);
      expect(await maria.locator('nav a[href="/anvandare"]').count()).toBe(0);
      await maria.goto(`${t.url}/anvandare`);
      await maria.waitForSelector('#no-access');
    },
    TEST_MS,
  );

  it(
    "a communicator reads the log, without another organisation's drafts or anyone's accounts",
    async () => {
      const konserthus = await t.user('sara', 'konserthus', 'submitter');
      await konserthus.post('/api/items', concert({ content: { ...concert().content, title: 'Hemlig gäst' } }));
      await konserthus.post('/api/items', concert({ submit: true }));
      const maria = await newPage();
      await signIn(maria, 'maria', PASSWORD);
      await maria.click('nav a[href="/logg"]');
      await maria.waitForSelector('#log-table tbody tr');
      const text = (await maria.textContent('#log-table')) ?? '';
      expect(text).toContain('Skapade och skickade in posten');
      expect(text).toContain('”Julkonsert”');
      expect(text).not.toContain('Hemlig gäst');
      expect(text).not.toContain('Skapade kontot');
      expect(text).not.toContain('Loggade in');
      await shot(maria, '22-logg');
    },
    TEST_MS,
  );

  it(
    'a picture is checked before it is sent, shows its progress, and a refusal says why',
    async () => {
      const page = await newPage();
      await signIn(page, 'sara', PASSWORD);
      await page.goto(`${t.url}/skicka`);
      await page.check('input[name=kind][value=image]');
      const uploads: string[] = [];
      page.on('request', (r) => {
        if (r.url().endsWith('/api/images') && r.method() === 'POST') uploads.push(r.url());
      });

      // Too large: refused here, nothing sent.
      const big = join(t.dataDir, 'stor.png');
      writeFileSync(big, Buffer.alloc(11 * 1024 * 1024, 1));
      await page.setInputFiles('#image-file', big);
      await poll(() => page.textContent('#image-status')).toContain('större än 10 MB');
      expect(uploads).toEqual([]);

      // Declares 40000 x 40000 pixels: the browser cannot read it, the server refuses it from its header.
      const bomb = Buffer.alloc(33);
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bomb, 0);
      bomb.writeUInt32BE(13, 8);
      bomb.write('IHDR', 12, 'latin1');
      bomb.writeUInt32BE(40_000, 16);
      bomb.writeUInt32BE(40_000, 20);
      const bombFile = join(t.dataDir, 'bomb.png');
      writeFileSync(bombFile, bomb);
      await page.setInputFiles('#image-file', bombFile);
      await poll(() => page.textContent('#image-status')).toContain('över 50 megapixel');
      expect(uploads).toHaveLength(1);
      await shot(page, '23-skicka-bild-nekad');

      // A real picture over a slow line: the progress shows, then what was stored.
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 20,
        downloadThroughput: -1,
        uploadThroughput: 400 * 1024,
      });
      const canvas = createCanvas(1600, 1200);
      const ctx = canvas.getContext('2d');
      for (let i = 0; i < 4000; i++) {
        ctx.fillStyle = `hsl(${i % 360}, 70%, ${20 + (i % 50)}%)`;
        ctx.fillRect((i * 37) % 1600, (i * 53) % 1200, 40, 40);
      }
      const photo = join(t.dataDir, 'foto.png');
      writeFileSync(photo, canvas.toBuffer('image/png'));
      // Every text the status shows is recorded as it changes: a poll can miss a progress line on a busy machine.
      await page.evaluate(`(() => {
        const status = document.querySelector('#image-status');
        globalThis.statusTexts = [];
        new MutationObserver(() => globalThis.statusTexts.push(status.textContent ?? '')).observe(status, {
          childList: true,
          characterData: true,
          subtree: true,
        });
      })()`);
      await page.setInputFiles('#image-file', photo);
      await poll(() =>
        page.evaluate(() => (globalThis as unknown as { statusTexts: string[] }).statusTexts.join('\n')),
      ).toMatch(/Laddar upp … \d+ %/);
      await poll(() => page.textContent('#image-status')).toContain('Uppladdad: 1536×1152 bildpunkter');
    },
    TEST_MS,
  );
});

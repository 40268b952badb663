// 14.7: one page list for the server and the menu; it and the HTML files cannot drift apart.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WEB_PAGES } from '../../src/api/web-routes.ts';

const PAGES_DIR = join(process.cwd(), 'src/web/pages');

describe('the page list', () => {
  it('names every HTML page once, and each page has the title the list gives it', () => {
    const files = readdirSync(PAGES_DIR).filter((f) => f.endsWith('.html'));
    expect(WEB_PAGES.map((p) => p.file).sort()).toEqual(files.sort());
    expect(new Set(WEB_PAGES.map((p) => p.path)).size).toBe(WEB_PAGES.length);
    for (const page of WEB_PAGES) {
      const html = readFileSync(join(PAGES_DIR, page.file), 'utf8');
      const title = /<title>([^<]*)<\/title>/.exec(html)?.[1];
      expect(title, page.file).toBe(page.path === '/' ? page.title : `${page.title} – Skylt`);
    }
  });

  it('puts in the menu only pages that need a login, each with its own label', () => {
    const menu = WEB_PAGES.filter((p) => p.menu);
    expect(menu.map((p) => p.path)).toEqual([
      '/skicka',
      '/mina-poster',
      '/granska',
      '/spellista',
      '/kris',
      '/skyltar',
      '/rapporter',
      '/logg',
      '/anvandare',
    ]);
    expect(menu.every((p) => p.audience !== 'anyone')).toBe(true);
    expect(new Set(menu.map((p) => p.menu)).size).toBe(menu.length);
  });
});

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  landingOf,
  PASS_THROUGH,
  type Person,
  pageFiles,
  startTour,
  stopsFor,
  TOUR,
  type Tour,
  visit,
  watchForTrouble,
} from './page-tour.ts';

/**
 * Issue 13.11 in real Chromium (Debian's, never downloaded): every page, signed in as the person it is for and full of
 * a working week's content, passes axe-core's WCAG 2 A/AA rules with no serious or critical violation, on a desktop
 * and on a phone; no page load logs a console error or has a request fail, for any role or for someone not signed
 * in; and the tables that scroll sideways on /spellista and /rapporter are reached and scrolled with the keyboard.
 */

const TEST_MS = 240_000;
/** axe-core's own build, run in each page as it is (the page's CSP stays on: evaluate is no script tag). */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

/** The few browser types the in-page functions below use: the tests compile against Node's lib, not the DOM's. */
interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}
interface PageElement {
  tabIndex: number;
  scrollLeft: number;
  scrollWidth: number;
  clientWidth: number;
  tagName: string;
  id: string;
  getAttribute(name: string): string | null;
  closest(selector: string): PageElement | null;
}
declare const axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> };
declare const document: { activeElement: PageElement | null; querySelectorAll(s: string): Iterable<PageElement> };

let tour: Tour;

/** axe-core's serious and critical violations of the WCAG 2.0/2.1 A and AA rules on the page as it is now. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const { violations } = await page.evaluate(() =>
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} at ${n.target.join(' ')}`));
}

/**
 * Loads every page as each role and as someone not signed in, and returns what went wrong in the browser. With
 * content, each page is awaited until it has drawn it; without, until it has shown itself.
 */
async function pageLoadTrouble(on: Tour, content: boolean): Promise<string[]> {
  const trouble: string[] = [];
  const paths = [...PASS_THROUGH, ...TOUR.map((s) => s.path)];
  for (const who of ['anonymous', 'submitter', 'communicator', 'admin'] as const) {
    const page = await on.visitor(who);
    const seen = watchForTrouble(page);
    const mine = stopsFor(who);
    for (const path of paths) {
      await page.goto(`${on.t.url}${path}`);
      const stop = mine.find((s) => s.path === path);
      if (who === 'anonymous') {
        // Every page sends someone not signed in to the login page, quietly.
        await page.waitForURL((u) => u.pathname === '/logga-in');
        await page.waitForSelector('#login-form');
      } else if (stop && stop.role !== 'anonymous')
        await page.waitForSelector(content ? stop.ready : '#page:not([hidden])');
      else if (path === '/' || path === '/logga-in') await page.waitForURL((u) => u.pathname === landingOf(who));
      else await page.waitForSelector('#no-access');
      // What the page asks after drawing (timelines, mirrors, counts) counts too.
      await page.waitForLoadState('networkidle');
      for (const s of seen.splice(0)) trouble.push(`${who} ${path}: ${s}`);
    }
  }
  return trouble;
}

describe('accessibility and clean page loads in Chromium', () => {
  beforeAll(async () => {
    tour = await startTour();
  }, 180_000);
  afterAll(async () => {
    await tour?.close();
  });

  it('the tour covers every page of the UI', async () => {
    expect(await pageFiles(tour.t.url, [...TOUR.map((s) => s.path), ...PASS_THROUGH])).toEqual(
      expect.objectContaining({ missing: [] }),
    );
  });

  it(
    'every page passes axe-core (WCAG 2 A/AA) on a desktop and on a phone, with no serious or critical violation',
    async () => {
      const found: string[] = [];
      for (const who of ['anonymous', 'submitter', 'communicator', 'admin'] as const) {
        const page = await tour.visitor(who);
        for (const stop of TOUR.filter((s) => s.role === who)) {
          await page.setViewportSize(DESKTOP);
          await visit(page, tour.t.url, stop);
          for (const v of await axeViolations(page)) found.push(`${stop.path} (desktop): ${v}`);
          // The same page turned into a phone: tables start to scroll, the chart redraws narrower.
          await page.setViewportSize(PHONE);
          await page.waitForTimeout(300);
          for (const v of await axeViolations(page)) found.push(`${stop.path} (phone): ${v}`);
        }
      }
      expect(found).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'no page load logs a console error or has a request fail, for anyone signed in or not',
    async () => {
      expect(await pageLoadTrouble(tour, true)).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'nor on the first day, with nothing submitted or published yet',
    async () => {
      const firstDay = await startTour({ content: false });
      try {
        expect(await pageLoadTrouble(firstDay, false)).toEqual([]);
      } finally {
        await firstDay.close();
      }
    },
    TEST_MS,
  );

  it(
    'the tables that scroll sideways on /spellista and /rapporter are named regions, reached with Tab and scrolled with the arrow keys',
    async () => {
      const checked: string[] = [];
      for (const stop of TOUR.filter((s) => s.path === '/spellista' || s.path === '/rapporter')) {
        const page = await tour.visitor(stop.role as Person, PHONE);
        await visit(page, tour.t.url, stop);
        const scrolling = await page.evaluate(() =>
          [...document.querySelectorAll('.table-wrap')]
            .filter((w) => w.scrollWidth > w.clientWidth)
            .map((w) => ({
              label: w.getAttribute('aria-label'),
              tabIndex: w.tabIndex,
              section: w.tagName === 'SECTION',
            })),
        );
        // On a phone every one of them is wider than the screen: the test would prove nothing otherwise.
        expect(scrolling.length, stop.path).toBe(3);
        for (const w of scrolling) {
          // A <section> with a name is a region: a screen reader says which table the focus is in.
          expect(w, stop.path).toEqual({ label: expect.stringMatching(/tabell$/), tabIndex: 0, section: true });
        }
        // From the top of the page, Tab alone reaches each one; the arrow keys then move the table, not the page.
        await page.evaluate(() => (document.activeElement as unknown as { blur(): void } | null)?.blur());
        const reached = new Set<string>();
        for (let i = 0; i < 150 && reached.size < scrolling.length; i++) {
          await page.keyboard.press('Tab');
          const label = await page.evaluate(() =>
            document.activeElement?.closest('.table-wrap') === document.activeElement
              ? document.activeElement?.getAttribute('aria-label')
              : null,
          );
          if (!label || reached.has(label)) continue;
          reached.add(label);
          const before = await page.evaluate(() => document.activeElement?.scrollLeft ?? -1);
          for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowRight');
          await expect
            .poll(() => page.evaluate(() => document.activeElement?.scrollLeft ?? -1), { timeout: 3000 })
            .toBeGreaterThan(before);
          checked.push(`${stop.path} ${label}`);
        }
        expect([...reached].sort(), stop.path).toEqual(scrolling.map((w) => w.label).sort());
      }
      expect(checked).toHaveLength(6);
    },
    TEST_MS,
  );
});

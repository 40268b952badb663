import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS } from './browser.ts';
import { startTour, TOUR, type Tour, visit } from './page-tour.ts';

/**
 * Issue 13.11 on a phone (390 x 844 CSS pixels, an iPhone 12-15) in real Chromium: no page scrolls sideways, signed in
 * as the person it is for and full of content, and the airtime chart on /rapporter fits the screen with text a
 * person can read (12 px or more, nothing cut off or drawn over other text). Screenshots go to test-artifacts/ui/.
 */

const TEST_MS = 180_000;
const PHONE = { width: 390, height: 844 };

/** The few browser types the in-page functions below use: the tests compile against Node's lib, not the DOM's. */
interface Box {
  left: number;
  right: number;
  top: number;
  bottom: number;
  width: number;
}
interface PageElement {
  getBoundingClientRect(): Box;
  textContent: string | null;
  tagName: string;
  id: string;
  className: unknown;
  parentElement: PageElement | null;
  querySelectorAll(s: string): Iterable<PageElement>;
}
declare const document: {
  scrollingElement: { scrollWidth: number };
  querySelector(s: string): PageElement | null;
  querySelectorAll(s: string): Iterable<PageElement>;
};
declare const innerWidth: number;
declare function getComputedStyle(el: PageElement): { fontSize: string; overflowX: string; position: string };

let tour: Tour;

describe('on a phone', () => {
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    tour = await startTour();
  }, 180_000);
  afterAll(async () => {
    await tour?.close();
  });

  it(
    'no page scrolls sideways at 390 px',
    async () => {
      const wide: string[] = [];
      for (const who of ['anonymous', 'submitter', 'communicator', 'admin'] as const) {
        const page = await tour.visitor(who, PHONE);
        for (const stop of TOUR.filter((s) => s.role === who)) {
          await visit(page, tour.t.url, stop);
          const { scrollWidth, width, culprits } = await page.evaluate(() => {
            // What sticks out, for the failure message: elements reaching past the right edge of the screen.
            const out: string[] = [];
            for (const el of document.querySelectorAll('body *')) {
              const r = el.getBoundingClientRect();
              if (r.right > innerWidth + 0.5 && out.length < 5)
                out.push(`${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} (right edge ${Math.round(r.right)})`);
            }
            return { scrollWidth: document.scrollingElement.scrollWidth, width: innerWidth, culprits: out };
          });
          if (scrollWidth > width) wide.push(`${stop.path}: ${scrollWidth} px wide, ${culprits.join(', ')}`);
          await page.screenshot({ path: join(ARTIFACTS, `telefon${stop.path.replace('/', '-')}.png`), fullPage: true });
        }
      }
      expect(wide).toEqual([]);
    },
    TEST_MS,
  );

  it(
    'the airtime chart on /rapporter fits the screen, its text 12 px or more, none of it cut off or overlapping',
    async () => {
      const stop = TOUR.find((s) => s.path === '/rapporter');
      if (!stop || stop.role === 'anonymous') throw new Error('no /rapporter in the tour');
      const page = await tour.visitor(stop.role, PHONE);
      await visit(page, tour.t.url, stop);
      await page.waitForSelector('#chart svg text');
      const chart = await page.evaluate(() => {
        const svg = document.querySelector('#chart svg');
        if (!svg) throw new Error('no chart');
        const box = svg.getBoundingClientRect();
        const viewBoxWidth = Number(
          (svg as unknown as { viewBox: { baseVal: { width: number } } }).viewBox.baseVal.width,
        );
        // How big the text is on the screen: its font size times the scale the SVG is drawn at.
        const scale = box.width / viewBoxWidth;
        const texts = [...svg.querySelectorAll('text')].map((t) => {
          const r = t.getBoundingClientRect();
          return {
            text: t.textContent ?? '',
            px: Number.parseFloat(getComputedStyle(t).fontSize) * scale,
            box: { left: r.left, right: r.right, top: r.top, bottom: r.bottom },
          };
        });
        return { box: { left: box.left, right: box.right }, width: innerWidth, texts };
      });
      expect(chart.box.left).toBeGreaterThanOrEqual(0);
      expect(chart.box.right).toBeLessThanOrEqual(chart.width);
      for (const t of chart.texts) {
        expect(t.px, t.text).toBeGreaterThanOrEqual(12);
        // Not cut: inside the chart, which is inside the screen.
        expect(t.box.left, t.text).toBeGreaterThanOrEqual(chart.box.left - 0.5);
        expect(t.box.right, t.text).toBeLessThanOrEqual(chart.box.right + 0.5);
      }
      const overlaps: string[] = [];
      for (const [i, a] of chart.texts.entries())
        for (const b of chart.texts.slice(i + 1))
          if (
            a.box.left < b.box.right &&
            b.box.left < a.box.right &&
            a.box.top < b.box.bottom &&
            b.box.top < a.box.bottom
          )
            overlaps.push(`"${a.text}" and "${b.text}"`);
      expect(overlaps).toEqual([]);
      // And it says what it shows: both organisations' names and shares, and the end of the scale.
      const all = chart.texts.map((t) => t.text).join(' | ');
      expect(all).toMatch(/Vara kommun: \d/);
      expect(all).toMatch(/Vara Konserthus: \d/);
      expect(all).toContain('100 %');
      await page.locator('#chart').screenshot({ path: join(ARTIFACTS, 'telefon-rapporter-diagram.png') });
    },
    TEST_MS,
  );
});

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_PAGES } from '../../src/api/web-routes.ts';
import { PASS_THROUGH, startTour, stopsFor, TOUR, type Tour, visit } from './page-tour.ts';

/**
 * Issue 13.11 in real Chromium (Debian's, never downloaded): every page, signed in as the person it is for and full of
 * a working week's content, passes axe-core's WCAG 2 A and AA rules with no serious or critical violation; no page
 * load logs a console error or has a request fail, for any role or for someone not signed in; and the scrolling
 * tables of /spellista and /rapporter can be reached and scrolled with the keyboard.
 */

const TEST_MS = 120_000;
/** axe-core's own build, injected into each page as it is (the page's CSP is left on: evaluate is not a script tag). */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}
declare const axe: {
  run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }>;
};

let tour: Tour;

/** axe-core's violations on the page as it is now, serious and critical only, as short readable lines. */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const { violations } = await page.evaluate(() =>
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id} (${v.impact}): ${v.help} at ${n.target.join(' ')}`));
}
declare const document: unknown;

describe('accessibility and clean page loads in Chromium', () => {
  beforeAll(async () => {
    tour = await startTour();
  }, 120_000);
  afterAll(async () => {
    await tour?.close();
  });

  it('the tour covers every page of the UI', () => {
    expect([...TOUR.map((s) => s.path), ...PASS_THROUGH].sort()).toEqual(Object.keys(WEB_PAGES).sort());
  });

  it(
    'every page passes axe-core (WCAG 2 A/AA) with no serious or critical violation',
    async () => {
      const found: string[] = [];
      for (const stop of TOUR) {
        const page = await tour.visitor(stop.role);
        await visit(page, tour.t.url, stop);
        for (const v of await axeViolations(page)) found.push(`${stop.path}: ${v}`);
        await page.context().close();
      }
      expect(found).toEqual([]);
    },
    TEST_MS,
  );
});


// The browser every UI test drives: Debian's Chromium through playwright-core (a browser is never downloaded).
// A machine without it fails the UI tests with what to install: the browser tests never skip.
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM = process.env.SKYLT_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots of the UI tests (the README's come from here). */
export const ARTIFACTS = join(process.cwd(), 'test-artifacts', 'ui');

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set SKYLT_CHROMIUM. The browser tests never skip.`,
    );
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

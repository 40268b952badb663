// 12.12: the login page's `next` parameter can never send a signed-in user to another site.
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain ES module of the web UI, without types
import { sameOriginPath } from '../../src/web/assets/js/shared/next-page.js';

const ORIGIN = 'https://skylt.vara.se';

describe('sameOriginPath', () => {
  it.each([
    '//evil.example/',
    '/\\evil.example/',
    '/%5Cevil.example/',
    '/\t/evil.example/',
    '/%09/evil.example/',
    '/\n/evil.example',
    '\\\\evil.example',
    'https://evil.example/',
    'javascript:alert(1)',
    '/logga-in?next=/granska',
    '',
    'granska',
  ])('refuses %j', (raw) => {
    // As the page reads it: URLSearchParams decodes the percent-encodings first.
    const next = new URLSearchParams(`next=${encodeURIComponent(raw).replace(/%25/g, '%')}`).get('next');
    expect(sameOriginPath(next, ORIGIN)).toBeNull();
  });

  it.each([
    ['/granska', '/granska'],
    ['/spellista?visa=vecka#E20-N', '/spellista?visa=vecka#E20-N'],
    ['/skicka/../mina-poster', '/mina-poster'],
  ])('keeps the same-origin path %j', (next, expected) => {
    expect(sameOriginPath(next, ORIGIN)).toBe(expected);
  });
});

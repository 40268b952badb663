/**
 * Where to go after signing in: only a page of this site. The `next` parameter comes from a link anyone can craft,
 * so it is resolved the way the browser would resolve it (backslashes, tabs and newlines, "//host", "javascript:"
 * and percent-encodings included) and kept only when it stays on this origin. Pure, so it is tested in Node too.
 */
export function sameOriginPath(next, origin) {
  if (typeof next !== 'string' || next === '' || !next.startsWith('/')) return null;
  // Browsers drop tabs and newlines from URLs and read "\" as "/": "/\t/evil.example" and "/\evil.example" are
  // both "//evil.example", another host. Refuse anything with them (or other control characters) outright.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f\\]/.test(next)) return null;
  let url;
  try {
    url = new URL(next, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  const path = `${url.pathname}${url.search}${url.hash}`;
  // Never back to the login page itself, and never a protocol-relative path.
  if (path.startsWith('//') || url.pathname === '/logga-in') return null;
  return path;
}

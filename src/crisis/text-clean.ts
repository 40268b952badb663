// Feed text arrives with HTML entities (Krisinformation headlines, SR VMA links) and sometimes HTML markup
// (Krisinformation BodyText). Signs and logs need plain text, so every adapter runs its strings through here.

// HTML 4 Latin-1 entity names, code points 160..255 in order: this covers å ä ö é ü and friends.
const LATIN1_NAMES =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute ' +
  'micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest Agrave Aacute Acirc Atilde Auml Aring AElig ' +
  'Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash ' +
  'Ugrave Uacute Ucirc Uuml Yacute THORN szlig agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc ' +
  'euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml ' +
  'yacute thorn yuml';

const NAMED_ENTITIES: ReadonlyMap<string, string> = (() => {
  const map = new Map<string, string>([
    ['amp', '&'],
    ['lt', '<'],
    ['gt', '>'],
    ['quot', '"'],
    ['apos', "'"],
    ['ndash', '\u2013'],
    ['mdash', '\u2014'],
    ['hellip', '\u2026'],
    ['lsquo', '\u2018'],
    ['rsquo', '\u2019'],
    ['sbquo', '\u201a'],
    ['ldquo', '\u201c'],
    ['rdquo', '\u201d'],
    ['bdquo', '\u201e'],
    ['bull', '\u2022'],
    ['euro', '\u20ac'],
    ['trade', '\u2122'],
    ['minus', '\u2212'],
    ['thinsp', '\u2009'],
    ['ensp', '\u2002'],
    ['emsp', '\u2003'],
    ['zwnj', '\u200c'],
    ['zwj', '\u200d'],
    ['OElig', '\u0152'],
    ['oelig', '\u0153'],
    ['Scaron', '\u0160'],
    ['scaron', '\u0161'],
  ]);
  LATIN1_NAMES.split(' ').forEach((name, i) => {
    map.set(name, String.fromCodePoint(160 + i));
  });
  return map;
})();

const ENTITY = /&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z][a-z0-9]{1,31});/gi;

/** Decodes named and numeric HTML entities; unknown names are left as they are. */
export function decodeHtmlEntities(text: string): string {
  return text.replace(ENTITY, (whole, body: string) => {
    if (body[0] === '#') {
      const code =
        body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number.parseInt(body.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return whole;
      return String.fromCodePoint(code);
    }
    return NAMED_ENTITIES.get(body) ?? whole;
  });
}

const BLOCK_BREAK = /<\s*(br|\/p|\/div|\/li|\/h[1-6]|\/tr|p|div|li|h[1-6]|tr)\b[^>]*>/gi;
const TAG = /<\/?[a-z!][^>]*>/gi;
const SCRIPT_OR_STYLE = /<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;

/**
 * Plain single-line text from feed text that may hold HTML: tags removed (block ends become spaces so words do not
 * run together), entities decoded, all whitespace runs (including CR/LF and non-breaking spaces) collapsed.
 */
export function toPlainText(input: string | null | undefined): string {
  if (input == null) return '';
  const withoutTags = String(input).replace(SCRIPT_OR_STYLE, ' ').replace(BLOCK_BREAK, ' ').replace(TAG, '');
  return decodeHtmlEntities(withoutTags)
    .replace(/[\s\u00a0\u2000-\u200b\u2028\u2029\u202f\u205f\u3000]+/g, ' ')
    .trim();
}

/** Like toPlainText, but an empty result becomes null (model fields are nullable, never empty strings). */
export function plainOrNull(input: unknown): string | null {
  if (typeof input !== 'string' && typeof input !== 'number') return null;
  const text = toPlainText(String(input));
  return text === '' ? null : text;
}

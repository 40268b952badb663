/**
 * Calls to action on a road sign (DESIGN.md Content rules): a phone number, an SMS code, Swish or a QR code asks a
 * driver to remember, type or scan at 100 km/h. Text is compared the way a reader sees it, not as it is encoded, so
 * that the rule cannot be stepped round: lookalike letters from other scripts ("SМS" with a Cyrillic М), invisible
 * characters (soft hyphens, zero-width spaces), full-width digits, letters for digits ("O7O", "l23"), and any
 * separator between digit groups ("070.123 45 67", "070/123 45 67").
 */

export interface CallToAction {
  readonly en: string;
  readonly sv: string;
}

// Lookalikes of Latin letters in Cyrillic and Greek (Unicode's confusables, the ones that matter for these words).
const CONFUSABLES: Record<string, string> = {
  А: 'A',
  В: 'B',
  Е: 'E',
  К: 'K',
  М: 'M',
  Н: 'H',
  О: 'O',
  Р: 'P',
  С: 'C',
  Т: 'T',
  У: 'Y',
  Х: 'X',
  Ѕ: 'S',
  І: 'I',
  Ј: 'J',
  Ԛ: 'Q',
  Ԝ: 'W',
  а: 'a',
  е: 'e',
  о: 'o',
  р: 'p',
  с: 'c',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'i',
  ј: 'j',
  ԛ: 'q',
  ԝ: 'w',
  һ: 'h',
  ӏ: 'l',
  Α: 'A',
  Β: 'B',
  Ε: 'E',
  Ζ: 'Z',
  Η: 'H',
  Ι: 'I',
  Κ: 'K',
  Μ: 'M',
  Ν: 'N',
  Ο: 'O',
  Ρ: 'P',
  Τ: 'T',
  Υ: 'Y',
  Χ: 'X',
  ο: 'o',
  ρ: 'p',
  ν: 'v',
  ι: 'i',
  κ: 'k',
  τ: 't',
  υ: 'u',
  χ: 'x',
};
const CONFUSABLE_RE = new RegExp(`[${Object.keys(CONFUSABLES).join('')}]`, 'g');
// Format characters that show as nothing (soft hyphen, zero-width space and joiners, word joiner, bidi marks, BOM),
// and the Hangul fillers that render blank.
const INVISIBLE_RE = /[\p{Cf}\u115f\u1160\u17b4\u17b5\u3164]/gu;
// Letters read as digits, inside a group that holds a real digit.
const DIGITISH: Record<string, string> = {
  O: '0',
  o: '0',
  D: '0',
  I: '1',
  l: '1',
  i: '1',
  '|': '1',
  Z: '2',
  z: '2',
  S: '5',
  B: '8',
};

/** The text as a reader sees it: compatibility forms folded, invisible characters gone, lookalikes in Latin. */
export function asSeen(text: string): string {
  return text
    .normalize('NFKC')
    .replace(INVISIBLE_RE, '')
    .replace(CONFUSABLE_RE, (c) => CONFUSABLES[c] ?? c)
    .normalize('NFKD')
    .replace(/\p{M}/gu, '');
}

/** Letters standing in for digits ("O7O", "O70-l23") read as the digits, where a group already holds one. */
function digitsAsRead(text: string): string {
  return text.replace(/[0-9OoDIli|ZzSB]{2,}/g, (group) =>
    /\d/.test(group) ? group.replace(/[OoDIli|ZzSB]/g, (c) => DIGITISH[c] ?? c) : group,
  );
}

const SEP = '[\\s.\\-/()\\u2010-\\u2015\\u2212]';
// A run of digits with separators between them, beginning with "+" or a digit.
const NUMBER_RUN = new RegExp(`\\+?\\d(?:${SEP}*\\d)+`, 'g');
// What a Swedish sign legitimately shows that looks like a long number: times, time ranges and dates.
const TIME = '(?:[01]?\\d|2[0-3])[.:][0-5]\\d';
const NOT_A_PHONE = [
  new RegExp(`^${TIME}(?:\\s*[-\\u2010-\\u2015]\\s*${TIME})?$`),
  /^\d{1,2}[./-]\d{1,2}[./-](?:\d{2}|\d{4})$/,
  /^\d{4}-\d{2}-\d{2}$/,
  /^\d{4}\s*[-\u2010-\u2015]\s*\d{4}$/,
];

/** A phone number: +46 (or 00 46) and 8-11 more digits, or a 0 and 7-10 more (Swedish numbers are 8-10 digits). */
function hasPhoneNumber(text: string): boolean {
  for (const match of digitsAsRead(text).matchAll(NUMBER_RUN)) {
    const run = match[0].trim();
    if (NOT_A_PHONE.some((re) => re.test(run))) continue;
    const digits = run.replace(/\D/g, '');
    if (run.startsWith('+') && digits.length >= 9 && digits.length <= 13) return true;
    if (digits.startsWith('0') && digits.length >= 8 && digits.length <= 13) return true;
  }
  return false;
}

// Words, with any separators between their letters ("S M S", "s.m.s", "S-M-S").
const spaced = (word: string) => word.split('').join('[\\s.\\-_*·]*');
const KEYWORDS: readonly { pattern: RegExp; cta: CallToAction }[] = [
  {
    pattern: new RegExp(`(?:^|[^\\p{L}])(?:${spaced('sms')}(?::?a)?|${spaced('messa')})(?![\\p{L}])`, 'iu'),
    cta: { en: 'an SMS request', sv: 'en uppmaning att sms:a' },
  },
  {
    pattern: new RegExp(`(?:^|[^\\p{L}])${spaced('swish')}(?:a)?(?![\\p{L}])`, 'iu'),
    cta: { en: 'a Swish request', sv: 'en uppmaning att swisha' },
  },
  {
    pattern: new RegExp(`(?:^|[^\\p{L}])(?:${spaced('qr')}|skanna)(?![\\p{L}])`, 'iu'),
    cta: { en: 'a QR code', sv: 'en QR-kod' },
  },
];

/** The call to action in a text, or null. */
export function callToActionIn(text: string): CallToAction | null {
  const seen = asSeen(text);
  if (hasPhoneNumber(seen)) return { en: 'a phone number', sv: 'ett telefonnummer' };
  return KEYWORDS.find((k) => k.pattern.test(seen))?.cta ?? null;
}

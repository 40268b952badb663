// Any other source: a CAP 1.2 XML document, or an Atom (or RSS) feed whose entries either embed a CAP <alert> or link
// to one. Linked documents are returned as `follow` for the poller to fetch; they parse with this same adapter.

import { createRequire } from 'node:module';
import type { XMLParser } from 'fast-xml-parser';
import type { Alert } from '../alert.ts';
import { normaliseCapAlert } from './cap-common.ts';
import {
  type AdapterOptions,
  type AdapterResult,
  asArray,
  type FeedAdapter,
  type FeedItemIssue,
  type FollowLink,
  failed,
  guard,
  textOf,
} from './feed-adapter.ts';

const REPEATED = new Set([
  'info',
  'area',
  'polygon',
  'circle',
  'geocode',
  'entry',
  'item',
  'link',
  'category',
  'parameter',
  'resource',
  'eventCode',
  'responseType',
  'alert',
]);

let xmlLoaded: { parser: XMLParser; validate: typeof import('fast-xml-parser').XMLValidator.validate } | null = null;

/**
 * The XML parser, loaded at the first XML document rather than at start-up (SR's feed, the default, is JSON). Its
 * one-file CommonJS build loads in a fraction of the time of its ESM files.
 */
function xmlParser(): NonNullable<typeof xmlLoaded> {
  if (xmlLoaded) return xmlLoaded;
  const { XMLParser: Parser, XMLValidator } = createRequire(import.meta.url)(
    'fast-xml-parser',
  ) as typeof import('fast-xml-parser');
  xmlLoaded = { parser: new Parser(PARSER_OPTIONS), validate: XMLValidator.validate };
  return xmlLoaded;
}

const PARSER_OPTIONS: ConstructorParameters<typeof XMLParser>[0] = {
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  // Namespaces differ between senders (default ns, cap:, atom:); the element names are what CAP defines.
  removeNSPrefix: true,
  // Identifiers such as "0042" must stay strings.
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => REPEATED.has(name),
};

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function parseXml(body: string): { ok: true; doc: Loose } | { ok: false; result: AdapterResult } {
  const xml = body.replace(/^\uFEFF/, '');
  // CAP needs no DTD; refusing entity declarations closes the door on entity-expansion payloads.
  if (/<!ENTITY/i.test(xml))
    return { ok: false, result: failed('cap', 'shape', 'XML with entity declarations is not accepted') };
  const { parser, validate } = xmlParser();
  const valid = validate(xml);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    return {
      ok: false,
      result: failed('cap', 'malformed', `body is not well-formed XML (${msg} at line ${line}, column ${col})`),
    };
  }
  const doc: unknown = parser.parse(xml);
  return isObject(doc) ? { ok: true, doc } : { ok: false, result: failed('cap', 'malformed', 'empty XML document') };
}

interface Collected {
  alerts: Alert[];
  issues: FeedItemIssue[];
  follow: FollowLink[];
}

// EAS/SAME event codes of tests and demonstrations (47 CFR 11.31): Required Monthly/Weekly Test, National
// Periodic Test, Practice/Demo Warning.
const TEST_EVENT_CODES = new Set(['RMT', 'RWT', 'NPT', 'DMO']);
const TEST_CODE_SCHEMES = /^(same|eas|nws-?same|eas-?code|same-?code)$/i;

// Senders publish tests as status Actual (IPAWS's Required Monthly Test, "ADR Test Message"): recognise the words.
const TEST_WORDS = [
  /\brequired (monthly|weekly) test\b/i,
  /\b(national )?periodic test\b/i,
  /\bADR test( message)?\b/i,
  /\btest message\b/i,
  /\b(monthly|weekly) test\b/i,
  /\bthis is (only )?a test\b/i,
  /\bdemonstration (message|warning)\b/i,
  /(?<![\p{L}])testmeddelande(?![\p{L}])/iu,
];

/**
 * Why a CAP alert is a test whatever its `status` says, or null: an eventCode RMT/RWT/NPT/DMO under SAME/EAS,
 * or an event or headline in the words tests are sent with.
 */
export function capTestReason(raw: unknown): string | null {
  if (!isObject(raw)) return null;
  for (const info of asArray(raw.info)) {
    if (!isObject(info)) continue;
    for (const code of asArray(info.eventCode)) {
      if (!isObject(code)) continue;
      // fast-xml-parser gives repeated valueName/value pairs as arrays when one eventCode carries several.
      const names = asArray(code.valueName).map((v) => textOf(v)?.trim() ?? '');
      const values = asArray(code.value).map((v) => textOf(v)?.trim().toUpperCase() ?? '');
      for (const [i, value] of values.entries()) {
        if (TEST_CODE_SCHEMES.test(names[i] ?? names[0] ?? '') && TEST_EVENT_CODES.has(value)) {
          return `event code ${names[i] ?? names[0]} ${value}`;
        }
      }
    }
    for (const field of ['event', 'headline'] as const) {
      const text = textOf(info[field]) ?? '';
      if (TEST_WORDS.some((w) => w.test(text))) return `${field} "${text.trim()}"`;
    }
  }
  return null;
}

function addAlerts(raws: unknown[], index: number, into: Collected, options: AdapterOptions): void {
  for (const raw of raws) {
    const result = normaliseCapAlert(raw, { source: 'cap', language: options.language ?? 'sv', creditLabel: null });
    if (!result.ok) {
      into.issues.push({ index, id: result.id, message: result.message });
      continue;
    }
    // A test marked Actual becomes a Test here, so that the policy's one rule (only Actual is shown) holds for it.
    const test = result.alert.status === 'Actual' ? capTestReason(raw) : null;
    into.alerts.push(test ? { ...result.alert, status: 'Test' } : result.alert);
  }
}

/**
 * The link of an entry to follow: one typed as CAP, else one named like a CAP file, else the entry's untyped
 * alternate link. NWS indexes link each entry as `<link href="https://alerts.weather.gov/cap/wwacapget.php?x=…"/>`,
 * with no type and no extension; the poller fetches it and keeps it only if it answers a CAP alert.
 */
function capLink(links: unknown[]): string | null {
  const candidates = links.map((l) =>
    isObject(l)
      ? {
          href: textOf(l['@_href']) ?? textOf(l['@_url']) ?? textOf(l['#text']) ?? '',
          type: (textOf(l['@_type']) ?? '').toLowerCase(),
          rel: (textOf(l['@_rel']) ?? 'alternate').toLowerCase(),
        }
      : { href: textOf(l) ?? '', type: '', rel: 'alternate' },
  );
  const cap =
    candidates.find((l) => l.type.includes('cap')) ??
    candidates.find((l) => /\.(xml|cap)(\?|$)/i.test(l.href) && (l.type === '' || l.type.includes('xml'))) ??
    candidates.find((l) => l.type === '' && (l.rel === 'alternate' || l.rel === 'enclosure') && l.href !== '');
  return cap?.href ? cap.href : null;
}

/** One Atom entry or RSS item: an embedded CAP alert (as XML or as escaped text), or a link to one. */
function addEntry(entry: unknown, index: number, into: Collected, options: AdapterOptions): void {
  if (!isObject(entry)) return;
  for (const content of asArray(entry.content)) {
    if (isObject(content) && content.alert !== undefined) {
      addAlerts(asArray(content.alert), index, into, options);
      return;
    }
    const text = textOf(content);
    if (text?.includes('<alert')) {
      const inner = parseXml(text);
      if (inner.ok && inner.doc.alert !== undefined) {
        addAlerts(asArray(inner.doc.alert), index, into, options);
        return;
      }
    }
  }
  if (entry.alert !== undefined) {
    addAlerts(asArray(entry.alert), index, into, options);
    return;
  }
  // Atom uses <link href="..."/>; RSS uses <link>url</link> (or an <enclosure>).
  const href = capLink([...asArray(entry.link), ...asArray(entry.enclosure)]);
  if (href) {
    const version = textOf(entry.updated) ?? textOf(entry.pubDate) ?? textOf(entry.id) ?? textOf(entry.guid) ?? null;
    into.follow.push({ url: href, version });
    return;
  }
  into.issues.push({
    index,
    id: textOf(entry.id) ?? null,
    message: 'entry has neither an embedded CAP alert nor a link to one',
  });
}

export function parseCapFeed(body: string, options: AdapterOptions = {}): AdapterResult {
  return guard('cap', () => {
    const parsed = parseXml(body);
    if (!parsed.ok) return parsed.result;
    const { doc } = parsed;
    const into: Collected = { alerts: [], issues: [], follow: [] };
    if (doc.alert !== undefined) {
      addAlerts(asArray(doc.alert), 0, into, options);
    } else if (isObject(doc.feed)) {
      asArray(doc.feed.entry).forEach((entry, i) => {
        addEntry(entry, i, into, options);
      });
    } else if (isObject(doc.rss) && isObject(doc.rss.channel)) {
      asArray(doc.rss.channel.item).forEach((item, i) => {
        addEntry(item, i, into, options);
      });
    } else {
      const root = Object.keys(doc).find((k) => !k.startsWith('?')) ?? '(none)';
      return failed('cap', 'shape', `expected a CAP <alert>, an Atom <feed> or an RSS <rss>, got <${root}>`);
    }
    return { ok: true, ...into };
  });
}

export function capAdapter(options: AdapterOptions = {}): FeedAdapter {
  return { source: 'cap', parse: (body) => parseCapFeed(body, options) };
}

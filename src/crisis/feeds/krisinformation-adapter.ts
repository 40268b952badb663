// Krisinformation.se API v3 (`/news?counties=14`, `/vmas`): an array of items with PascalCase fields, a Headline
// that carries HTML entities, BodyText in HTML, and areas named in words ({Type: "County", Description:
// "Västra Götalands län"}).

import { z } from 'zod';
import type { Alert, AreaShape } from '../alert.ts';
import { plainOrNull } from '../text-clean.ts';
import {
  type AdapterResult,
  checkAlert,
  describeError,
  type FeedAdapter,
  type FeedItemIssue,
  failed,
  guard,
  linkOf,
  parseJson,
  parseTime,
} from './feed-adapter.ts';

export const KRISINFORMATION_CREDIT = 'Krisinformation.se';

const optionalText = z.string().nullish();

export const KrisinformationArea = z.looseObject({
  Type: optionalText,
  Description: optionalText,
  Coordinate: z.unknown().optional(),
});

export const KrisinformationItem = z.looseObject({
  Identifier: z.union([z.string().min(1), z.number()]).transform(String),
  Published: optionalText,
  Updated: optionalText,
  Headline: optionalText,
  Preamble: optionalText,
  BodyText: optionalText,
  PushMessage: optionalText,
  Area: z.array(KrisinformationArea).nullish(),
  Web: optionalText,
  Language: optionalText,
  Event: optionalText,
  SenderName: optionalText,
  IsTest: z.boolean().nullish(),
});
export type KrisinformationItem = z.infer<typeof KrisinformationItem>;

function areaShape(type: string, description: string): AreaShape | null {
  const t = type.trim().toLowerCase();
  if (/^(sverige|hela sverige|sweden)$/i.test(description.trim())) return { kind: 'country', code: 'SE' };
  if (t === 'county' || t === 'län' || t === 'lan') return { kind: 'countyName', name: description };
  if (t === 'municipality' || t === 'kommun') return { kind: 'municipalityName', name: description };
  if (t === 'country' || t === 'land') return { kind: 'country', code: 'SE' };
  return null;
}

function normaliseItem(item: KrisinformationItem): ReturnType<typeof checkAlert> {
  const areas = (item.Area ?? []).map((a) => {
    const description = plainOrNull(a.Description);
    const shape = description ? areaShape(a.Type ?? '', description) : null;
    return { description, shapes: shape ? [shape] : [] };
  });
  const senderName = plainOrNull(item.SenderName);
  const sent = parseTime(item.Updated) ?? parseTime(item.Published);
  return checkAlert({
    source: 'krisinformation',
    id: item.Identifier,
    sender: 'krisinformation.se',
    sent,
    status: item.IsTest ? 'Test' : 'Actual',
    msgType: 'Alert',
    references: [],
    incidents: [],
    severity: 'Unknown',
    level: null,
    event: plainOrNull(item.Event),
    headline: plainOrNull(item.Headline) ?? plainOrNull(item.PushMessage),
    description: plainOrNull(item.Preamble) ?? plainOrNull(item.BodyText),
    instruction: null,
    language: plainOrNull(item.Language),
    areas,
    effective: parseTime(item.Published),
    expires: null,
    link: linkOf(item.Web),
    senderName,
    credit:
      senderName && senderName !== KRISINFORMATION_CREDIT
        ? `${KRISINFORMATION_CREDIT} / ${senderName}`
        : KRISINFORMATION_CREDIT,
    raw: item,
  });
}

export function normaliseKrisinformation(value: unknown): AdapterResult {
  return guard('krisinformation', () => {
    if (!Array.isArray(value)) return failed('krisinformation', 'shape', 'expected an array of news items');
    const alerts: Alert[] = [];
    const issues: FeedItemIssue[] = [];
    value.forEach((raw, index) => {
      const parsed = KrisinformationItem.safeParse(raw);
      if (!parsed.success) {
        const id = (raw as { Identifier?: unknown } | null)?.Identifier;
        issues.push({ index, id: typeof id === 'string' ? id : null, message: describeError(parsed.error) });
        return;
      }
      const result = normaliseItem(parsed.data);
      if (result.ok) alerts.push(result.alert);
      else issues.push({ index, id: parsed.data.Identifier, message: result.message });
    });
    return { ok: true, alerts, issues, follow: [] };
  });
}

export function parseKrisinformationFeed(body: string): AdapterResult {
  const json = parseJson('krisinformation', body);
  return json.ok ? normaliseKrisinformation(json.value) : json.result;
}

export function krisinformationAdapter(): FeedAdapter {
  return { source: 'krisinformation', parse: parseKrisinformationFeed };
}

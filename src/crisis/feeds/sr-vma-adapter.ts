// Sveriges Radio's VMA API v3: CAP 1.2 as JSON. `/alerts` answers {timestamp, alerts: [...]}; the push stream may
// carry the same envelope, a single alert, or an array, so all three are accepted. As served, an alert has no
// `headline`, `instruction` is null and the whole message is in `info.description` (the sign text is built from it,
// see sign-text.ts); `category` is an array; an `en-US` info block may be added to the same alert later, so the
// sv-SE block is chosen by language, never by position; geocodes carry the place's name in `valueName` and its SCB
// code in `value` ("Sverige"/"00" for the whole country).

import type { Alert } from '../alert.ts';
import { normaliseCapAlert } from './cap-common.ts';
import {
  type AdapterOptions,
  type AdapterResult,
  type FeedAdapter,
  type FeedItemIssue,
  failed,
  guard,
  parseJson,
} from './feed-adapter.ts';

export const SR_VMA_CREDIT = 'Sveriges Radio VMA';

function alertItems(value: unknown): unknown[] | null {
  if (Array.isArray(value)) return value;
  if (value !== null && typeof value === 'object') {
    const envelope = value as { alerts?: unknown; identifier?: unknown };
    if (Array.isArray(envelope.alerts)) return envelope.alerts;
    if (envelope.alerts === null) return [];
    if (envelope.identifier !== undefined) return [value];
  }
  return null;
}

/** Normalises an already-decoded VMA value (envelope, alert or array). */
export function normaliseSrVma(value: unknown, options: AdapterOptions = {}): AdapterResult {
  return guard('sr-vma', () => {
    const items = alertItems(value);
    if (items === null) return failed('sr-vma', 'shape', 'expected {"alerts": [...]}, an alert or an array of alerts');
    const alerts: Alert[] = [];
    const issues: FeedItemIssue[] = [];
    items.forEach((item, index) => {
      const result = normaliseCapAlert(item, {
        source: 'sr-vma',
        language: options.language ?? 'sv',
        creditLabel: SR_VMA_CREDIT,
        geocodes: { swedishPlaceNames: true },
      });
      if (result.ok) alerts.push(result.alert);
      else issues.push({ index, id: result.id, message: result.message });
    });
    return { ok: true, alerts, issues, follow: [] };
  });
}

export function parseSrVmaFeed(body: string, options: AdapterOptions = {}): AdapterResult {
  const json = parseJson('sr-vma', body);
  return json.ok ? normaliseSrVma(json.value, options) : json.result;
}

export function srVmaAdapter(options: AdapterOptions = {}): FeedAdapter {
  return { source: 'sr-vma', parse: (body) => parseSrVmaFeed(body, options) };
}

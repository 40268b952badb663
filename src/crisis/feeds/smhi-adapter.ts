// SMHI impact-based warnings (`ibww/api/version/1/warning.json`): an array of warnings, each with warningAreas that
// carry their own level, time window, the counties they touch (`affectedAreas[{id, sv, en}]`) and the warning
// area as GeoJSON (`area`). Each warning area becomes one alert, because level and area differ between them.

import { z } from 'zod';
import type { Alert, AlertSeverity, AreaShape, WarningLevel } from '../alert.ts';
import { countyByCode, normaliseCountyCode } from '../swedish-regions.ts';
import { plainOrNull } from '../text-clean.ts';
import {
  type AdapterResult,
  checkAlert,
  describeError,
  type FeedAdapter,
  type FeedItemIssue,
  failed,
  guard,
  parseJson,
  parseTime,
} from './feed-adapter.ts';
import { geoJsonShapes } from './geojson.ts';

export const SMHI_CREDIT = 'SMHI';
const SMHI_LINK = 'https://www.smhi.se';

const optionalText = z.string().nullish();
const id = z.union([z.number(), z.string().min(1)]).transform(String);
const Localised = z.looseObject({ sv: optionalText, en: optionalText, code: optionalText });
const Description = z.looseObject({ title: Localised.nullish(), text: Localised.nullish() });

export const SmhiWarningArea = z.looseObject({
  id,
  approximateStart: optionalText,
  approximateEnd: optionalText,
  published: optionalText,
  areaName: Localised.nullish(),
  warningLevel: Localised,
  eventDescription: Localised.nullish(),
  affectedAreas: z
    .array(z.looseObject({ id: z.union([z.number(), z.string()]), sv: optionalText, en: optionalText }))
    .nullish(),
  descriptions: z.array(Description).nullish(),
  area: z.unknown().optional(),
});

export const SmhiWarning = z.looseObject({
  id,
  event: Localised.nullish(),
  descriptions: z.array(Description).nullish(),
  warningAreas: z.array(z.unknown()),
});

const LEVELS: Record<string, { level: WarningLevel; severity: AlertSeverity }> = {
  MESSAGE: { level: 'MESSAGE', severity: 'Minor' },
  YELLOW: { level: 'YELLOW', severity: 'Moderate' },
  ORANGE: { level: 'ORANGE', severity: 'Severe' },
  RED: { level: 'RED', severity: 'Extreme' },
};

function describe(descriptions: z.infer<typeof Description>[] | null | undefined): string | null {
  const parts = (descriptions ?? [])
    .map((d) => {
      const title = plainOrNull(d.title?.sv);
      const text = plainOrNull(d.text?.sv);
      if (!text) return null;
      return title ? `${title}: ${text}` : text;
    })
    .filter((p): p is string => p !== null);
  return parts.length > 0 ? parts.join(' ') : null;
}

function countyShapes(affected: NonNullable<z.infer<typeof SmhiWarningArea>['affectedAreas']>): AreaShape[] {
  const shapes: AreaShape[] = [];
  for (const a of affected) {
    // SMHI ids 1-25 are SCB county codes; sea areas use other ids and cannot hold a roadside sign.
    const code = normaliseCountyCode(a.id);
    if (code !== null && countyByCode(code)) shapes.push({ kind: 'county', code });
  }
  return shapes;
}

function normaliseArea(
  warning: z.infer<typeof SmhiWarning>,
  area: z.infer<typeof SmhiWarningArea>,
  raw: unknown,
): ReturnType<typeof checkAlert> {
  const mapped = LEVELS[(area.warningLevel.code ?? '').trim().toUpperCase()];
  if (!mapped)
    return {
      ok: false,
      message: `warningLevel.code "${area.warningLevel.code ?? ''}" is not MESSAGE/YELLOW/ORANGE/RED`,
    };

  // `area` is the warning area itself; `affectedAreas` lists every county it touches. A warning for the Bohuslän
  // coast lists county 14 as Vara does, so when the polygon is there it alone decides. Only a warning area
  // without usable geometry falls back to its counties (and the policy may still only propose it).
  const polygons = geoJsonShapes(area.area);
  const shapes: AreaShape[] = polygons.length > 0 ? polygons : countyShapes(area.affectedAreas ?? []);

  const areaName = plainOrNull(area.areaName?.sv) ?? plainOrNull(area.areaName?.en);
  const what = plainOrNull(area.eventDescription?.sv) ?? plainOrNull(warning.event?.sv);
  const levelName = plainOrNull(area.warningLevel.sv) ?? mapped.level;
  const headline = [`${levelName} varning${what ? `: ${what}` : ''}`, areaName].filter(Boolean).join(', ');

  return checkAlert({
    source: 'smhi',
    id: `${warning.id}-${area.id}`,
    sender: 'smhi.se',
    sent: parseTime(area.published) ?? parseTime(area.approximateStart),
    status: 'Actual',
    msgType: 'Alert',
    references: [],
    incidents: [warning.id],
    severity: mapped.severity,
    level: mapped.level,
    event: plainOrNull(warning.event?.sv) ?? plainOrNull(warning.event?.code),
    headline,
    description: describe(area.descriptions) ?? describe(warning.descriptions),
    instruction: null,
    language: 'sv',
    areas: [{ description: areaName, shapes }],
    effective: parseTime(area.approximateStart),
    expires: parseTime(area.approximateEnd),
    link: SMHI_LINK,
    senderName: SMHI_CREDIT,
    credit: SMHI_CREDIT,
    raw,
  });
}

export function normaliseSmhi(value: unknown): AdapterResult {
  return guard('smhi', () => {
    const list = Array.isArray(value) ? value : (value as { warnings?: unknown } | null)?.warnings;
    if (!Array.isArray(list)) return failed('smhi', 'shape', 'expected an array of warnings');
    const alerts: Alert[] = [];
    const issues: FeedItemIssue[] = [];
    list.forEach((rawWarning, index) => {
      const warning = SmhiWarning.safeParse(rawWarning);
      if (!warning.success) {
        issues.push({ index, id: null, message: describeError(warning.error) });
        return;
      }
      warning.data.warningAreas.forEach((rawArea) => {
        const area = SmhiWarningArea.safeParse(rawArea);
        if (!area.success) {
          issues.push({ index, id: warning.data.id, message: describeError(area.error) });
          return;
        }
        const result = normaliseArea(warning.data, area.data, { ...warning.data, warningAreas: [rawArea] });
        if (result.ok) alerts.push(result.alert);
        else issues.push({ index, id: `${warning.data.id}-${area.data.id}`, message: result.message });
      });
    });
    return { ok: true, alerts, issues, follow: [] };
  });
}

export function parseSmhiFeed(body: string): AdapterResult {
  const json = parseJson('smhi', body);
  return json.ok ? normaliseSmhi(json.value) : json.result;
}

export function smhiAdapter(): FeedAdapter {
  return { source: 'smhi', parse: parseSmhiFeed };
}

// Krisinformation.se API v3 (`/news?counties=14`, `/vmas`): an array of items with PascalCase fields, a Headline
// that carries HTML entities, BodyText in HTML, and areas named in words. Every item lists
// {Type: "Country", Description: "Sverige"} first, whatever it is about, then the county, the municipalities and
// points of interest (Coordinate) it concerns. An item is edited in place: same Identifier, new `Updated`; and
// sometimes the text changes while `Updated` stays the same. The all-clear is such an edit ("Faran är över").

import { z } from 'zod';
import type { Alert, AlertArea, AreaShape, LatLon } from '../alert.ts';
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
import { geoJsonShapes } from './geojson.ts';

export const KRISINFORMATION_CREDIT = 'Krisinformation.se';

const optionalText = z.string().nullish();

export const KrisinformationArea = z.looseObject({
  Type: optionalText,
  Description: optionalText,
  Coordinate: z.unknown().optional(),
  GeometryInformation: z.unknown().optional(),
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

/**
 * A point of interest is a place, not an area: it covers the signs within this distance. Krisinformation is
 * proposed to a communicator by default, so in doubt a nearby event is offered rather than missed.
 */
export const POI_RADIUS_KM = 10;

// Sweden lies within these bounds, and they do not overlap: a bare pair of numbers tells its own axis order.
// `Coordinate` may come as KML-style "lon,lat,alt" or as "lat,lon"; both are read, and a point outside Sweden is
// dropped rather than guessed at.
const SWEDISH_LAT = [55, 69.5] as const;
const SWEDISH_LON = [10, 24.5] as const;
const within = (v: number, [lo, hi]: readonly [number, number]) => v >= lo && v <= hi;

function swedishPoint(a: number, b: number): LatLon | null {
  if (within(a, SWEDISH_LAT) && within(b, SWEDISH_LON)) return { lat: a, lon: b };
  if (within(b, SWEDISH_LAT) && within(a, SWEDISH_LON)) return { lat: b, lon: a };
  return null;
}

/** Points from a Coordinate value: "58.27,12.95", "12.95,58.27,0", "12.95 58.27", a list of such, or {Latitude, Longitude}. */
export function coordinatePoints(value: unknown): LatLon[] {
  if (typeof value === 'string') {
    const text = value.trim();
    if (text === '') return [];
    // "a,b[,alt] a,b ..." (KML/CAP style) or a single "a b [alt]".
    const tuples = text.includes(',')
      ? text.split(/[\s;]+/).map((t) => t.split(',').map(Number))
      : [text.split(/\s+/).map(Number)];
    return tuples
      .map(([a, b]) => (a !== undefined && b !== undefined ? swedishPoint(a, b) : null))
      .filter((p): p is LatLon => p !== null);
  }
  if (Array.isArray(value)) {
    if (value.length >= 2 && typeof value[0] === 'number' && typeof value[1] === 'number') {
      const p = swedishPoint(value[0], value[1]);
      return p ? [p] : [];
    }
    return value.flatMap(coordinatePoints);
  }
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    const lat = Number(o.Latitude ?? o.latitude ?? o.lat);
    const lon = Number(o.Longitude ?? o.longitude ?? o.lon ?? o.lng);
    const p = Number.isFinite(lat) && Number.isFinite(lon) ? swedishPoint(lat, lon) : null;
    return p ? [p] : [];
  }
  return [];
}

/** GeometryInformation: GeoJSON, as an object or as a JSON string. */
function geometryShapes(value: unknown): AreaShape[] {
  if (typeof value === 'string') {
    try {
      return geoJsonShapes(JSON.parse(value));
    } catch {
      return [];
    }
  }
  return geoJsonShapes(value);
}

type AreaLevel = 'country' | 'county' | 'local';

function areaOf(area: z.infer<typeof KrisinformationArea>): { area: AlertArea; level: AreaLevel } {
  const description = plainOrNull(area.Description);
  const type = (area.Type ?? '').trim().toLowerCase();
  const shapes: AreaShape[] = geometryShapes(area.GeometryInformation);
  if (type === 'country' || type === 'land' || /^(hela )?(sverige|sweden)$/i.test(description ?? '')) {
    // Listed first on every item: it says nothing about where, so it matches nothing.
    return { area: { description, shapes: [] }, level: 'country' };
  }
  if (type === 'county' || type === 'län' || type === 'lan') {
    // A county's Coordinate is its centre, not the event: only the name counts.
    return {
      area: { description, shapes: description ? [{ kind: 'countyName', name: description }] : [] },
      level: 'county',
    };
  }
  if (type === 'municipality' || type === 'kommun') {
    if (description) shapes.push({ kind: 'municipalityName', name: description });
    return { area: { description, shapes }, level: 'local' };
  }
  // PoI (or any other local type): the place given by its coordinates.
  const points = coordinatePoints(area.Coordinate);
  if (points.length >= 3) shapes.push({ kind: 'polygon', rings: [points] });
  else for (const center of points) shapes.push({ kind: 'circle', center, radiusKm: POI_RADIUS_KM });
  return { area: { description, shapes }, level: 'local' };
}

/**
 * The areas of an item. The finest level named decides: a county listed above its municipalities and points
 * is their container, so it only counts when nothing finer is named.
 */
export function krisinformationAreas(items: z.infer<typeof KrisinformationArea>[]): AlertArea[] {
  const areas = items.map(areaOf);
  const local = areas.some((a) => a.level === 'local' && a.area.shapes.length > 0);
  return areas.map(({ area, level }) => (local && level === 'county' ? { ...area, shapes: [] } : area));
}

const ALL_CLEAR = /(?<![\p{L}\p{N}])faran\s+(?:är\s+)?över(?![\p{L}\p{N}])/iu;

/** "Faran är över" (the danger is over) in the words an all-clear is published with. */
export function isAllClear(item: Pick<KrisinformationItem, 'Headline' | 'Preamble' | 'PushMessage'>): boolean {
  return [item.PushMessage, item.Preamble, item.Headline].some((t) => ALL_CLEAR.test(plainOrNull(t) ?? ''));
}

function normaliseItem(item: KrisinformationItem): ReturnType<typeof checkAlert> {
  const areas = krisinformationAreas(item.Area ?? []);
  // An all-clear ends the crisis this item started (same Identifier), as a CAP Cancel would.
  const allClear = isAllClear(item);
  const senderName = plainOrNull(item.SenderName);
  const sent = parseTime(item.Updated) ?? parseTime(item.Published);
  return checkAlert({
    source: 'krisinformation',
    id: item.Identifier,
    sender: 'krisinformation.se',
    sent,
    status: item.IsTest ? 'Test' : 'Actual',
    msgType: allClear ? 'Cancel' : 'Alert',
    references: allClear ? [{ id: item.Identifier, sender: 'krisinformation.se', sent: null }] : [],
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

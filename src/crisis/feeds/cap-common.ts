// CAP 1.2 normalisation shared by SR's VMA API (CAP as JSON) and CAP XML/Atom feeds (parsed by fast-xml-parser).
// Both arrive as loose objects where a repeated element may be a single value or an array, and text may be a
// number or an {'#text'} node; everything here accepts either.

import {
  type Alert,
  type AlertArea,
  AlertMsgType,
  type AlertSeverity,
  type AlertSource,
  AlertStatus,
  type AreaShape,
  type LatLon,
  parseReferences,
} from '../alert.ts';
import { countyByCode, normaliseCountyCode, normaliseMunicipalityCode } from '../swedish-regions.ts';
import { plainOrNull } from '../text-clean.ts';
import { asArray, checkAlert, linkOf, parseTime, textOf } from './feed-adapter.ts';

type Loose = Record<string, unknown>;

function isObject(value: unknown): value is Loose {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function caseInsensitive<T extends string>(options: readonly T[], value: unknown): T | null {
  const text = textOf(value)?.trim().toLowerCase();
  return options.find((o) => o.toLowerCase() === text) ?? null;
}

function latLon(pair: string): LatLon | null {
  const [latText, lonText, ...rest] = pair.split(',');
  if (latText === undefined || lonText === undefined || rest.length > 0) return null;
  const lat = Number(latText);
  const lon = Number(lonText);
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  return { lat, lon };
}

/** CAP polygon: "lat,lon lat,lon ..." (WGS 84, latitude first; CAP 1.2, 3.2.4). Null when unusable. */
export function parseCapPolygon(text: string): AreaShape | null {
  const points = text.trim().split(/\s+/).map(latLon);
  if (points.some((p) => p === null)) return null;
  const ring = points as LatLon[];
  const distinct = new Set(ring.map((p) => `${p.lat},${p.lon}`));
  if (distinct.size < 3) return null;
  return { kind: 'polygon', rings: [ring] };
}

/** CAP circle: "lat,lon radius" with the radius in kilometres. */
export function parseCapCircle(text: string): AreaShape | null {
  const [centre, radiusText, ...rest] = text.trim().split(/\s+/);
  if (centre === undefined || radiusText === undefined || rest.length > 0) return null;
  const center = latLon(centre);
  const radiusKm = Number(radiusText);
  if (center === null || !Number.isFinite(radiusKm) || radiusKm < 0) return null;
  return { kind: 'circle', center, radiusKm };
}

/** How a sender writes geocodes: by scheme name only (generic CAP), or also SR's place-name form (SR VMA). */
export interface GeocodeReading {
  /**
   * SR VMA v3 puts the place's name in `valueName` and its SCB code in `value` ({"Sverige", "00"},
   * {"Västra Götalands län", "14"}, {"Uddevalla kommun", "1485"}), so the code alone says what it is. Only for a
   * Swedish sender: in a foreign CAP feed a 4-digit value may be a postcode.
   */
  swedishPlaceNames?: boolean;
}

/** SR VMA's nationwide area: areaDesc "Hela landet", geocode {valueName "Sverige", value "00"}. */
const NATIONWIDE_NAME = /^(hela landet|hela sverige|sverige|sweden|riket|nationwide|whole country|entire country)$/;
const SWEDEN: AreaShape = { kind: 'country', code: 'SE' };

/**
 * CAP geocode {valueName, value}. Schemes by name: "Kommun" (1470), "Län" (14), "Land" (SE), NUTS3 (SE232, other
 * Swedish CAP senders). SR VMA v3's place-name form (see GeocodeReading) and its nationwide {"Sverige", "00"} are
 * read by the code. Unknown schemes (FIPS, EMMA_ID, ...) are dropped: they cannot name a Swedish sign.
 */
export function geocodeShape(valueName: string, value: string, reading: GeocodeReading = {}): AreaShape | null {
  const name = valueName.trim().toLowerCase();
  const v = value.trim();
  if (/^(kommun|kommunkod|municipality|municipality ?code)$/.test(name)) {
    const code = normaliseMunicipalityCode(v);
    return code ? { kind: 'municipality', code } : null;
  }
  if (/^(län|lan|länskod|county|county ?code)$/.test(name)) {
    const code = normaliseCountyCode(v);
    return code ? { kind: 'county', code } : null;
  }
  if (/^nuts ?3$/.test(name) || (/^nuts/.test(name) && /^SE\d{3}$/i.test(v))) {
    return /^[A-Z]{2}[0-9A-Z]{3}$/i.test(v) ? { kind: 'nuts3', code: v.toUpperCase() } : null;
  }
  if (/^(land|country|iso ?3166(-1)?)$/.test(name)) {
    // SCB's "00" is the whole country, as SR writes it.
    if (v === '00') return SWEDEN;
    return /^[A-Z]{2}$/i.test(v) ? { kind: 'country', code: v.toUpperCase() } : null;
  }
  // {"Sverige", "00"} is unambiguous in any Swedish or foreign feed: no other scheme calls itself Sverige.
  if (NATIONWIDE_NAME.test(name) && (v === '00' || v === '0' || /^se$/i.test(v))) return SWEDEN;
  if (reading.swedishPlaceNames) return swedishCodeShape(v);
  return null;
}

/** An SCB code read by its form: "00" Sweden, 2 digits a county, 4 digits a municipality (its first 2 the county). */
function swedishCodeShape(value: string): AreaShape | null {
  if (value === '00') return SWEDEN;
  if (/^\d{2}$/.test(value)) return countyByCode(value) ? { kind: 'county', code: value } : null;
  if (/^\d{4}$/.test(value)) return countyByCode(value.slice(0, 2)) ? { kind: 'municipality', code: value } : null;
  return null;
}

function areaOf(raw: unknown, reading: GeocodeReading): AlertArea | null {
  if (!isObject(raw)) return null;
  const shapes: AreaShape[] = [];
  for (const p of asArray(raw.polygon)) {
    const shape = parseCapPolygon(textOf(p) ?? '');
    if (shape) shapes.push(shape);
  }
  for (const c of asArray(raw.circle)) {
    const shape = parseCapCircle(textOf(c) ?? '');
    if (shape) shapes.push(shape);
  }
  for (const g of asArray(raw.geocode)) {
    if (!isObject(g)) continue;
    const shape = geocodeShape(textOf(g.valueName) ?? '', textOf(g.value) ?? '', reading);
    if (shape) shapes.push(shape);
  }
  const description = plainOrNull(textOf(raw.areaDesc));
  // "Hela landet" without a usable geocode still means every sign: a nationwide VMA must never fall through.
  if (description && NATIONWIDE_NAME.test(description.toLowerCase()) && !shapes.some((s) => s.kind === 'country')) {
    shapes.push(SWEDEN);
  }
  return { description, shapes };
}

/** Picks the info block in the preferred language (prefix match: 'sv' takes 'sv-SE'), else the first one. */
function chooseInfo(infos: Loose[], language: string): Loose | undefined {
  const want = language.toLowerCase();
  return infos.find((i) => textOf(i.language)?.toLowerCase().startsWith(want)) ?? infos[0];
}

const SEVERITIES: readonly AlertSeverity[] = ['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown'];

export interface CapNormaliseOptions {
  source: AlertSource;
  language: string;
  /** Credit prefix, e.g. "Sveriges Radio VMA"; the sender's name is appended when known. */
  creditLabel: string | null;
  geocodes?: GeocodeReading;
}

export type CapItemResult = { ok: true; alert: Alert } | { ok: false; id: string | null; message: string };

/** One CAP alert (as a loose object) to the normalised model. A Cancel may have `info: null`. */
export function normaliseCapAlert(raw: unknown, options: CapNormaliseOptions): CapItemResult {
  if (!isObject(raw)) return { ok: false, id: null, message: 'alert is not an object' };
  const id = textOf(raw.identifier)?.trim() || null;
  const problems: string[] = [];
  const sender = textOf(raw.sender)?.trim();
  const sent = parseTime(raw.sent);
  const status = caseInsensitive(AlertStatus.options, raw.status);
  const msgType = caseInsensitive(AlertMsgType.options, raw.msgType);
  if (!id) problems.push('identifier is missing');
  if (!sender) problems.push('sender is missing');
  if (sent === null) problems.push(`sent "${textOf(raw.sent) ?? ''}" is not an ISO 8601 time`);
  if (status === null) problems.push(`status "${textOf(raw.status) ?? ''}" is not a CAP status`);
  if (msgType === null) problems.push(`msgType "${textOf(raw.msgType) ?? ''}" is not a CAP msgType`);
  if (problems.length > 0 || !id || !sender || sent === null || status === null || msgType === null) {
    return { ok: false, id, message: problems.join('; ') };
  }

  const infos = asArray(raw.info).filter(isObject);
  const info = chooseInfo(infos, options.language);
  const areas: AlertArea[] = [];
  const seenAreas = new Set<string>();
  // Every language block describes the same area; take their union so a missing area in one block cannot hide it.
  for (const block of infos) {
    for (const a of asArray(block.area)) {
      const area = areaOf(a, options.geocodes ?? {});
      if (!area) continue;
      const key = JSON.stringify(area.shapes);
      if (seenAreas.has(key)) continue;
      seenAreas.add(key);
      areas.push(area);
    }
  }

  const senderName = plainOrNull(textOf(info?.senderName));
  const credit = [options.creditLabel, senderName ?? (options.creditLabel ? null : sender)]
    .filter((part): part is string => !!part)
    .join(' / ');

  const checked = checkAlert({
    source: options.source,
    id,
    sender,
    sent,
    status,
    msgType,
    references: parseReferences(raw.references),
    incidents: (textOf(raw.incidents) ?? '').split(/\s+/).filter((s) => s !== ''),
    severity: caseInsensitive(SEVERITIES, info?.severity) ?? 'Unknown',
    level: null,
    event: plainOrNull(textOf(info?.event)),
    headline: plainOrNull(textOf(info?.headline)),
    description: plainOrNull(textOf(info?.description)),
    instruction: plainOrNull(textOf(info?.instruction)),
    language: textOf(info?.language)?.trim() || null,
    areas,
    effective: parseTime(info?.effective) ?? parseTime(info?.onset),
    expires: parseTime(info?.expires),
    link: linkOf(info?.web),
    senderName,
    credit: credit || sender,
    raw,
  });
  return checked.ok ? checked : { ok: false, id, message: checked.message };
}

import { z } from 'zod';
import type { Alert, AreaShape, LatLon } from './alert.ts';
import { municipalityNameByCode, sameMunicipalityName } from './swedish-municipalities.ts';
import {
  countyByCode,
  countyByName,
  countyByNuts3,
  normaliseCountyCode,
  normaliseMunicipalityCode,
} from './swedish-regions.ts';

function code(normalise: (v: string | number) => string | null, message: string) {
  return z.union([z.string(), z.number()]).transform((value, ctx) => {
    const normalised = normalise(value);
    if (normalised === null) {
      ctx.addIssue({ code: 'custom', message });
      return z.NEVER;
    }
    return normalised;
  });
}

/** A sign as the crisis feeds see it: where it stands. */
export const SignLocation = z.object({
  id: z.string().min(1),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  municipalityCode: code(normaliseMunicipalityCode, 'expected a 4-digit municipality code like 1470'),
  countyCode: code(normaliseCountyCode, 'expected a 2-digit county code like 14'),
  /** ISO 3166 alpha-2; a nationwide alert ("Land SE") covers every sign in that country. */
  countryCode: z.string().length(2).default('SE'),
  /**
   * Lets feeds that name a municipality in words ("Vara kommun") match. Optional: known from the code for
   * the municipalities of Västra Götalands län.
   */
  municipalityName: z.string().min(1).optional(),
});
export type SignLocation = z.infer<typeof SignLocation>;
export type SignLocationInput = z.input<typeof SignLocation>;

export interface SignAreaMatch {
  signId: string;
  /** What matched, for the log: "municipality 1470", "polygon (Vara tätort)". */
  by: string;
}

export interface AreaMatchResult {
  signIds: string[];
  matches: SignAreaMatch[];
}

const EARTH_RADIUS_KM = 6371.0088;

/** Great-circle distance (haversine); metres of error at this scale do not matter for a circle test. */
export function distanceKm(a: LatLon, b: LatLon): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

function onSegment(p: LatLon, a: LatLon, b: LatLon): boolean {
  const cross = (b.lon - a.lon) * (p.lat - a.lat) - (b.lat - a.lat) * (p.lon - a.lon);
  if (Math.abs(cross) > 1e-12) return false;
  return (
    p.lon >= Math.min(a.lon, b.lon) - 1e-12 &&
    p.lon <= Math.max(a.lon, b.lon) + 1e-12 &&
    p.lat >= Math.min(a.lat, b.lat) - 1e-12 &&
    p.lat <= Math.max(a.lat, b.lat) + 1e-12
  );
}

/**
 * Ray casting on a plane of (lon, lat): fine for warning areas of a few hundred km away from the poles and the
 * antimeridian. A point on the boundary counts as inside: in doubt, a sign shows the warning.
 */
export function ringContains(ring: readonly LatLon[], p: LatLon): boolean {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const a = ring[i];
    const b = ring[j];
    if (!a || !b) continue;
    if (onSegment(p, a, b)) return true;
    if (a.lat > p.lat !== b.lat > p.lat) {
      const lonAtLat = a.lon + ((p.lat - a.lat) * (b.lon - a.lon)) / (b.lat - a.lat);
      if (p.lon < lonAtLat) inside = !inside;
    }
  }
  return inside;
}

export function polygonContains(rings: readonly (readonly LatLon[])[], p: LatLon): boolean {
  const [outer, ...holes] = rings;
  if (!outer || !ringContains(outer, p)) return false;
  // A point on a hole's edge stays inside (same reasoning as the outer boundary).
  return !holes.some(
    (hole) => ringContains(hole, p) && !hole.some((v, i) => onSegment(p, v, hole[(i + 1) % hole.length] ?? v)),
  );
}

function sameMunicipality(name: string, sign: SignLocation): boolean {
  const own = sign.municipalityName ?? municipalityNameByCode(sign.municipalityCode);
  return own !== null && sameMunicipalityName(name, own);
}

/** Why `shape` covers `sign`, or null when it does not. */
export function shapeCovers(shape: AreaShape, sign: SignLocation): string | null {
  const here = { lat: sign.lat, lon: sign.lon };
  switch (shape.kind) {
    case 'municipality':
      return shape.code === sign.municipalityCode ? `municipality ${shape.code}` : null;
    case 'county':
      return shape.code === sign.countyCode ? `county ${shape.code}` : null;
    case 'nuts3':
      return countyByNuts3(shape.code)?.code === sign.countyCode ? `NUTS3 ${shape.code}` : null;
    case 'countyName': {
      const county = countyByName(shape.name);
      return county !== null && county.code === sign.countyCode ? `county "${shape.name}"` : null;
    }
    case 'municipalityName':
      return sameMunicipality(shape.name, sign) ? `municipality "${shape.name}"` : null;
    case 'country':
      return shape.code === sign.countryCode ? `country ${shape.code}` : null;
    case 'polygon':
      return polygonContains(shape.rings, here) ? 'polygon' : null;
    case 'circle':
      return distanceKm(shape.center, here) <= shape.radiusKm ? `circle ${shape.radiusKm} km` : null;
  }
}

/** Which signs the alert's areas cover (the union of every shape of every area), and by what. */
export function matchAlertArea(alert: Pick<Alert, 'areas'>, signs: readonly SignLocation[]): AreaMatchResult {
  const matches: SignAreaMatch[] = [];
  for (const sign of signs) {
    let by: string | null = null;
    for (const area of alert.areas) {
      for (const shape of area.shapes) {
        const why = shapeCovers(shape, sign);
        if (why !== null) {
          by = area.description && !why.includes(area.description) ? `${why} (${area.description})` : why;
          break;
        }
      }
      if (by !== null) break;
    }
    if (by !== null) matches.push({ signId: sign.id, by });
  }
  return { signIds: matches.map((m) => m.signId), matches };
}

function shapeLabel(shape: AreaShape): string {
  switch (shape.kind) {
    case 'municipality':
    case 'nuts3':
    case 'country':
      return `${shape.kind} ${shape.code}`;
    case 'county': {
      const county = countyByCode(shape.code);
      return county ? `county ${shape.code} ${county.name}` : `county ${shape.code}`;
    }
    case 'countyName':
    case 'municipalityName':
      return shape.name;
    case 'circle':
      return `circle ${shape.radiusKm} km`;
    default:
      return shape.kind;
  }
}

/** Short text naming the alert's areas, for "out of area" log lines. */
export function describeAreas(alert: Pick<Alert, 'areas'>): string {
  const names = alert.areas.map((area) => area.description ?? area.shapes.map(shapeLabel).join(', '));
  return names.length > 0 ? names.join('; ') : 'no area';
}

import { z } from 'zod';

/** Where an alert came from; the crisis policy is configured per source. */
export const ALERT_SOURCES = ['sr-vma', 'krisinformation', 'smhi', 'cap'] as const;
export const AlertSource = z.enum(ALERT_SOURCES);
export type AlertSource = z.infer<typeof AlertSource>;

/** CAP 1.2 status. Only `Actual` may ever reach a sign. */
export const AlertStatus = z.enum(['Actual', 'Exercise', 'Test', 'System', 'Draft']);
export type AlertStatus = z.infer<typeof AlertStatus>;

/** CAP 1.2 msgType. Ack and Error exist in CAP and are always ignored. */
export const AlertMsgType = z.enum(['Alert', 'Update', 'Cancel', 'Ack', 'Error']);
export type AlertMsgType = z.infer<typeof AlertMsgType>;

/** CAP 1.2 severity; SMHI levels are mapped onto it (RED Extreme, ORANGE Severe, YELLOW Moderate, MESSAGE Minor). */
export const AlertSeverity = z.enum(['Extreme', 'Severe', 'Moderate', 'Minor', 'Unknown']);
export type AlertSeverity = z.infer<typeof AlertSeverity>;

/** SMHI impact-based warning level; null for other sources. */
export const WarningLevel = z.enum(['MESSAGE', 'YELLOW', 'ORANGE', 'RED']);
export type WarningLevel = z.infer<typeof WarningLevel>;

export const LatLon = z.object({
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
});
export type LatLon = z.infer<typeof LatLon>;

/**
 * One way a feed names the area it covers. Coordinates are always {lat, lon} here: each adapter undoes its own
 * axis order (CAP "lat,lon", GeoJSON [lon, lat]) so that area matching never has to guess.
 */
export const AreaShape = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('municipality'), code: z.string().regex(/^\d{4}$/) }),
  z.object({ kind: z.literal('county'), code: z.string().regex(/^\d{2}$/) }),
  z.object({ kind: z.literal('nuts3'), code: z.string().regex(/^[A-Z]{2}[0-9A-Z]{3}$/) }),
  z.object({ kind: z.literal('country'), code: z.string().regex(/^[A-Z]{2}$/) }),
  z.object({ kind: z.literal('countyName'), name: z.string().min(1) }),
  z.object({ kind: z.literal('municipalityName'), name: z.string().min(1) }),
  z.object({
    kind: z.literal('polygon'),
    // First ring is the outer boundary, further rings are holes (GeoJSON semantics; CAP polygons have one ring).
    rings: z.array(z.array(LatLon).min(3)).min(1),
  }),
  z.object({ kind: z.literal('circle'), center: LatLon, radiusKm: z.number().nonnegative() }),
]);
export type AreaShape = z.infer<typeof AreaShape>;

/** A named area; the alert covers the union of its shapes (CAP 1.2, 3.2.4). */
export const AlertArea = z.object({
  description: z.string().nullable(),
  shapes: z.array(AreaShape),
});
export type AlertArea = z.infer<typeof AlertArea>;

/**
 * A reference to an earlier message. CAP writes "sender,identifier,sent" triples; some feeds write bare ids.
 * Both are stored with `id` as the key that matching uses.
 */
export const AlertReference = z.object({
  id: z.string().min(1),
  sender: z.string().nullable(),
  sent: z.string().nullable(),
});
export type AlertReference = z.infer<typeof AlertReference>;

const epochMs = z.number().int();

/** The one normalised alert every adapter produces and the crisis policy consumes. Times are epoch ms. */
export const Alert = z.object({
  source: AlertSource,
  /** The source's identifier (CAP identifier, Krisinformation Identifier, SMHI "<warning id>-<area id>"). */
  id: z.string().min(1),
  sender: z.string(),
  sent: epochMs,
  status: AlertStatus,
  msgType: AlertMsgType,
  references: z.array(AlertReference),
  /** CAP incidents: ids of the incident this message belongs to (SR VMA groups Alert/Update/Cancel this way). */
  incidents: z.array(z.string()),
  severity: AlertSeverity,
  level: WarningLevel.nullable(),
  event: z.string().nullable(),
  headline: z.string().nullable(),
  description: z.string().nullable(),
  instruction: z.string().nullable(),
  language: z.string().nullable(),
  areas: z.array(AlertArea),
  effective: epochMs.nullable(),
  expires: epochMs.nullable(),
  link: z.string().nullable(),
  senderName: z.string().nullable(),
  /** Who to credit on a sign or in the UI, e.g. "Sveriges Radio VMA / Räddningstjänsten Östra Skaraborg". */
  credit: z.string().min(1),
  /** The source item as received, for the audit log. */
  raw: z.unknown(),
});
export type Alert = z.infer<typeof Alert>;

/** Dedupe key: the same id may legitimately arrive as Alert, then Update, then Cancel. */
export function alertKey(alert: Pick<Alert, 'source' | 'id' | 'msgType'>): string {
  return `${alert.source}|${alert.id}|${alert.msgType}`;
}

/**
 * Parses a CAP `references` value: whitespace-separated "sender,identifier,sent" triples, bare identifiers, or a mix
 * (SR VMA sends a string or null; some JSON feeds send an array). Duplicates are dropped.
 */
export function parseReferences(value: unknown): AlertReference[] {
  const tokens: string[] = [];
  const collect = (v: unknown): void => {
    if (typeof v === 'string') tokens.push(...v.split(/\s+/).filter((t) => t !== ''));
    else if (Array.isArray(v)) v.forEach(collect);
  };
  collect(value);
  const seen = new Set<string>();
  const references: AlertReference[] = [];
  for (const token of tokens) {
    const parts = token.split(',');
    // sender and sent never contain commas in CAP; an identifier must not either, so a triple has exactly 3 parts.
    const reference: AlertReference =
      parts.length === 3 && parts[1]
        ? { id: parts[1], sender: parts[0] || null, sent: parts[2] || null }
        : { id: token, sender: null, sent: null };
    if (seen.has(reference.id)) continue;
    seen.add(reference.id);
    references.push(reference);
  }
  return references;
}

/** The ids an Update or Cancel points at: its references, or its incidents when it names no reference. */
export function referencedIds(alert: Pick<Alert, 'references' | 'incidents'>): string[] {
  const ids = alert.references.map((r) => r.id);
  return ids.length > 0 ? ids : [...alert.incidents];
}

/** True when `alert` refers to the alert with id `id`, by a triple, a bare id, or a shared incident. */
export function refersTo(
  alert: Pick<Alert, 'references' | 'incidents'>,
  target: Pick<Alert, 'id' | 'incidents'>,
): boolean {
  if (alert.references.some((r) => r.id === target.id)) return true;
  return alert.incidents.some((i) => target.incidents.includes(i));
}

export function isExpired(alert: Pick<Alert, 'expires'>, now: number): boolean {
  return alert.expires !== null && alert.expires <= now;
}

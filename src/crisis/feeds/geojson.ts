// GeoJSON (RFC 7946) positions are [longitude, latitude]: the opposite of CAP. This is the only place that reads
// them, and it returns {lat, lon} so nothing downstream can mix the two up.

import type { AreaShape, LatLon } from '../alert.ts';

function position(value: unknown): LatLon | null {
  if (!Array.isArray(value) || value.length < 2) return null;
  const [lon, lat] = value as unknown[];
  if (typeof lon !== 'number' || typeof lat !== 'number') return null;
  if (!Number.isFinite(lon) || !Number.isFinite(lat) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null;
  return { lat, lon };
}

function ring(value: unknown): LatLon[] | null {
  if (!Array.isArray(value)) return null;
  const points = value.map(position);
  if (points.length < 3 || points.some((p) => p === null)) return null;
  return points as LatLon[];
}

function polygon(value: unknown): AreaShape | null {
  if (!Array.isArray(value) || value.length === 0) return null;
  const rings = value.map(ring);
  if (rings.some((r) => r === null)) return null;
  return { kind: 'polygon', rings: rings as LatLon[][] };
}

/** Polygons from a FeatureCollection, Feature, GeometryCollection, Polygon or MultiPolygon; other geometries are skipped. */
export function geoJsonShapes(value: unknown, depth = 0): AreaShape[] {
  if (value === null || typeof value !== 'object' || depth > 8) return [];
  const node = value as {
    type?: unknown;
    features?: unknown;
    geometry?: unknown;
    geometries?: unknown;
    coordinates?: unknown;
  };
  switch (node.type) {
    case 'FeatureCollection':
      return Array.isArray(node.features) ? node.features.flatMap((f) => geoJsonShapes(f, depth + 1)) : [];
    case 'Feature':
      return geoJsonShapes(node.geometry, depth + 1);
    case 'GeometryCollection':
      return Array.isArray(node.geometries) ? node.geometries.flatMap((g) => geoJsonShapes(g, depth + 1)) : [];
    case 'Polygon': {
      const shape = polygon(node.coordinates);
      return shape ? [shape] : [];
    }
    case 'MultiPolygon':
      return Array.isArray(node.coordinates)
        ? node.coordinates.map(polygon).filter((s): s is AreaShape => s !== null)
        : [];
    default:
      return [];
  }
}

import { describe, expect, it } from 'vitest';
import type { AlertArea, AreaShape } from '../../src/crisis/alert.ts';
import { distanceKm, matchAlertArea, SignLocation } from '../../src/crisis/area-match.ts';
import { parseCapCircle, parseCapPolygon } from '../../src/crisis/feeds/cap-common.ts';
import { geoJsonShapes } from '../../src/crisis/feeds/geojson.ts';
import { VARA_SIGN_IDS, VARA_SIGNS } from './crisis-test-kit.ts';

function covered(...shapes: (AreaShape | null)[]): string[] {
  const areas: AlertArea[] = [{ description: null, shapes: shapes.filter((s): s is AreaShape => s !== null) }];
  return matchAlertArea({ areas }, VARA_SIGNS).signIds;
}

/** A small box around Vara: 58.24-58.29 N, 12.92-12.99 E. */
const CAP_BOX = '58.24,12.92 58.24,12.99 58.29,12.99 58.29,12.92 58.24,12.92';

describe('area matching by code and name', () => {
  it('matches municipality 1470, not a neighbour', () => {
    expect(covered({ kind: 'municipality', code: '1470' })).toEqual(VARA_SIGN_IDS);
    expect(covered({ kind: 'municipality', code: '1490' })).toEqual([]);
  });

  it('matches a county-only alert by code 14, NUTS3 SE232 and the county name in its spellings', () => {
    expect(covered({ kind: 'county', code: '14' })).toEqual(VARA_SIGN_IDS);
    expect(covered({ kind: 'nuts3', code: 'SE232' })).toEqual(VARA_SIGN_IDS);
    for (const name of ['Västra Götalands län', 'Västra Götaland', 'västra götaland county', 'VÄSTRA GÖTALANDS LÄN']) {
      expect(covered({ kind: 'countyName', name }), name).toEqual(VARA_SIGN_IDS);
    }
    expect(covered({ kind: 'county', code: '20' })).toEqual([]);
    expect(covered({ kind: 'nuts3', code: 'SE312' })).toEqual([]);
    expect(covered({ kind: 'countyName', name: 'Dalarnas län' })).toEqual([]);
    expect(covered({ kind: 'countyName', name: 'Atlantis län' })).toEqual([]);
  });

  it("matches a municipality by name: the sign's own name, or the name of its code in Västra Götaland", () => {
    expect(covered({ kind: 'municipalityName', name: 'Vara kommun' })).toEqual(VARA_SIGN_IDS);
    expect(covered({ kind: 'municipalityName', name: 'Skara kommun' })).toEqual([]);
    const byName = (name: string, signs: SignLocation[]) =>
      matchAlertArea({ areas: [{ description: null, shapes: [{ kind: 'municipalityName', name }] }] }, signs).signIds;
    const unnamed = [SignLocation.parse({ id: 'X', lat: 58.267, lon: 12.95, municipalityCode: 1470, countyCode: 14 })];
    expect(byName('Vara', unnamed)).toEqual(['X']);
    expect(byName('VARA KOMMUN', unnamed)).toEqual(['X']);
    expect(byName('Varberg', unnamed)).toEqual([]);
    const lidkoping = [SignLocation.parse({ id: 'L', lat: 58.5, lon: 13.16, municipalityCode: 1494, countyCode: 14 })];
    expect(byName('Lidköpings kommun', lidkoping)).toEqual(['L']);
    const boras = [SignLocation.parse({ id: 'B', lat: 57.72, lon: 12.94, municipalityCode: 1490, countyCode: 14 })];
    expect(byName('Borås kommun', boras)).toEqual(['B']);
    expect(byName('Bor kommun', boras)).toEqual([]);
    // Outside the table and without a name of its own, a sign cannot be matched by name.
    const stockholm = [SignLocation.parse({ id: 'S', lat: 59.33, lon: 18.07, municipalityCode: 180, countyCode: 1 })];
    expect(byName('Stockholm', stockholm)).toEqual([]);
  });

  it('matches a nationwide alert (Land SE)', () => {
    expect(covered({ kind: 'country', code: 'SE' })).toEqual(VARA_SIGN_IDS);
    expect(covered({ kind: 'country', code: 'NO' })).toEqual([]);
  });

  it('normalises sign codes given as numbers', () => {
    const sign = SignLocation.parse({ id: 'S', lat: 59.3, lon: 18.1, municipalityCode: 180, countyCode: 1 });
    expect(sign).toMatchObject({ municipalityCode: '0180', countyCode: '01', countryCode: 'SE' });
    expect(() =>
      SignLocation.parse({ id: 'S', lat: 59.3, lon: 18.1, municipalityCode: 'Vara', countyCode: 14 }),
    ).toThrow(/municipality code/);
  });
});

describe('area matching by geometry', () => {
  it('reads CAP polygons as "lat,lon" pairs', () => {
    expect(covered(parseCapPolygon(CAP_BOX))).toEqual(VARA_SIGN_IDS);
    // The same numbers in the wrong order describe a box in the sea off Somalia: no match.
    const swapped = CAP_BOX.split(' ')
      .map((p) => p.split(',').reverse().join(','))
      .join(' ');
    expect(covered(parseCapPolygon(swapped))).toEqual([]);
  });

  it('reads GeoJSON polygons as [lon, lat] positions', () => {
    const geojson = {
      type: 'Polygon',
      coordinates: [
        [
          [12.92, 58.24],
          [12.99, 58.24],
          [12.99, 58.29],
          [12.92, 58.29],
          [12.92, 58.24],
        ],
      ],
    };
    expect(covered(...geoJsonShapes(geojson))).toEqual(VARA_SIGN_IDS);
    const swapped = { ...geojson, coordinates: [geojson.coordinates[0]?.map(([lon, lat]) => [lat, lon])] };
    expect(covered(...geoJsonShapes(swapped))).toEqual([]);
  });

  it('handles FeatureCollection, MultiPolygon and holes', () => {
    const outer = [
      [12.0, 58.0],
      [14.0, 58.0],
      [14.0, 59.0],
      [12.0, 59.0],
      [12.0, 58.0],
    ];
    const holeAroundVara = [
      [12.9, 58.2],
      [13.0, 58.2],
      [13.0, 58.3],
      [12.9, 58.3],
      [12.9, 58.2],
    ];
    const far = [
      [16.0, 60.0],
      [17.0, 60.0],
      [17.0, 61.0],
      [16.0, 60.0],
    ];
    const collection = {
      type: 'FeatureCollection',
      features: [
        { type: 'Feature', properties: {}, geometry: { type: 'MultiPolygon', coordinates: [[far], [outer]] } },
      ],
    };
    expect(covered(...geoJsonShapes(collection))).toEqual(VARA_SIGN_IDS);
    expect(covered(...geoJsonShapes({ type: 'Polygon', coordinates: [outer, holeAroundVara] }))).toEqual([]);
  });

  it('matches one sign but not the other when a polygon edge runs between them', () => {
    // E20-N at 58.2676 N, E20-S at 58.2664 N; this box ends at 58.267 N.
    expect(covered(parseCapPolygon('58.20,12.90 58.20,13.00 58.267,13.00 58.267,12.90 58.20,12.90'))).toEqual([
      'E20-S',
    ]);
  });

  it('counts a sign exactly on the boundary as inside', () => {
    const sign = VARA_SIGNS[0] as SignLocation;
    const edge = `${sign.lat},${sign.lon - 0.1} ${sign.lat},${sign.lon + 0.1} ${sign.lat + 0.1},${sign.lon} ${sign.lat},${sign.lon - 0.1}`;
    expect(covered(parseCapPolygon(edge))).toContain('E20-N');
  });

  it('matches a CAP circle "lat,lon radius_km" by great-circle distance', () => {
    // Skara town centre is about 30 km north-east of the signs.
    const skara = { lat: 58.386, lon: 13.438 };
    const distance = distanceKm(skara, { lat: 58.267, lon: 12.95 });
    expect(distance).toBeGreaterThan(25);
    expect(distance).toBeLessThan(35);
    expect(covered(parseCapCircle(`${skara.lat},${skara.lon} ${Math.ceil(distance) + 1}`))).toEqual(VARA_SIGN_IDS);
    expect(covered(parseCapCircle(`${skara.lat},${skara.lon} ${Math.floor(distance) - 1}`))).toEqual([]);
    expect(covered(parseCapCircle('58.267,12.950 0.5'))).toEqual(VARA_SIGN_IDS);
  });

  it('drops unusable CAP geometry instead of guessing', () => {
    expect(parseCapPolygon('58.24,12.92 58.24,12.99')).toBeNull();
    expect(parseCapPolygon('58.24;12.92 58.24,12.99 58.29,12.99 58.24;12.92')).toBeNull();
    expect(parseCapPolygon('158.24,12.92 58.24,12.99 58.29,12.99 158.24,12.92')).toBeNull();
    expect(parseCapCircle('58.267,12.950')).toBeNull();
    expect(parseCapCircle('58.267,12.950 -3')).toBeNull();
  });

  it('covers nothing without areas', () => {
    expect(matchAlertArea({ areas: [] }, VARA_SIGNS)).toEqual({ signIds: [], matches: [] });
  });
});

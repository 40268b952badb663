import { describe, expect, it } from 'vitest';
import { parseReferences } from '../../src/crisis/alert.ts';
import { capAdapter, parseCapFeed } from '../../src/crisis/feeds/cap-adapter.ts';
import { krisinformationAdapter, parseKrisinformationFeed } from '../../src/crisis/feeds/krisinformation-adapter.ts';
import { parseSmhiFeed, smhiAdapter } from '../../src/crisis/feeds/smhi-adapter.ts';
import { parseSrVmaFeed, srVmaAdapter } from '../../src/crisis/feeds/sr-vma-adapter.ts';
import { alertsOf, only } from './crisis-test-kit.ts';
import { fixture } from './feed-replay-server.ts';

describe('SR VMA adapter', () => {
  it('normalises an alert, picking the Swedish info block and cleaning its text', () => {
    const alert = only(alertsOf(srVmaAdapter(), fixture('sr-vma-vara-alert.json')));
    expect(alert).toMatchObject({
      source: 'sr-vma',
      id: 'SRVMA20260302101200A',
      sender: 'https://vmaapi.sr.se',
      sent: Date.parse('2026-03-02T09:12:00Z'),
      status: 'Actual',
      msgType: 'Alert',
      references: [],
      incidents: ['SRVMA20260302101200'],
      severity: 'Severe',
      language: 'sv-SE',
      headline: 'Brand i industribyggnad i Vara',
      description: 'Det brinner i en industribyggnad i centrala Vara. Kraftig rökutveckling. Röken driver mot nordost.',
      expires: Date.parse('2026-03-02T15:12:00Z'),
      credit: 'Sveriges Radio VMA / Räddningstjänsten Östra Skaraborg',
      link: 'https://www.krisinformation.se',
    });
    // Both language blocks name the same area: it appears once.
    expect(alert.areas).toEqual([
      { description: 'Vara kommun (Västra Götalands län)', shapes: [{ kind: 'municipality', code: '1470' }] },
    ]);
  });

  it('prefers another language when configured', () => {
    const alert = only(alertsOf(srVmaAdapter({ language: 'en' }), fixture('sr-vma-vara-alert.json')));
    expect(alert.headline).toBe('Fire in an industrial building in Vara');
  });

  it('reads a Cancel with info null and references as CAP triples', () => {
    const cancel = only(alertsOf(srVmaAdapter(), fixture('sr-vma-vara-cancel.json')));
    expect(cancel).toMatchObject({ msgType: 'Cancel', headline: null, areas: [], expires: null, severity: 'Unknown' });
    expect(cancel.references).toEqual([
      { id: 'SRVMA20260302101200A', sender: 'https://vmaapi.sr.se', sent: '2026-03-02T10:12:00+01:00' },
      { id: 'SRVMA20260302110400U', sender: 'https://vmaapi.sr.se', sent: '2026-03-02T11:04:00+01:00' },
    ]);
  });

  it('keeps the good alerts of a payload with one broken item', () => {
    const good = JSON.parse(fixture('sr-vma-vara-alert.json')).alerts[0];
    const result = parseSrVmaFeed(
      JSON.stringify({ alerts: [{ ...good, status: 'Maybe' }, good, { identifier: 'X' }] }),
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.alerts.map((a) => a.id)).toEqual(['SRVMA20260302101200A']);
    expect(result.issues.map((i) => i.index)).toEqual([0, 2]);
    expect(result.issues[0]?.message).toContain('status "Maybe"');
  });

  it('returns a typed error, never throws, for malformed JSON or the wrong shape', () => {
    for (const body of ['{"alerts": [', '<html>502 Bad Gateway</html>', '', '42', '{"foo": 1}']) {
      const result = parseSrVmaFeed(body);
      expect(result.ok).toBe(false);
      if (result.ok) continue;
      expect(result.error.feedParse).toBe(true);
      expect(result.error.source).toBe('sr-vma');
    }
    const notJson = parseSrVmaFeed('{"alerts": [');
    expect(!notJson.ok && notJson.error.reason).toBe('malformed');
    const wrongShape = parseSrVmaFeed('{"foo": 1}');
    expect(!wrongShape.ok && wrongShape.error.reason).toBe('shape');
  });

  it('accepts an empty alerts list and a bare alert object (as pushed)', () => {
    expect(parseSrVmaFeed('{"timestamp":"2026-03-02T10:00:00+01:00","alerts":[]}')).toMatchObject({
      ok: true,
      alerts: [],
    });
    const bare = JSON.stringify(JSON.parse(fixture('sr-vma-vara-update.json')).alerts[0]);
    expect(alertsOf(srVmaAdapter(), bare).map((a) => a.msgType)).toEqual(['Update']);
  });
});

describe('CAP references', () => {
  it('resolves triples and bare ids alike, dropping duplicates', () => {
    expect(parseReferences('sender,ID-1,2026-03-02T10:12:00+01:00 ID-2 sender,ID-1,2026-03-02T10:12:00+01:00')).toEqual(
      [
        { id: 'ID-1', sender: 'sender', sent: '2026-03-02T10:12:00+01:00' },
        { id: 'ID-2', sender: null, sent: null },
      ],
    );
    expect(parseReferences(['ID-3', 'a,ID-4,b'])).toEqual([
      { id: 'ID-3', sender: null, sent: null },
      { id: 'ID-4', sender: 'a', sent: 'b' },
    ]);
    expect(parseReferences(null)).toEqual([]);
  });
});

describe('Krisinformation adapter', () => {
  it('decodes HTML entities in the headline, reads areas and credits the source', () => {
    const [first, second] = alertsOf(krisinformationAdapter(), fixture('krisinformation-news.json'));
    expect(first).toMatchObject({
      source: 'krisinformation',
      id: 'KRI-2026-0117-0042',
      status: 'Actual',
      msgType: 'Alert',
      headline: 'Snöstorm: E20 avstängd mellan Vårgårda och Vara',
      description: 'Kraftigt snöfall och hård vind gör att E20 är avstängd i båda riktningar.',
      sent: Date.parse('2026-01-17T06:05:00Z'),
      credit: 'Krisinformation.se',
      link: 'https://www.krisinformation.se/nyheter/2026/januari/snostorm-e20',
    });
    expect(first?.areas).toEqual([
      { description: 'Västra Götalands län', shapes: [{ kind: 'countyName', name: 'Västra Götalands län' }] },
    ]);
    expect(second?.areas[0]?.shapes).toEqual([{ kind: 'countyName', name: 'Dalarnas län' }]);
  });

  it('marks IsTest items as status Test', () => {
    const items = JSON.parse(fixture('krisinformation-news.json'));
    const alerts = alertsOf(krisinformationAdapter(), JSON.stringify([{ ...items[0], IsTest: true }]));
    expect(only(alerts).status).toBe('Test');
  });

  it('rejects a non-array payload with a typed error', () => {
    const result = parseKrisinformationFeed('{"Identifier":"x"}');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.source).toBe('krisinformation');
  });
});

describe('SMHI adapter', () => {
  it('makes one alert per warning area with level, severity and the GeoJSON polygon (not the county) as lat/lon', () => {
    const alert = only(alertsOf(smhiAdapter(), fixture('smhi-warnings.json')));
    expect(alert).toMatchObject({
      source: 'smhi',
      id: '8841-15522',
      level: 'ORANGE',
      severity: 'Severe',
      headline: 'Orange varning: Snöfall, Skaraborg och Sjuhärad',
      effective: Date.parse('2026-01-17T03:00:00Z'),
      expires: Date.parse('2026-01-18T00:00:00Z'),
      credit: 'SMHI',
    });
    expect(alert.description).toContain('Snöfall med 20-30 cm snö och hård vind.');
    // The polygon is the warning area; the county list (affectedAreas) does not add to it.
    const [polygon, ...rest] = alert.areas[0]?.shapes ?? [];
    expect(rest).toEqual([]);
    // GeoJSON [12.40, 58.00] is lon, lat.
    expect(polygon?.kind === 'polygon' && polygon.rings[0]?.[0]).toEqual({ lat: 58, lon: 12.4 });
  });

  it('reports an unknown warning level as an item issue', () => {
    const warnings = JSON.parse(fixture('smhi-warnings.json'));
    warnings[0].warningAreas[0].warningLevel.code = 'PURPLE';
    const result = parseSmhiFeed(JSON.stringify(warnings));
    expect(result).toMatchObject({ ok: true, alerts: [] });
    expect(result.ok && result.issues[0]?.message).toContain('PURPLE');
  });
});

describe('CAP adapter', () => {
  it('parses CAP 1.2 XML with a lat,lon polygon', () => {
    const alert = only(alertsOf(capAdapter(), fixture('cap-vara.xml')));
    expect(alert).toMatchObject({
      source: 'cap',
      id: 'VARA-KOMMUN-2026-07-14-001',
      sender: 'krisledning@vara.se',
      status: 'Actual',
      msgType: 'Alert',
      severity: 'Moderate',
      headline: 'Koka vattnet i Vara tätort',
      instruction: 'Koka dricksvattnet i minst en minut innan du dricker det.',
      credit: 'Vara kommun',
      link: 'https://www.vara.se',
    });
    const polygon = alert.areas[0]?.shapes[0];
    expect(polygon?.kind === 'polygon' && polygon.rings[0]?.[0]).toEqual({ lat: 58.24, lon: 12.92 });
  });

  it('parses Atom wrapping CAP, embedded as XML, as escaped text, and as links to follow', () => {
    const cap = fixture('cap-vara.xml').replace(/<\?xml[^>]*\?>/, '');
    const escaped = cap.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
    const atom = `<?xml version="1.0" encoding="UTF-8"?>
      <feed xmlns="http://www.w3.org/2005/Atom">
        <title>Vara kommun</title>
        <entry><id>e1</id><updated>2026-07-14T09:30:00+02:00</updated><content type="application/cap+xml">${cap}</content></entry>
        <entry><id>e2</id><updated>2026-07-14T09:31:00+02:00</updated><content type="text">${escaped.replace('VARA-KOMMUN-2026-07-14-001', 'ESCAPED-1')}</content></entry>
        <entry><id>e3</id><updated>2026-07-14T09:32:00+02:00</updated><link rel="alternate" type="application/cap+xml" href="/cap/3.xml"/></entry>
        <entry><id>e4</id><updated>2026-07-14T09:33:00+02:00</updated><link rel="alternate" type="text/html" href="/news/4"/></entry>
      </feed>`;
    const result = parseCapFeed(atom);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.alerts.map((a) => a.id)).toEqual(['VARA-KOMMUN-2026-07-14-001', 'ESCAPED-1']);
    expect(result.follow).toEqual([{ url: '/cap/3.xml', version: '2026-07-14T09:32:00+02:00' }]);
    expect(result.issues).toEqual([expect.objectContaining({ index: 3, id: 'e4' })]);
  });

  it('accepts prefixed CAP elements and a circle', () => {
    const xml = `<cap:alert xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2">
      <cap:identifier>0042</cap:identifier><cap:sender>x@y.se</cap:sender><cap:sent>2026-07-14T09:30:00+02:00</cap:sent>
      <cap:status>actual</cap:status><cap:msgType>Alert</cap:msgType><cap:scope>Public</cap:scope>
      <cap:info><cap:headline>H</cap:headline><cap:area><cap:areaDesc>Runt Vara</cap:areaDesc>
      <cap:circle>58.267,12.950 5</cap:circle><cap:geocode><cap:valueName>NUTS3</cap:valueName><cap:value>SE232</cap:value></cap:geocode>
      </cap:area></cap:info></cap:alert>`;
    const alert = only(alertsOf(capAdapter(), xml));
    expect(alert.id).toBe('0042');
    expect(alert.status).toBe('Actual');
    expect(alert.areas[0]?.shapes).toEqual([
      { kind: 'circle', center: { lat: 58.267, lon: 12.95 }, radiusKm: 5 },
      { kind: 'nuts3', code: 'SE232' },
    ]);
  });

  it('returns typed errors for malformed XML, foreign documents and entity declarations', () => {
    const cases: [string, string][] = [
      ['<alert><identifier>x</alert>', 'malformed'],
      ['not xml at all', 'shape'],
      ['<html><body>Service unavailable</body></html>', 'shape'],
      ['<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx">]><alert/>', 'shape'],
    ];
    for (const [body, reason] of cases) {
      const result = parseCapFeed(body);
      expect(result.ok, body).toBe(false);
      if (!result.ok) {
        expect(result.error.feedParse).toBe(true);
        expect([reason, 'malformed']).toContain(result.error.reason);
      }
    }
  });
});

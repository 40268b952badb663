// Issue 12, points 6-9: what the real Krisinformation v3, SMHI IBWW and CAP (IPAWS, NWS) payloads look like, and
// what Skylt must do with them for the signs at Vara. Payloads are the recorded fixtures of tests/fixtures/feeds,
// served over loopback HTTP where a feed is polled.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/crisis/alert.ts';
import { type CrisisDecision, CrisisPolicyConfig, decideCrisis } from '../../src/crisis/crisis-policy.ts';
import { CrisisFeedConfig } from '../../src/crisis/feed-config.ts';
import { FeedMonitor } from '../../src/crisis/feed-monitor.ts';
import { FeedPoller } from '../../src/crisis/feed-poller.ts';
import { capAdapter, parseCapFeed } from '../../src/crisis/feeds/cap-adapter.ts';
import { krisinformationAdapter } from '../../src/crisis/feeds/krisinformation-adapter.ts';
import { smhiAdapter } from '../../src/crisis/feeds/smhi-adapter.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { alertsOf, ManualTimers, only, recordingLog, VARA_SIGN_IDS, VARA_SIGNS } from './crisis-test-kit.ts';
import { FeedReplayServer, fixture } from './feed-replay-server.ts';

const FIRE_DAY = Date.parse('2026-03-02T10:45:00+01:00');
const CAP_TAKEOVER = CrisisPolicyConfig.parse({ sources: { cap: { onAlert: 'takeover' } } });

const decide = (alert: Alert, now: number, config?: CrisisPolicyConfig) =>
  decideCrisis(alert, VARA_SIGNS, now, config, { activeAlertIds: new Set() });
const byHeadline = (alerts: Alert[], start: string) => {
  const alert = alerts.find((a) => a.headline?.startsWith(start));
  if (!alert) throw new Error(`no alert "${start}…" in ${alerts.map((a) => a.headline).join(' | ')}`);
  return alert;
};

let server: FeedReplayServer;
beforeEach(async () => {
  server = await FeedReplayServer.start();
});
afterEach(async () => {
  await server.close();
});

describe('Krisinformation v3 (12.6)', () => {
  const items = () => alertsOf(krisinformationAdapter(), fixture('krisinformation-v3-vara-fire.json'));

  it('"Sverige", listed first on every item, matches no sign on its own', () => {
    const siren = byHeadline(items(), 'Test av Hesa Fredrik');
    expect(siren.areas).toEqual([{ description: 'Sverige', shapes: [] }]);
    const decision = decide(siren, FIRE_DAY);
    expect(decision.action).toBe('ignore');
    expect(decision.signIds).toEqual([]);
  });

  it('proposes the item naming Vara kommun, not the one naming Göteborg in the same county', () => {
    const vara = decide(byHeadline(items(), 'Brand i industribyggnad i Vara'), FIRE_DAY);
    expect(vara).toMatchObject({ action: 'propose', signIds: VARA_SIGN_IDS });
    expect(vara.reason).toContain('municipality "Vara kommun"');
    // Göteborg's item also lists Västra Götalands län; the municipality it names decides, and it is not Vara.
    const goteborg = decide(byHeadline(items(), 'Vattenläcka i centrala Göteborg'), FIRE_DAY);
    expect(goteborg.action).toBe('ignore');
    expect(goteborg.reason).toMatch(/out of area/);
  });

  it('matches a point of interest by its coordinates: Tråvad (8 km) is proposed, Lidköping (30 km) is not', () => {
    const travad = byHeadline(items(), 'Olycka med farligt gods');
    expect(decide(travad, FIRE_DAY)).toMatchObject({ action: 'propose', signIds: VARA_SIGN_IDS });
    const raw = JSON.parse(fixture('krisinformation-v3-vara-fire.json'));
    raw[3].Area[2] = { Type: 'PoI', Description: 'Lidköping hamn', Coordinate: '13.1567,58.5052,0' };
    const far = byHeadline(alertsOf(krisinformationAdapter(), JSON.stringify(raw)), 'Olycka med farligt gods');
    expect(decide(far, FIRE_DAY).action).toBe('ignore');
  });

  it('reads "Faran är över" as the end of the item it is published on', () => {
    const allClear = only(alertsOf(krisinformationAdapter(), fixture('krisinformation-v3-vara-fire-faran-over.json')));
    expect(allClear).toMatchObject({
      msgType: 'Cancel',
      id: '1d0c6a3e-4c1b-4f7e-9a55-3b2f0e7d9c11',
      references: [{ id: '1d0c6a3e-4c1b-4f7e-9a55-3b2f0e7d9c11' }],
    });
    expect(decide(allClear, FIRE_DAY + 3 * 3600_000).action).toBe('end');
    // "Faran är inte över" is no all-clear.
    const raw = JSON.parse(fixture('krisinformation-v3-vara-fire-faran-over.json'));
    raw[0].PushMessage = 'Faran är inte över. Håll dig inomhus.';
    raw[0].Preamble = 'Branden sprider sig.';
    expect(only(alertsOf(krisinformationAdapter(), JSON.stringify(raw))).msgType).toBe('Alert');
  });

  it('proposes, then updates on a changed text with the same Updated, then ends on the all-clear', async () => {
    const path = '/v3/news';
    const decisions: CrisisDecision[] = [];
    const monitor = new FeedMonitor({
      config: CrisisFeedConfig.parse({ vmaUrl: null, krisinfoUrl: `${server.url}/v3` }),
      signs: VARA_SIGNS,
      clock: new ManualClock(FIRE_DAY),
      log: recordingLog(),
      onDecision: (d) => decisions.push(d),
    });
    const fire = JSON.parse(fixture('krisinformation-v3-vara-fire.json'))[0];
    server.serveJson(path, [fire]);
    await monitor.pollAll();
    await monitor.pollAll();
    server.serveFixture(path, 'krisinformation-v3-vara-fire-text-changed.json');
    await monitor.pollAll();
    server.serveFixture(path, 'krisinformation-v3-vara-fire-faran-over.json');
    await monitor.pollAll();
    await monitor.pollAll();
    expect(decisions.map((d) => [d.action, d.alert.msgType, d.alert.headline])).toEqual([
      ['propose', 'Alert', 'Brand i industribyggnad i Vara'],
      ['update', 'Update', 'Brand i Vara: röken når Tråvad'],
      ['end', 'Cancel', 'Branden i Vara är släckt'],
    ]);
  });
});

describe('SMHI IBWW warnings (12.7)', () => {
  const alerts = () => alertsOf(smhiAdapter(), fixture('smhi-ibww-wind-coast-and-skaraborg.json'));

  it('ignores the Bohuslän coast warning although it lists Västra Götalands län, and proposes Skaraborg', () => {
    const [coast, skaraborg] = alerts();
    if (!coast || !skaraborg) throw new Error('expected two warning areas');
    expect(coast.areas[0]?.shapes.map((s) => s.kind)).toEqual(['polygon']);
    const coastDecision = decide(coast, Date.parse('2026-02-10T16:00:00Z'));
    expect(coastDecision.action).toBe('ignore');
    expect(coastDecision.reason).toMatch(/out of area \(Bohuskusten\)/);
    expect(decide(skaraborg, Date.parse('2026-02-10T18:00:00Z'))).toMatchObject({
      action: 'propose',
      signIds: VARA_SIGN_IDS,
    });
  });

  it('falls back to the county list only for a warning area without geometry', () => {
    const raw = JSON.parse(fixture('smhi-ibww-wind-coast-and-skaraborg.json'));
    delete raw[0].warningAreas[0].area;
    const coast = alertsOf(smhiAdapter(), JSON.stringify(raw))[0];
    expect(coast?.areas[0]?.shapes).toEqual([{ kind: 'county', code: '14' }]);
  });
});

describe('CAP tests in English (12.8)', () => {
  const overVara = (xml: string) =>
    xml.replace(
      /<area>[\s\S]*<\/area>/,
      '<area><areaDesc>Vara</areaDesc><polygon>58.20,12.85 58.20,13.05 58.33,13.05 58.33,12.85 58.20,12.85</polygon></area>',
    );

  it.each(['cap-ipaws-required-monthly-test.xml', 'cap-adr-test-message.xml', 'cap-nws-required-weekly-test.xml'])(
    '%s: status Actual, yet a test: never shown, even over Vara with CAP set to take over',
    (name) => {
      expect(fixture(name)).toContain('<status>Actual</status>');
      const alert = only(alertsOf(capAdapter(), overVara(fixture(name))));
      expect(alert.status).toBe('Test');
      const decision = decide(alert, alert.sent + 60_000, CAP_TAKEOVER);
      expect(decision.action).toBe('ignore');
      expect(decision.signIds).toEqual([]);
    },
  );

  it('recognises the SAME/EAS event code alone (RWT, RMT), whatever the words', () => {
    for (const code of ['RWT', 'RMT']) {
      const xml = overVara(fixture('cap-nws-required-weekly-test.xml'))
        .replace(/Required Weekly Test/g, 'Special Weather Statement')
        .replace(/<value>RWT<\/value>/, `<value>${code}</value>`)
        .replace(/<valueName>SAME<\/valueName>/, '<valueName>EAS</valueName>');
      expect(only(alertsOf(capAdapter(), xml)).status).toBe('Test');
    }
  });

  it('leaves real alerts alone, also when their text mentions a test', () => {
    const vara = only(alertsOf(capAdapter(), fixture('cap-vara.xml')));
    expect(vara.status).toBe('Actual');
    const tested = fixture('cap-vara.xml').replace(
      '<headline>Koka vattnet i Vara tätort</headline>',
      '<headline>Koka vattnet: test av dricksvattnet visar bakterier</headline>',
    );
    expect(only(alertsOf(capAdapter(), tested)).status).toBe('Actual');
    const wind = only(alertsOf(capAdapter(), fixture('nws-wwacapget-high-wind-warning.xml')));
    expect(wind.status).toBe('Actual');
  });
});

describe('Atom indexes with untyped links (12.9)', () => {
  const INDEX = '/cap/us.php';
  const LINKED = '/cap/wwacapget.php';
  /** The recorded NWS index, its links pointed at the replay server; `copies` repeats its entries with new ids. */
  const index = (copies = 1) => {
    const atom = fixture('nws-atom-index-untyped-links.atom').replaceAll('https://alerts.weather.gov', server.url);
    const entries = atom.match(/<entry>[\s\S]*?<\/entry>/g) ?? [];
    const many = Array.from({ length: copies }, (_, i) =>
      entries.map((e) => e.replaceAll('?x=', `?x=${i}.`)).join('\n'),
    ).join('\n');
    return atom.replace(/<entry>[\s\S]*<\/entry>/, many);
  };
  const poller = (log = recordingLog()) =>
    new FeedPoller({
      name: 'cap:1',
      url: `${server.url}${INDEX}?x=0`,
      adapter: capAdapter(),
      intervalMs: 30_000,
      clock: new ManualClock(Date.parse('2026-02-10T04:00:00Z')),
      timers: new ManualTimers(),
      onAlerts: () => {},
      log,
    });

  it('follows entry links without a type when they answer CAP XML, once per entry version', async () => {
    expect(parseCapFeed(fixture('nws-atom-index-untyped-links.atom'))).toMatchObject({ ok: true, issues: [] });
    server.serve(INDEX, { body: index(), headers: { 'content-type': 'application/atom+xml' } });
    server.serveFixture(LINKED, 'nws-wwacapget-high-wind-warning.xml');
    const p = poller();
    const first = await p.pollNow();
    expect(first.alerts.map((a) => a.event)).toEqual(['High Wind Warning', 'High Wind Warning', 'High Wind Warning']);
    expect(server.requestsTo(LINKED)).toHaveLength(3);
    await p.pollNow();
    expect(server.requestsTo(LINKED)).toHaveLength(3);
    expect(p.health()).toMatchObject({ problem: null, lastPoll: { items: 3, alerts: 0, linksKnown: 3 } });
  });

  it('hands the followed US alerts to the policy, which logs them as one summary line per payload', async () => {
    const atom = fixture('nws-atom-index-untyped-links.atom').replaceAll('https://alerts.weather.gov', server.url);
    const entries = atom.match(/<entry>[\s\S]*?<\/entry>/g) ?? [];
    // Thirty entries, each linking to its own document (its own identifier), as the live index does.
    const linked = Array.from({ length: 30 }, (_, i) =>
      (entries[i % entries.length] ?? '').replace(/wwacapget\.php\?x=[^<'"]*/g, `w${i}.php?x=${i}`),
    );
    for (let i = 0; i < 30; i++) {
      server.serve(`/cap/w${i}.php`, {
        body: fixture('nws-wwacapget-high-wind-warning.xml').replace('<identifier>NOAA-NWS-', `<identifier>${i}-`),
        headers: { 'content-type': 'application/cap+xml' },
      });
    }
    server.serve(INDEX, { body: atom.replace(/<entry>[\s\S]*<\/entry>/, linked.join('\n')), headers: {} });
    const log = recordingLog();
    const monitor = new FeedMonitor({
      config: CrisisFeedConfig.parse({ vmaUrl: null, capUrls: [`${server.url}${INDEX}?x=0`] }),
      signs: VARA_SIGNS,
      clock: new ManualClock(Date.parse('2026-02-10T04:00:00Z')),
      log,
      onDecision: () => {},
    });
    await monitor.pollAll();
    await monitor.pollAll();
    await monitor.pollAll();
    const ignoredLines = log.lines.filter((l) => l.msg.startsWith('crisis alert'));
    expect(ignoredLines.map((l) => l.msg)).toEqual([
      'crisis alerts ignored: 20 (20 out of area)',
      'crisis alerts ignored: 10 (10 out of area)',
    ]);
    expect(monitor.health()[0]).toMatchObject({ problem: null, lastPoll: { items: 30, linksKnown: 30 } });
  });

  it('shows hundreds of entries that give no CAP alert as degraded, with one log line per poll at most', async () => {
    server.serve(INDEX, { body: index(100), headers: { 'content-type': 'application/atom+xml' } });
    server.serveFixture(LINKED, 'nws-wwacapget-moved.html', { headers: { 'content-type': 'text/html' } });
    const log = recordingLog();
    const p = poller(log);
    for (let poll = 1; poll <= 4; poll++) await p.pollNow();
    const health = p.health();
    expect(health.consecutiveFailures).toBe(0);
    expect(health.lastPoll).toMatchObject({ items: 300, alerts: 0, linksKnown: 0, linksNotCap: 80, linksWaiting: 220 });
    expect(health.problem).toMatch(/^none of 300 entries gave a usable alert/);
    expect(health.problem).toContain('text/html');
    // 20 links fetched per poll, not all 300 again and again.
    expect(server.requestsTo(LINKED)).toHaveLength(80);
    expect(log.lines.length).toBeLessThanOrEqual(4);
    expect(log.lines[0]).toMatchObject({ level: 'warn', obj: { items: 300, linksNotCap: 20, degraded: true } });

    // Once the links answer CAP again, the feed is healthy.
    server.serveFixture(LINKED, 'nws-wwacapget-high-wind-warning.xml');
    server.serve(INDEX, { body: index(100).replaceAll('2026-02-09T', '2026-02-10T'), headers: {} });
    await p.pollNow();
    expect(p.health().problem).toBeNull();
  });
});

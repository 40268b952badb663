// SR VMA API v3 as it is really served (issue 12, points 2-5), on the recorded payloads `sr-vma-real-*.json`:
// no headline, instruction null, the message in info.description, category an array, an en-US block added in
// place later, place-name geocodes ({"Vara kommun", "1470"}, {"Västra Götalands län", "14"}, {"Sverige", "00"}).
// The first part decides on the payloads directly; the second serves them over local HTTP to the running app and
// looks at what the signs show and what /api/crisis proposes.

import { afterEach, describe, expect, it } from 'vitest';
import type { Alert } from '../../src/crisis/alert.ts';
import { SignLocation } from '../../src/crisis/area-match.ts';
import { decideCrisis } from '../../src/crisis/crisis-policy.ts';
import { crisisFeedConfigFromEnv, feedUrls } from '../../src/crisis/feed-config.ts';
import { geocodeShape } from '../../src/crisis/feeds/cap-common.ts';
import { parseSrVmaFeed } from '../../src/crisis/feeds/sr-vma-adapter.ts';
import { crisisTextCandidates, LISTEN_TO_P4, namesPlace } from '../../src/crisis/sign-text.ts';
import { frameToRgba } from '../../src/render/frame.ts';
import { renderCrisisPage, renderItemForSign } from '../../src/render/sign-page.ts';
import { build, type TestApp } from '../helper.ts';
import { communicatorFetch, decodePng } from '../integration/app-helpers.ts';
import { waitFor } from '../signs/helpers.ts';
import { only, VARA_SIGN_IDS, VARA_SIGNS } from './crisis-test-kit.ts';
import { FeedReplayServer, fixture } from './feed-replay-server.ts';

const MINUTE = 60_000;
const BARE_EVENT = 'Viktigt meddelande till allmänheten (VMA)';

function vma(name: string): Alert {
  const result = parseSrVmaFeed(fixture(name));
  if (!result.ok) throw result.error;
  expect(result.issues).toEqual([]);
  return only(result.alerts);
}

const vara = vma('sr-vma-real-vara.json');
const uddevalla = vma('sr-vma-real-uddevalla.json');
const countyNamingVara = vma('sr-vma-real-county-names-vara.json');
const nationwide = vma('sr-vma-real-nationwide.json');

/** A sign far from Vara (Kiruna, Norrbotten), for what "nationwide" means. */
const KIRUNA = SignLocation.parse({
  id: 'E10-K',
  lat: 67.855,
  lon: 20.225,
  municipalityCode: '2584',
  countyCode: '25',
  municipalityName: 'Kiruna',
});

describe('SR VMA v3 as served: reading the payload (12.2, 12.3)', () => {
  it('takes the sv-SE block: no headline, no instruction, the text from description, category an array', () => {
    expect(vara).toMatchObject({ language: 'sv-SE', headline: null, instruction: null, event: BARE_EVENT });
    expect(vara.description).toMatch(/^Viktigt meddelande till allmänheten i Vara kommun.*Det brinner i en lada/);
  });

  it('still takes the sv-SE block after SR adds the en-US translation in front of it', () => {
    const later = vma('sr-vma-real-vara-en-added.json');
    expect(later.id).toBe(vara.id);
    expect(later.language).toBe('sv-SE');
    expect(later.description).toBe(vara.description);
    expect(crisisTextCandidates(later)[0]).toEqual(crisisTextCandidates(vara)[0]);
  });

  it('reads SR place-name geocodes by their SCB code, and "Sverige"/"00" or "Hela landet" as the whole country', () => {
    expect(vara.areas.flatMap((a) => a.shapes)).toEqual([
      { kind: 'county', code: '14' },
      { kind: 'municipality', code: '1470' },
    ]);
    expect(nationwide.areas).toEqual([{ description: 'Hela landet', shapes: [{ kind: 'country', code: 'SE' }] }]);
    expect(geocodeShape('Sverige', '00')).toEqual({ kind: 'country', code: 'SE' });
    expect(geocodeShape('Land', '00')).toEqual({ kind: 'country', code: 'SE' });

    const descOnly = parseSrVmaFeed(
      fixture('sr-vma-real-nationwide.json').replace(/"geocode": \[[^\]]*\]/, '"geocode": []'),
    );
    expect(descOnly.ok && descOnly.alerts[0]?.areas[0]?.shapes).toEqual([{ kind: 'country', code: 'SE' }]);
  });

  it('reads a bare 4-digit value as a kommun only from SR, not from a foreign CAP feed (a postcode there)', () => {
    expect(geocodeShape('Vara kommun', '1470', { swedishPlaceNames: true })).toEqual({
      kind: 'municipality',
      code: '1470',
    });
    expect(geocodeShape('postcode', '1470')).toBeNull();
    expect(geocodeShape('Västra Götalands län', '14')).toBeNull();
  });
});

describe('sign text from description (12.2)', () => {
  it('never offers the bare event name, and ends with the place and "Lyssna på P4"', () => {
    for (const alert of [vara, uddevalla, countyNamingVara, nationwide]) {
      const texts = crisisTextCandidates(alert);
      expect(texts.map((t) => t.headline).filter((h) => /^Viktigt meddelande/.test(h))).toEqual([]);
      expect(texts.every((t) => t.instruction === LISTEN_TO_P4)).toBe(true);
      expect(texts.at(-1)?.headline).toMatch(/^(Vara|Uddevalla|Hela landet)$/);
    }
  });

  it('puts the place in front of a sentence that does not name it, and tries its leading clause', () => {
    const headlines = crisisTextCandidates(vara).map((t) => t.headline);
    expect(headlines.slice(0, 2)).toEqual([
      'Vara: Det brinner i en lada i Tråvad med kraftig rökutveckling',
      'Vara: Det brinner i en lada i Tråvad',
    ]);
    expect(crisisTextCandidates(countyNamingVara)[0]?.headline).toBe('Ett ammoniakutsläpp har skett i Vara');
  });

  it('a feed that does give a headline keeps it (earlier fixtures and other CAP senders)', () => {
    const withHeadline = { ...vara, headline: 'Brand i Tråvad', instruction: 'Stäng fönster. Lyssna på P4.' };
    expect(crisisTextCandidates(withHeadline)[0]).toEqual({ headline: 'Brand i Tråvad', instruction: 'Stäng fönster' });
  });

  it('tells the place Vara from the verb "vara"', () => {
    expect(namesPlace('Röken kan vara farlig', 'Vara')).toBe(false);
    expect(namesPlace('Brand i Vara tätort', 'Vara')).toBe(true);
    expect(namesPlace('Varas räddningstjänst', 'Vara kommun')).toBe(true);
    expect(namesPlace('Varberg', 'Vara')).toBe(false);
    expect(namesPlace('avbrott i hela landet', 'Hela landet')).toBe(true);
  });
});

describe('which VMA takes over, which is proposed (12.3, 12.5)', () => {
  it('a VMA with Vara kommun among its areas takes over both signs', () => {
    const d = decideCrisis(vara, VARA_SIGNS, vara.sent + MINUTE);
    expect(d).toMatchObject({ action: 'takeover', signIds: VARA_SIGN_IDS });
    expect(d.reason).toContain('E20-N by municipality 1470 (Vara kommun)');
  });

  it('a nationwide VMA (Hela landet, Sverige/00) takes over every sign, wherever it stands', () => {
    const d = decideCrisis(nationwide, [...VARA_SIGNS, KIRUNA], nationwide.sent + MINUTE);
    expect(d).toMatchObject({ action: 'takeover', signIds: [...VARA_SIGN_IDS, 'E10-K'] });
  });

  it('a VMA for Uddevalla reaches Vara only through county 14: proposed, with the reason', () => {
    const d = decideCrisis(uddevalla, VARA_SIGNS, uddevalla.sent + MINUTE);
    expect(d).toMatchObject({ action: 'propose', signIds: VARA_SIGN_IDS });
    expect(d.reason).toMatch(/county only \(E20-N by county 14.*\), and its text does not name Vara$/);
  });

  it('a county-wide VMA whose text names Vara takes over; without a configured kommun name it is proposed', () => {
    const named = decideCrisis(countyNamingVara, VARA_SIGNS, countyNamingVara.sent);
    expect(named).toMatchObject({ action: 'takeover', signIds: VARA_SIGN_IDS });
    expect(named.reason).toContain('E20-N by county 14, and the text names Vara');
    const unnamed = VARA_SIGNS.map(({ municipalityName: _, ...s }) => s);
    const d = decideCrisis(countyNamingVara, unnamed, countyNamingVara.sent);
    expect(d.action).toBe('propose');
    expect(d.reason).toContain('no municipalityName configured');
  });

  it('SKYLT_VMA_COUNTY_POLICY decides county-only VMAs: takeover, propose (default) or ignore', () => {
    const at = uddevalla.sent + MINUTE;
    const policy = (value?: string) =>
      crisisFeedConfigFromEnv(value === undefined ? {} : { SKYLT_VMA_COUNTY_POLICY: value }).policy;
    expect(decideCrisis(uddevalla, VARA_SIGNS, at, policy()).action).toBe('propose');
    expect(decideCrisis(uddevalla, VARA_SIGNS, at, policy('takeover')).action).toBe('takeover');
    expect(decideCrisis(uddevalla, VARA_SIGNS, at, policy('ignore')).action).toBe('ignore');
    // It only holds an alert back: a VMA for Vara itself still takes over under "ignore".
    expect(decideCrisis(vara, VARA_SIGNS, vara.sent, policy('ignore')).action).toBe('takeover');
    expect(() => crisisFeedConfigFromEnv({ SKYLT_VMA_COUNTY_POLICY: 'sometimes' })).toThrow(/SKYLT_VMA_COUNTY_POLICY/);
  });

  it('with a sign in Uddevalla too, the Uddevalla VMA takes over that sign only and leaves Vara alone', () => {
    const uddevallaSign = SignLocation.parse({
      id: 'E6-U',
      lat: 58.349,
      lon: 11.938,
      municipalityCode: '1485',
      countyCode: '14',
      municipalityName: 'Uddevalla',
    });
    const d = decideCrisis(uddevalla, [...VARA_SIGNS, uddevallaSign], uddevalla.sent + MINUTE);
    expect(d).toMatchObject({ action: 'takeover', signIds: ['E6-U'] });
    expect(d.reason).toContain('not E20-N, E20-S (county only)');
  });

  it('holds back only VMAs: a county-wide CAP alert still takes over under SKYLT_CAP_POLICY=takeover', () => {
    const policy = crisisFeedConfigFromEnv({ SKYLT_CAP_POLICY: 'takeover' }).policy;
    const cap: Alert = { ...uddevalla, source: 'cap' };
    expect(decideCrisis(cap, VARA_SIGNS, cap.sent + MINUTE, policy)).toMatchObject({
      action: 'takeover',
      signIds: VARA_SIGN_IDS,
    });
  });

  it('polls the unfiltered /alerts, so county-wide and nationwide VMAs reach Skylt at all (12.4)', () => {
    const config = crisisFeedConfigFromEnv({ SKYLT_VMA_URL: 'https://vmaapi.sr.se/api/v3' });
    expect(feedUrls(config, { municipalityCodes: ['1470'], countyCodes: ['14'] }).vmaAlerts).toEqual([
      { code: 'alerts', url: 'https://vmaapi.sr.se/api/v3/alerts' },
    ]);
  });
});

// ---- end to end: the recorded payloads over local HTTP to the running app ----

const ALERTS = '/api/v3/alerts';
let server: FeedReplayServer | null = null;
let app: TestApp | null = null;
afterEach(async () => {
  await app?.close();
  await server?.close();
  app = null;
  server = null;
});

interface CrisisView {
  id: string;
  source: string;
  alertId: string | null;
  headline: string;
  instruction: string;
  signIds: string[];
  confirmations: Record<string, { specificMs: number | null }>;
}
interface CrisisState {
  active: boolean;
  crisis: CrisisView | null;
  proposals: CrisisView[];
}

async function startWith(name: string, at: number, env: Record<string, string> = {}): Promise<TestApp> {
  server = await FeedReplayServer.start();
  server.serveFixture(ALERTS, name);
  app = await build({
    env: { SKYLT_VMA_URL: `${server.url}/api/v3`, SKYLT_VMA_PUSH: 'off', SKYLT_FEED_POLL_SECONDS: '0.05', ...env },
    start: at,
    listen: true,
  });
  return app;
}

const state = async (a: TestApp): Promise<CrisisState> =>
  (await (await communicatorFetch(a)('/api/crisis')).json()) as CrisisState;

async function signShows(a: TestApp, signId: string, expected: Uint8ClampedArray): Promise<boolean> {
  const png = Buffer.from(await (await fetch(`${a.url}/api/signs/${signId}/frame.png`)).arrayBuffer());
  return Buffer.from(decodePng(png).rgba).equals(Buffer.from(expected));
}

async function bothShowCrisis(a: TestApp, text: { headline: string; instruction: string }): Promise<boolean> {
  for (const [id, s] of a.runtime.signs) {
    if (!(await signShows(a, id, frameToRgba(renderCrisisPage(text, s.surface))))) return false;
  }
  return true;
}

async function bothShowPlaylist(a: TestApp): Promise<boolean> {
  return waitFor('the playlist on both signs', async () => {
    await a.runtime.tick();
    for (const [id, s] of a.runtime.signs) {
      const item = a.runtime.playlistFile.items.find((i) => i.id === s.controller.heldLease('fallback')?.itemId);
      if (!item || !(await signShows(a, id, frameToRgba(renderItemForSign(item, s.surface))))) return false;
    }
    return true;
  }).then(() => true);
}

const confirmedOnBoth = (c: CrisisView | null) =>
  c !== null && Object.values(c.confirmations).filter((x) => x.specificMs !== null).length === 2;

describe('end to end: recorded SR VMA payloads served to the running app', () => {
  it('a real-shape VMA for Vara shows a sentence of its description with the place, then ends on Cancel', async () => {
    const a = await startWith('sr-vma-real-vara.json', vara.sent + MINUTE);
    const running = await waitFor('takeover confirmed on both signs', async () => {
      const s = await state(a);
      return s.active && confirmedOnBoth(s.crisis) ? s.crisis : null;
    });
    expect(server?.requestsTo(ALERTS)[0]?.query).toBe('');
    expect(running).toMatchObject({
      source: 'sr-vma',
      alertId: vara.id,
      headline: 'Vara: Det brinner i en lada i Tråvad',
      instruction: 'Lyssna på P4',
    });
    expect(await bothShowCrisis(a, running)).toBe(true);

    // SR adds the English block to the same alert: nothing on the road changes, no second crisis.
    server?.serveFixture(ALERTS, 'sr-vma-real-vara-en-added.json');
    const seen = server?.requestsTo(ALERTS).length ?? 0;
    await server?.waitForRequests(ALERTS, seen + 3);
    const after = await state(a);
    expect(after.crisis).toMatchObject({ id: running.id, headline: running.headline });
    expect(after.proposals).toEqual([]);
    expect(await bothShowCrisis(a, running)).toBe(true);

    server?.serveFixture(ALERTS, 'sr-vma-real-vara-cancel.json');
    await waitFor('the Cancel ends it', async () => !(await state(a)).active);
    expect(await bothShowPlaylist(a)).toBe(true);
  });

  it('a VMA for Uddevalla (county 14) is proposed in /api/crisis and the signs keep the playlist', async () => {
    const a = await startWith('sr-vma-real-uddevalla.json', uddevalla.sent + MINUTE);
    const proposal = await waitFor('proposal', async () => (await state(a)).proposals[0]);
    expect(proposal).toMatchObject({
      source: 'sr-vma',
      alertId: uddevalla.id,
      headline: 'Uddevalla',
      instruction: 'Lyssna på P4',
      signIds: VARA_SIGN_IDS,
    });
    const seen = server?.requestsTo(ALERTS).length ?? 0;
    await server?.waitForRequests(ALERTS, seen + 3);
    const s = await state(a);
    expect(s.active).toBe(false);
    expect(s.proposals).toHaveLength(1);
    expect(await bothShowPlaylist(a)).toBe(true);
  });

  it('with SKYLT_VMA_COUNTY_POLICY=takeover the same Uddevalla VMA takes over', async () => {
    const a = await startWith('sr-vma-real-uddevalla.json', uddevalla.sent + MINUTE, {
      SKYLT_VMA_COUNTY_POLICY: 'takeover',
    });
    const running = await waitFor('takeover', async () => {
      const s = await state(a);
      return s.active && confirmedOnBoth(s.crisis) ? s.crisis : null;
    });
    expect(running.headline).toBe('Uddevalla');
    expect(await bothShowCrisis(a, running)).toBe(true);
  });

  it('a nationwide VMA (Hela landet, Sverige/00) takes over both signs with the place and "Lyssna på P4"', async () => {
    const a = await startWith('sr-vma-real-nationwide.json', nationwide.sent + MINUTE);
    const running = await waitFor('takeover', async () => {
      const s = await state(a);
      return s.active && confirmedOnBoth(s.crisis) ? s.crisis : null;
    });
    expect(running).toMatchObject({ headline: 'Hela landet', instruction: 'Lyssna på P4', signIds: VARA_SIGN_IDS });
    expect(await bothShowCrisis(a, running)).toBe(true);
  });
});

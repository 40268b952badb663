import { describe, expect, it } from 'vitest';
import { airtimeReport, airtimeReportCsv, playsCsv } from '../../src/schedule/airtime-report.ts';
import type { PlayRecord } from '../../src/store/play-log-repository.ts';

const DAY_START = Date.parse('2026-12-07T23:00:00Z'); // 8 December 00:00 in Vara
const DAY_END = DAY_START + 86_400_000;

function play(
  signId: string,
  priority: string,
  itemId: string,
  organisation: string | null,
  start: number,
  seconds: number | null,
): PlayRecord {
  return {
    signId,
    priority,
    itemId,
    organisation,
    slot: 3,
    crc32: 0xdeadbeef,
    startedAt: new Date(start).toISOString(),
    endedAt: seconds === null ? null : new Date(start + seconds * 1000).toISOString(),
  };
}

describe('airtime report', () => {
  it('clips plays to the period, splits by organisation, item and sign, and sets configured against delivered', () => {
    const plays = [
      // Started before the period: only its last 5 s count.
      play('E20-N', 'scheduled', 'bibliotek', 'kommun', DAY_START - 5_000, 10),
      play('E20-N', 'scheduled', 'julkonsert', 'konserthus', DAY_START + 5_000, 30),
      play('E20-N', 'scheduled', 'bibliotek', 'kommun', DAY_START + 35_000, 10),
      play('E20-S', 'scheduled', 'julkonsert', 'konserthus', DAY_START, 20),
      play('E20-S', 'override', 'vagarbete', 'kommun', DAY_START + 20_000, 60),
      play('E20-S', 'crisis', 'crisis:1', null, DAY_START + 80_000, 40),
      play('E20-S', 'fallback', 'valkommen', 'kommun', DAY_START + 120_000, 10),
      // Still running at `now`: counted until now.
      play('E20-N', 'scheduled', 'bibliotek', 'kommun', DAY_START + 45_000, null),
    ];
    const r = airtimeReport(
      plays,
      { from: DAY_START, to: DAY_END, now: DAY_START + 55_000 },
      { kommun: 0.5, konserthus: 0.5 },
      ['E20-N', 'E20-S'],
    );
    const kommun = r.organisations.find((o) => o.organisation === 'kommun');
    const konserthus = r.organisations.find((o) => o.organisation === 'konserthus');
    expect(kommun).toMatchObject({ seconds: 25, overrideSeconds: 60, plays: 4, configuredShare: 0.5 });
    expect(konserthus).toMatchObject({ seconds: 50, plays: 2 });
    expect(kommun?.deliveredShare).toBeCloseTo(25 / 75, 4);
    expect(konserthus?.differencePp).toBeCloseTo((50 / 75 - 0.5) * 100, 2);
    expect(r.signs.find((s) => s.signId === 'E20-S')?.seconds).toEqual({
      crisis: 40,
      override: 60,
      scheduled: 20,
      fallback: 10,
    });
    expect(r.items[0]).toMatchObject({ itemId: 'vagarbete', priority: 'override', seconds: 60, signs: ['E20-S'] });
    expect(r.items.find((i) => i.itemId === 'julkonsert')).toMatchObject({
      seconds: 50,
      plays: 2,
      signs: ['E20-N', 'E20-S'],
    });
  });

  it('has no delivered share when nothing of the rotation played', () => {
    const r = airtimeReport([], { from: DAY_START, to: DAY_END, now: DAY_END }, { kommun: 0.6, konserthus: 0.4 }, [
      'E20-N',
    ]);
    expect(r.organisations.map((o) => o.deliveredShare)).toEqual([null, null]);
    expect(r.signs).toHaveLength(1);
  });

  it('writes CSV a spreadsheet opens safely', () => {
    const plays = [play('E20-N', 'scheduled', '=cmd|x', 'kommun', DAY_START, 10)];
    const r = airtimeReport(plays, { from: DAY_START, to: DAY_END, now: DAY_END }, { kommun: 0.5, konserthus: 0.5 }, [
      'E20-N',
    ]);
    const csv = airtimeReportCsv(r);
    expect(csv.split('\r\n')[0]).toBe(
      'section,sign_id,organisation,item_id,priority,seconds,plays,configured_share,delivered_share',
    );
    expect(csv).toContain('organisation,,kommun,,scheduled,10,1,0.5,1');
    expect(csv).toContain("item,E20-N,kommun,'=cmd|x,scheduled,10,1,,");
    expect(playsCsv(plays)).toContain(
      "E20-N,scheduled,'=cmd|x,kommun,3,deadbeef,2026-12-07T23:00:00.000Z,2026-12-07T23:00:10.000Z",
    );
  });
});

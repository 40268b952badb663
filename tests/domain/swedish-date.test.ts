import { describe, expect, it } from 'vitest';
import {
  formatEventTime,
  formatSwedishPeriod,
  isoOffsetMinutes,
  stockholmTime,
} from '../../src/domain/swedish-date.ts';

describe('formatEventTime', () => {
  it('writes the issue example the Swedish way', () => {
    expect(formatEventTime('2026-12-12T19:00:00+01:00')).toBe('lör 12 dec kl 19.00');
  });

  it('shows Stockholm wall time whatever offset the time was given in', () => {
    expect(formatEventTime('2026-12-12T18:00:00Z')).toBe('lör 12 dec kl 19.00');
    expect(formatEventTime('2026-07-04T17:30:00Z')).toBe('lör 4 juli kl 19.30');
    expect(formatEventTime(Date.UTC(2027, 0, 1, 8, 5))).toBe('fre 1 jan kl 09.05');
  });

  it('uses every Swedish weekday and month abbreviation', () => {
    const days = Array.from({ length: 7 }, (_, i) => formatEventTime(Date.UTC(2026, 5, 7 + i, 10)).split(' ')[0]);
    expect(days).toEqual(['sön', 'mån', 'tis', 'ons', 'tor', 'fre', 'lör']);
    const months = Array.from({ length: 12 }, (_, m) => formatEventTime(Date.UTC(2026, m, 15, 10)).split(' ')[2]);
    expect(months).toEqual(['jan', 'feb', 'mars', 'apr', 'maj', 'juni', 'juli', 'aug', 'sep', 'okt', 'nov', 'dec']);
  });

  it('crosses midnight in Stockholm, not in UTC', () => {
    expect(formatEventTime('2026-12-31T23:30:00Z')).toBe('fre 1 jan kl 00.30');
  });
});

// EU rule: summer time starts on the last Sunday of March at 01:00 UTC and ends on the last Sunday of
// October at 01:00 UTC. In 2026 those are 29 March and 25 October.
describe('across the DST changes (last Sunday of March and of October)', () => {
  it('springs forward on 29 March 2026: 02.00 CET becomes 03.00 CEST', () => {
    expect(formatEventTime('2026-03-29T00:59:00Z')).toBe('sön 29 mars kl 01.59');
    expect(formatEventTime('2026-03-29T01:00:00Z')).toBe('sön 29 mars kl 03.00');
    expect(stockholmTime('2026-03-29T00:59:00Z').offsetMinutes).toBe(60);
    expect(stockholmTime('2026-03-29T01:00:00Z').offsetMinutes).toBe(120);
    // An event written in local summer time the evening of the change.
    expect(formatEventTime('2026-03-29T19:00:00+02:00')).toBe('sön 29 mars kl 19.00');
  });

  it('falls back on 25 October 2026: 02.30 happens twice', () => {
    expect(formatEventTime('2026-10-25T00:30:00Z')).toBe('sön 25 okt kl 02.30');
    expect(formatEventTime('2026-10-25T01:30:00Z')).toBe('sön 25 okt kl 02.30');
    expect(stockholmTime('2026-10-25T00:30:00Z').offsetMinutes).toBe(120);
    expect(stockholmTime('2026-10-25T01:30:00Z').offsetMinutes).toBe(60);
    expect(formatEventTime('2026-10-25T19:00:00+01:00')).toBe('sön 25 okt kl 19.00');
  });

  it('the Saturday before each change is unaffected', () => {
    expect(formatEventTime('2026-03-28T19:00:00+01:00')).toBe('lör 28 mars kl 19.00');
    expect(formatEventTime('2026-10-24T19:00:00+02:00')).toBe('lör 24 okt kl 19.00');
  });

  it('follows the rule in other years too (2027: 28 March and 31 October)', () => {
    expect(stockholmTime('2027-03-28T00:59:00Z').offsetMinutes).toBe(60);
    expect(stockholmTime('2027-03-28T01:00:00Z').offsetMinutes).toBe(120);
    expect(stockholmTime('2027-10-31T00:59:00Z').offsetMinutes).toBe(120);
    expect(stockholmTime('2027-10-31T01:00:00Z').offsetMinutes).toBe(60);
  });
});

describe('formatSwedishPeriod', () => {
  it('writes periods with an unspaced en dash', () => {
    expect(formatSwedishPeriod('2026-12-01T10:00:00+01:00', '2026-12-20T18:00:00+01:00')).toBe('1–20 dec');
    expect(formatSwedishPeriod('2026-11-28T10:00:00+01:00', '2026-12-03T18:00:00+01:00')).toBe('28 nov–3 dec');
    expect(formatSwedishPeriod('2026-12-28T10:00:00+01:00', '2027-01-03T18:00:00+01:00')).toBe(
      '28 dec 2026–3 jan 2027',
    );
    expect(formatSwedishPeriod('2026-12-24T10:00:00+01:00', '2026-12-24T18:00:00+01:00')).toBe('24 dec');
  });
});

describe('isoOffsetMinutes', () => {
  it('reads the written offset', () => {
    expect(isoOffsetMinutes('2026-12-12T19:00:00+01:00')).toBe(60);
    expect(isoOffsetMinutes('2026-07-12T19:00:00+0200')).toBe(120);
    expect(isoOffsetMinutes('2026-07-12T19:00:00Z')).toBe(0);
    expect(isoOffsetMinutes('2026-07-12T19:00:00-05:30')).toBe(-330);
    expect(isoOffsetMinutes('2026-07-12T19:00:00')).toBeNull();
  });

  it('refuses what is not a date', () => {
    expect(() => formatEventTime('not a date')).toThrow(RangeError);
  });
});

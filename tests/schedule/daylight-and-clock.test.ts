import { getTimes } from 'suncalc';
import { describe, expect, it } from 'vitest';
import {
  brightnessFor,
  brightnessForAltitude,
  DEFAULT_BRIGHTNESS,
  NO_PHOTOCELL,
  photocellBrightness,
  sunBrightness,
  VARA,
} from '../../src/domain/brightness.ts';
import { BUILD_DATE, clockSanity } from '../../src/domain/clock-sanity.ts';
import { localTime, localToEpoch, nextLocalTimeOfDay } from '../../src/domain/local-time.ts';

describe('brightness by daylight at Vara', () => {
  it('is full by day, at the night level by night, and ramps through civil twilight', () => {
    const day = Date.parse('2026-12-01T11:00:00Z');
    const night = Date.parse('2026-12-01T22:00:00Z');
    expect(sunBrightness(day, VARA)).toBe(100);
    expect(sunBrightness(night, VARA)).toBe(4);
    // 1 December at Vara: sunset about 14.40 UTC+1, civil dusk about 15.30.
    const t = getTimes(new Date('2026-12-01T12:00:00Z'), VARA.lat, VARA.lon);
    const sunset = (t.sunset as Date).getTime();
    const dusk = (t.dusk as Date).getTime();
    expect(sunBrightness(sunset - 60_000, VARA)).toBe(100);
    expect(sunBrightness(dusk + 60_000, VARA)).toBe(4);
    const ramp: number[] = [];
    for (let at = sunset; at <= dusk; at += 60_000) ramp.push(sunBrightness(at, VARA));
    expect(ramp.length).toBeGreaterThan(30);
    for (let i = 1; i < ramp.length; i++) {
      expect(ramp[i]).toBeLessThanOrEqual(ramp[i - 1] as number);
      // No visible jumps: at most a few percent a minute.
      expect((ramp[i - 1] as number) - (ramp[i] as number)).toBeLessThanOrEqual(5);
    }
    const mid = ramp[Math.floor(ramp.length / 2)] as number;
    expect(mid).toBeGreaterThan(20);
    expect(mid).toBeLessThan(90);
  });

  it('never exceeds the configured night limit at night, even if the night level asks for more', () => {
    const s = { dayPercent: 90, nightPercent: 30, nightLimitPercent: 5 };
    expect(brightnessForAltitude(-20, s)).toBe(5);
    expect(brightnessForAltitude(10, s)).toBe(90);
    expect(brightnessForAltitude(-20, { ...s, nightPercent: 2 })).toBe(2);
  });

  it('midsummer at Vara: the sun barely dips below -6°, so the night level is short but reached', () => {
    const levels: number[] = [];
    const from = localToEpoch('2026-06-21', 0);
    for (let at = from; at < from + 86_400_000; at += 5 * 60_000) levels.push(sunBrightness(at, VARA));
    expect(Math.min(...levels)).toBe(DEFAULT_BRIGHTNESS.nightPercent);
    expect(levels.filter((l) => l === 100).length * 5).toBeGreaterThan(17 * 60);
  });

  it('uses the photocell when the sign reports one, else the sun', () => {
    const night = Date.parse('2026-12-01T22:00:00Z');
    expect(brightnessFor(night, VARA, NO_PHOTOCELL)).toEqual({ percent: 4, source: 'sun' });
    expect(brightnessFor(night, VARA, null).source).toBe('sun');
    // Floodlit at night (roadworks): the photocell knows better than the sun.
    expect(brightnessFor(night, VARA, 20_000)).toEqual({ percent: 100, source: 'photocell' });
    expect(photocellBrightness(1)).toBe(4);
    expect(photocellBrightness(5000)).toBe(100);
    const dim = photocellBrightness(200);
    expect(dim).toBeGreaterThan(4);
    expect(dim).toBeLessThan(100);
  });
});

describe('clock sanity', () => {
  it('refuses a clock before the build and one decades after it', () => {
    expect(clockSanity(Date.parse('1970-01-01T00:00:10Z'))).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/before this build/),
    });
    expect(clockSanity(Date.parse(BUILD_DATE) - 1).ok).toBe(false);
    expect(clockSanity(Date.parse(BUILD_DATE)).ok).toBe(true);
    expect(clockSanity(Date.parse('2027-06-01T12:00:00Z'))).toEqual({
      ok: true,
      problem: null,
      notBefore: new Date(BUILD_DATE).toISOString(),
      notAfter: expect.any(String),
    });
    expect(clockSanity(Date.parse('2099-01-01T00:00:00Z')).ok).toBe(false);
    expect(clockSanity(Number.NaN).ok).toBe(false);
  });
});

describe('local time in Vara', () => {
  it('maps local wall-clock times to instants across both DST changes', () => {
    expect(new Date(localToEpoch('2026-03-28', 3 * 60 + 30)).toISOString()).toBe('2026-03-28T02:30:00.000Z');
    expect(new Date(localToEpoch('2026-03-29', 3 * 60 + 30)).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    // 02:30 does not exist on 29 March: it is taken as 03:30 CEST.
    expect(new Date(localToEpoch('2026-03-29', 2 * 60 + 30)).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    // 02:30 happens twice on 25 October: the first (CEST) one.
    expect(new Date(localToEpoch('2026-10-25', 2 * 60 + 30)).toISOString()).toBe('2026-10-25T00:30:00.000Z');
    expect(localTime(Date.parse('2026-10-25T01:30:00Z'))).toMatchObject({ hour: 2, minute: 30, offsetMinutes: 60 });
    expect(localTime(Date.parse('2026-10-25T00:30:00Z'))).toMatchObject({
      hour: 2,
      minute: 30,
      offsetMinutes: 120,
      weekday: 7,
    });
  });

  it('finds the next occurrence of a local time of day', () => {
    const before = Date.parse('2026-03-28T12:00:00Z');
    expect(new Date(nextLocalTimeOfDay(before, 3 * 60 + 30)).toISOString()).toBe('2026-03-29T01:30:00.000Z');
    const at = Date.parse('2026-03-29T01:30:00Z');
    expect(new Date(nextLocalTimeOfDay(at, 3 * 60 + 30)).toISOString()).toBe('2026-03-30T01:30:00.000Z');
  });
});

import { describe, expect, it } from 'vitest';
import { DisplayWindow, effectiveWindow, eventDefaultWindow, isWindowOpen } from '../../src/domain/display-window.ts';
import { PlaylistFile } from '../../src/domain/playlist.ts';
import { diffPlaylists } from '../../src/domain/playlist-diff.ts';

const at = (iso: string) => Date.parse(iso);

describe('display windows', () => {
  it('an event runs from the start of the day 14 days before it (Swedish time) until the start, unless told otherwise', () => {
    // Published means airing: it opens at midnight in Vara on 28 Nov, not at 19.00.
    expect(eventDefaultWindow('2026-12-12T19:00:00+01:00')).toEqual({
      from: '2026-11-27T23:00:00.000Z',
      until: '2026-12-12T18:00:00.000Z',
    });
    const event = {
      kind: 'event',
      title: 'Julkonsert',
      startsAt: '2026-12-12T19:00:00+01:00',
      venue: 'Vara Konserthus',
      organiser: 'konserthus',
    } as const;
    expect(effectiveWindow(event, { from: '2026-12-01T00:00:00+01:00' })).toEqual({
      from: '2026-12-01T00:00:00+01:00',
      until: '2026-12-12T18:00:00.000Z',
    });
    expect(effectiveWindow({ kind: 'info', lines: ['Hej'] }, null)).toEqual({});
    const w = effectiveWindow(event, null);
    expect(isWindowOpen(w, at('2026-11-27T22:59:59Z'))).toBe(false);
    expect(isWindowOpen(w, at('2026-11-27T23:00:00Z'))).toBe(true);
    expect(isWindowOpen(w, at('2026-12-12T17:59:59Z'))).toBe(true);
    expect(isWindowOpen(w, at('2026-12-12T18:00:00Z'))).toBe(false);
  });

  it('the first day is a calendar day in Vara across the changes to and from summer time', () => {
    // 8 Apr 2026 (CEST) - 14 days = 25 Mar (CET): midnight there is 23:00Z the day before.
    expect(eventDefaultWindow('2026-04-08T10:00:00+02:00').from).toBe('2026-03-24T23:00:00.000Z');
    // 5 Nov 2026 (CET) - 14 days = 22 Oct (CEST): midnight is 22:00Z.
    expect(eventDefaultWindow('2026-11-05T10:00:00+01:00').from).toBe('2026-10-21T22:00:00.000Z');
    // An event just after midnight in Vara (still the day before in UTC) counts from its own date.
    expect(eventDefaultWindow('2026-12-13T00:30:00+01:00').from).toBe('2026-11-28T23:00:00.000Z');
  });

  it('days and times of day are read on the clock in Vara, across the changes to and from summer time', () => {
    const mornings = DisplayWindow.parse({ days: ['sat', 'sun'], times: [{ from: '07:00', until: '09:00' }] });
    // Saturday 28 March 2026, CET (UTC+1): 07:00 in Vara is 06:00Z.
    expect(isWindowOpen(mornings, at('2026-03-28T05:59:00Z'))).toBe(false);
    expect(isWindowOpen(mornings, at('2026-03-28T06:00:00Z'))).toBe(true);
    // Sunday 29 March 2026, summer time began at 02:00: 07:00 in Vara is 05:00Z.
    expect(isWindowOpen(mornings, at('2026-03-29T05:00:00Z'))).toBe(true);
    expect(isWindowOpen(mornings, at('2026-03-29T07:00:00Z'))).toBe(false);
    // Sunday 25 October 2026, back to CET at 03:00: 08:30 in Vara is 07:30Z.
    expect(isWindowOpen(mornings, at('2026-10-25T07:30:00Z'))).toBe(true);
    // Monday: not one of the days.
    expect(isWindowOpen(mornings, at('2026-03-30T06:30:00Z'))).toBe(false);
    // A range that ends before it starts runs past midnight.
    const night = DisplayWindow.parse({ times: [{ from: '22:00', until: '06:00' }] });
    expect(isWindowOpen(night, at('2026-12-01T22:30:00Z'))).toBe(true);
    expect(isWindowOpen(night, at('2026-12-01T04:59:00Z'))).toBe(true);
    expect(isWindowOpen(night, at('2026-12-01T05:00:00Z'))).toBe(false);
    expect(
      isWindowOpen(DisplayWindow.parse({ times: [{ from: '18:00', until: '24:00' }] }), at('2026-12-01T22:59:00Z')),
    ).toBe(true);
  });

  it('refuses a window that ends before it starts, an unknown day or a malformed time', () => {
    const issues = (w: unknown) => DisplayWindow.safeParse(w).error?.issues.map((i) => i.path.join('.'));
    expect(issues({ from: '2026-12-10T00:00:00+01:00', until: '2026-12-01T00:00:00+01:00' })).toEqual(['until']);
    expect(issues({ days: ['mon', 'mon'] })).toEqual(['days']);
    expect(issues({ days: ['funday'] })).toEqual(['days.0']);
    expect(issues({ times: [{ from: '25:00', until: '26:00' }] })).toEqual(['times.0.from', 'times.0.until']);
  });
});

describe('playlist diff', () => {
  const file = (items: unknown[], shares = { kommun: 50, konserthus: 50 }) =>
    PlaylistFile.parse({ version: 1, name: 'P', settings: { shares }, items });
  const item = (id: string, lines = ['Hej']) => ({
    id,
    organisation: 'kommun',
    content: { kind: 'info', lines },
    infoLink: 'https://vara.se',
  });

  it('names what was added, removed, changed (by field) and reordered, and the settings', () => {
    const before = file([item('a'), item('b'), item('c')]);
    const after = file([item('c'), item('a', ['Hej då']), item('d')], { kommun: 60, konserthus: 40 });
    expect(diffPlaylists(before, after)).toEqual({
      identical: false,
      added: ['d'],
      removed: ['b'],
      changed: [{ id: 'a', fields: ['content'] }],
      reordered: true,
      order: { before: ['a', 'b', 'c'], after: ['c', 'a', 'd'] },
      settings: {
        before: { shares: { kommun: 50, konserthus: 50 } },
        after: { shares: { kommun: 60, konserthus: 40 } },
      },
      name: null,
    });
    expect(diffPlaylists(before, before).identical).toBe(true);
    expect(diffPlaylists(null, before)).toMatchObject({
      identical: false,
      added: ['a', 'b', 'c'],
      name: { before: null, after: 'P' },
    });
  });
});

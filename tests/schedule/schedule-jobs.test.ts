import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.ts';
import { localTime, localToEpoch } from '../../src/domain/local-time.ts';
import { ClockJobTimer } from '../../src/schedule/job-timer.ts';
import type { PublishedSchedule, ScheduledItem } from '../../src/schedule/schedule-input.ts';
import { ScheduleJobs } from '../../src/schedule/schedule-jobs.ts';

const MIN = 60_000;
const silent = { info: () => undefined, warn: () => undefined };

function rig(start: number, items: ScheduledItem[] = [], opts: { clockOk?: (now: number) => boolean } = {}) {
  const clock = new ManualClock(start);
  const timer = new ClockJobTimer(clock);
  const log = {
    upkeep: [] as number[],
    brightness: [] as number[],
    opened: [] as Array<[string[], number]>,
    ended: [] as Array<[string[], number]>,
  };
  let schedule: PublishedSchedule = { revision: 'r1', items, settings: { shares: { kommun: 0.5, konserthus: 0.5 } } };
  const jobs = new ScheduleJobs({
    timer,
    clock,
    clockOk: opts.clockOk ?? (() => true),
    log: silent,
    schedule: () => schedule,
    brightness: async () => {
      log.brightness.push(clock.now());
    },
    upkeep: async () => {
      log.upkeep.push(clock.now());
    },
    windowsOpened: (ids, at) => log.opened.push([ids, at]),
    windowsEnded: (ids, at) => {
      log.ended.push([ids, at]);
    },
  });
  /** Runs the clock forward as the runtime's tick would, in steps. */
  const run = async (ms: number, step = 30_000) => {
    const end = clock.now() + ms;
    while (clock.now() < end) {
      clock.advance(Math.min(step, end - clock.now()));
      jobs.checkRevision();
      timer.runDue();
      await Promise.resolve();
    }
  };
  return {
    clock,
    timer,
    jobs,
    log,
    run,
    publish(next: ScheduledItem[], revision: string) {
      schedule = { ...schedule, revision, items: next };
    },
  };
}

describe('timed jobs (driven by an injected clock)', () => {
  it('runs the nightly upkeep at 03:30 local time every night of a week with both DST changes', async () => {
    for (const [first, changes] of [
      ['2026-03-26', '2026-03-29'],
      ['2026-10-22', '2026-10-25'],
    ] as const) {
      const r = rig(localToEpoch(first, 12 * 60));
      r.jobs.start();
      await r.run(7 * 24 * 60 * MIN, 10 * MIN);
      expect(r.log.upkeep).toHaveLength(7);
      for (const at of r.log.upkeep) {
        const t = localTime(at);
        expect([t.hour, t.minute], new Date(at).toISOString()).toEqual([3, 30]);
      }
      const onChange = r.log.upkeep.find((at) => localTime(at).date === changes);
      // 03:30 is CEST after the March change (01:30 UTC) and CET after the October one (02:30 UTC).
      expect(new Date(onChange ?? 0).getUTCHours()).toBe(changes.endsWith('03-29') ? 1 : 2);
      r.jobs.stop();
    }
  });

  it('steps brightness once a minute', async () => {
    const r = rig(Date.parse('2026-12-01T09:00:10Z'));
    r.jobs.start();
    await r.run(10 * MIN, 1_000);
    expect(r.log.brightness).toHaveLength(10);
    expect(r.log.brightness.every((at) => at % MIN === 0)).toBe(true);
  });

  it('fires at item window starts and ends, reports ends missed while down, and replans on a new revision', async () => {
    const t0 = Date.parse('2026-12-01T09:00:00Z');
    const items: ScheduledItem[] = [
      { id: 'gone', organisation: 'kommun', dwellSeconds: 10, order: 0, window: { from: null, until: t0 - 3_600_000 } },
      {
        id: 'konsert',
        organisation: 'konserthus',
        dwellSeconds: 10,
        order: 1,
        window: { from: t0 + 10 * MIN, until: t0 + 70 * MIN },
      },
    ];
    const r = rig(t0, items);
    r.jobs.start();
    expect(r.log.ended).toEqual([[['gone'], t0]]);
    expect(r.jobs.planned().windows).toBe(new Date(t0 + 10 * MIN).toISOString());
    await r.run(11 * MIN, 1_000);
    expect(r.log.opened).toEqual([[['konsert'], t0 + 10 * MIN]]);
    r.publish(
      [
        ...items,
        { id: 'ny', organisation: 'kommun', dwellSeconds: 10, order: 2, window: { from: null, until: t0 + 20 * MIN } },
      ],
      'r2',
    );
    await r.run(60 * MIN, 1_000);
    expect(r.log.ended.slice(1)).toEqual([
      [['ny'], t0 + 20 * MIN],
      [['konsert'], t0 + 70 * MIN],
    ]);
    expect(r.jobs.planned().windows).toBeUndefined();
  });

  it('replans when the clock jumps (NTP after a cold boot), and does nothing time-based while the clock is wrong', async () => {
    let ok = false;
    const r = rig(Date.parse('2001-01-01T00:00:00Z'), [], { clockOk: () => ok });
    r.jobs.start();
    await r.run(2 * MIN, 1_000);
    expect(r.log.upkeep).toEqual([]);
    // NTP arrives: the wall clock leaps 25 years.
    ok = true;
    r.clock.set(Date.parse('2026-12-01T02:00:00Z'));
    await r.run(2 * MIN, 1_000);
    // 03:00 in Vara: tonight's upkeep is at 03:30 (02:30 UTC), not a day late and not missed.
    expect(r.jobs.planned().upkeep).toBe('2026-12-01T02:30:00.000Z');
    await r.run(25 * 60 * MIN, 60_000);
    expect(r.log.upkeep.map((at) => new Date(at).toISOString())).toEqual([
      '2026-12-01T02:30:00.000Z',
      '2026-12-02T02:30:00.000Z',
    ]);
  });
});

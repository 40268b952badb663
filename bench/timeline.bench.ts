/**
 * `timeline`: what GET /api/schedule/timeline costs, since it runs the rotation engine forward page by page.
 * - timeline_day_ms / timeline_week_ms: one sign, a realistic playlist of 40 items (both organisations, some with
 *   windows opening later, days and times of day), 24 h in hourly buckets and 168 h in 6-hour buckets; medians.
 * - timeline_week_vs_day_ratio: same run; about 7 when the cost is linear in the period.
 */
import type { Organisation } from '../src/domain/item-content.ts';
import type { Weekday } from '../src/domain/local-time.ts';
import type { PublishedSchedule, ScheduledItem } from '../src/schedule/schedule-input.ts';
import { rotationTimeline } from '../src/schedule/timeline.ts';
import { type Benchmark, median, timeRounds } from './lib.ts';

const START = Date.parse('2026-12-07T09:00:00Z');
const HOUR = 3_600_000;

function playlist(n: number): PublishedSchedule<ScheduledItem> {
  const items: ScheduledItem[] = [];
  for (let i = 0; i < n; i++) {
    const organisation: Organisation = i % 2 ? 'kommun' : 'konserthus';
    items.push({
      id: `item-${i}`,
      organisation,
      dwellSeconds: [10, 10, 15, 20][i % 4] as number,
      order: i,
      window: i % 7 === 0 ? { from: START + (i % 5) * 24 * HOUR, until: null } : null,
      days: i % 9 === 0 ? ([6, 7] as Weekday[]) : null,
      timesOfDay: i % 5 === 0 ? [{ from: '07:00', to: '19:00' }] : null,
    });
  }
  return { revision: 'bench', items, settings: { shares: { kommun: 0.5, konserthus: 0.5 } } };
}

const bench: Benchmark = {
  name: 'timeline',
  async run() {
    const schedule = playlist(40);
    const day = median(
      await timeRounds(15, () =>
        rotationTimeline(schedule, 'E20-N', null, START, START + 24 * HOUR, { bucketMs: HOUR }),
      ),
    );
    const week = median(
      await timeRounds(7, () =>
        rotationTimeline(schedule, 'E20-N', null, START, START + 168 * HOUR, { bucketMs: 6 * HOUR }),
      ),
    );
    return { timeline_day_ms: day, timeline_week_ms: week, timeline_week_vs_day_ratio: week / day };
  },
};
export default bench;

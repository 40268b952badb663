import { type Job, scheduleJob } from 'node-schedule';
import type { Clock } from '../domain/clock.ts';

/**
 * Runs a function at an instant. Production uses node-schedule; with an injected clock (tests,
 * simulated weeks) jobs run from the runtime's tick when the clock reaches them, so the same job
 * code is exercised with no real waiting. Recurring jobs reschedule themselves after each run with
 * the next instant computed in Europe/Stockholm local time (local-time.ts), which keeps DST days
 * right in both.
 */
export interface JobTimer {
  at(name: string, when: number, run: () => void): { cancel(): void };
  /** Runs the jobs that are due (a no-op for node-schedule, which runs them itself). */
  runDue(): void;
  cancelAll(): void;
}

export function nodeScheduleTimer(): JobTimer {
  const jobs = new Set<Job>();
  return {
    at(name, when, run) {
      // A time already past runs at once (node-schedule would drop it).
      if (when <= Date.now()) {
        const immediate = setImmediate(run);
        return { cancel: () => clearImmediate(immediate) };
      }
      const job = scheduleJob(`skylt:${name}:${when}`, new Date(when), () => {
        jobs.delete(job);
        run();
      });
      jobs.add(job);
      return {
        cancel() {
          job.cancel();
          jobs.delete(job);
        },
      };
    },
    runDue() {},
    cancelAll() {
      for (const job of jobs) job.cancel();
      jobs.clear();
    },
  };
}

/** Jobs driven by an injected clock: `runDue()` runs every job whose time has come, in time order. */
export class ClockJobTimer implements JobTimer {
  private readonly jobs = new Map<number, { name: string; when: number; run: () => void }>();
  private nextId = 1;

  constructor(private readonly clock: Clock) {}

  at(name: string, when: number, run: () => void): { cancel(): void } {
    const id = this.nextId++;
    this.jobs.set(id, { name, when, run });
    return { cancel: () => this.jobs.delete(id) };
  }

  runDue(): void {
    for (let guard = 0; guard < 10_000; guard++) {
      const now = this.clock.now();
      let first: [number, { when: number; run: () => void }] | null = null;
      for (const entry of this.jobs)
        if (entry[1].when <= now && (!first || entry[1].when < first[1].when)) first = entry;
      if (!first) return;
      this.jobs.delete(first[0]);
      first[1].run();
    }
  }

  cancelAll(): void {
    this.jobs.clear();
  }

  /** For tests: what is planned. */
  planned(): Array<{ name: string; when: number }> {
    return [...this.jobs.values()].map(({ name, when }) => ({ name, when })).sort((a, b) => a.when - b.when);
  }
}

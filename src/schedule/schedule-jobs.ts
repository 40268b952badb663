import type { Clock } from '../domain/clock.ts';
import { nextLocalTimeOfDay, parseHhMm } from '../domain/local-time.ts';
import type { JobTimer } from './job-timer.ts';
import type { PublishedSchedule, ScheduledItem } from './schedule-input.ts';

/**
 * The timed jobs of scheduling (the only ones in Skylt, and the only code that uses node-schedule,
 * through JobTimer):
 * - windows: at each item window's start and end; an end is the content workflow's expiry;
 * - brightness: every minute, from the sun or the photocell;
 * - nightly upkeep: slot CRCs, backup, VACUUM, archiving, at a quiet local time.
 * Each job plans its next run after it ran, from the clock, so a clock correction (NTP after a
 * cold boot) or a DST change needs no special case: the next instant is computed afresh.
 */

export interface JobLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface ScheduleJobsOptions {
  readonly timer: JobTimer;
  readonly clock: Clock;
  readonly clockOk: (now: number) => boolean;
  readonly log: JobLog;
  readonly schedule: () => PublishedSchedule<ScheduledItem>;
  readonly brightness: () => Promise<void>;
  readonly upkeep: () => Promise<void>;
  /** Items whose window opened: the signs pick them up at their next page. */
  readonly windowsOpened: (itemIds: string[], at: number) => void;
  /** Items whose window ended (expiry): the content workflow moves them on. */
  readonly windowsEnded: (itemIds: string[], at: number) => void | Promise<void>;
  /** Local time of the nightly upkeep (Europe/Stockholm), "HH:MM". */
  readonly upkeepAt?: string;
}

const MINUTE = 60_000;
/** A job that fires this far from its planned time means the clock jumped: plan everything again. */
const JUMP_MS = 2 * MINUTE;

interface Edges {
  readonly revision: string;
  /** Sorted instants where some window opens or closes. */
  readonly times: readonly number[];
  readonly opens: ReadonlyMap<number, string[]>;
  readonly ends: ReadonlyMap<number, string[]>;
}

export class ScheduleJobs {
  private readonly handles = new Map<string, { cancel(): void }>();
  private readonly plannedAt = new Map<string, number>();
  private edges: Edges | null = null;
  private windowsCheckedTo: number | null = null;
  private running = false;
  readonly runs = { brightness: 0, upkeep: 0, windows: 0 };

  constructor(private readonly o: ScheduleJobsOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const now = this.o.clock.now();
    this.planBrightness(now);
    this.planUpkeep(now);
    this.windowsCheckedTo = null;
    this.planWindows(now);
  }

  stop(): void {
    this.running = false;
    for (const h of this.handles.values()) h.cancel();
    this.handles.clear();
  }

  /** Called on each tick: a newly published revision gets its window jobs at once. */
  checkRevision(): void {
    if (!this.running) return;
    if (this.edges?.revision !== this.o.schedule().revision) this.planWindows(this.o.clock.now());
  }

  /** When each job runs next (for health and tests). */
  planned(): Record<string, string> {
    return Object.fromEntries([...this.plannedAt].map(([k, v]) => [k, new Date(v).toISOString()]));
  }

  private plan(name: string, when: number, run: (plannedFor: number) => Promise<void> | void): void {
    this.handles.get(name)?.cancel();
    this.plannedAt.set(name, when);
    this.handles.set(
      name,
      this.o.timer.at(name, when, () => {
        this.handles.delete(name);
        this.plannedAt.delete(name);
        if (!this.running) return;
        const late = this.o.clock.now() - when;
        if (Math.abs(late) > JUMP_MS && name === 'brightness') {
          this.o.log.warn(
            { job: name, plannedFor: new Date(when).toISOString(), lateMs: late },
            'the clock jumped: planning the jobs again',
          );
          const now = this.o.clock.now();
          // Upkeep planned on the old clock is planned again, unless it is due right now.
          const upkeepAt = this.plannedAt.get('upkeep');
          if (upkeepAt === undefined || upkeepAt > now || now - upkeepAt > JUMP_MS) this.planUpkeep(now);
          this.windowsCheckedTo = null;
          this.planWindows(now);
        }
        Promise.resolve()
          .then(() => run(when))
          .catch((error: unknown) => this.o.log.warn({ job: name, err: error }, 'scheduled job failed'));
      }),
    );
  }

  private planBrightness(now: number): void {
    this.plan('brightness', (Math.floor(now / MINUTE) + 1) * MINUTE, async () => {
      this.planBrightness(this.o.clock.now());
      this.runs.brightness++;
      await this.o.brightness();
    });
  }

  private planUpkeep(now: number): void {
    const at = nextLocalTimeOfDay(now, parseHhMm(this.o.upkeepAt ?? '03:30'));
    this.plan('upkeep', at, async () => {
      const now = this.o.clock.now();
      this.planUpkeep(Math.max(now, at));
      if (!this.o.clockOk(now)) {
        this.o.log.warn({}, 'nightly upkeep skipped: the clock is not believable');
        return;
      }
      // Far off its time (the clock jumped past it): not now in the middle of the day, tonight instead.
      if (now - at > JUMP_MS) {
        this.o.log.warn({ plannedFor: new Date(at).toISOString() }, 'nightly upkeep skipped: the clock jumped past it');
        return;
      }
      this.runs.upkeep++;
      await this.o.upkeep();
    });
  }

  private compileEdges(): Edges {
    const schedule = this.o.schedule();
    if (this.edges?.revision === schedule.revision) return this.edges;
    const opens = new Map<number, string[]>();
    const ends = new Map<number, string[]>();
    const add = (m: Map<number, string[]>, t: number | null | undefined, id: string) => {
      if (t === null || t === undefined || !Number.isFinite(t)) return;
      const list = m.get(t);
      if (list) list.push(id);
      else m.set(t, [id]);
    };
    for (const item of schedule.items) {
      add(opens, item.window?.from, item.id);
      add(ends, item.window?.until, item.id);
    }
    const times = [...new Set([...opens.keys(), ...ends.keys()])].sort((a, b) => a - b);
    this.edges = { revision: schedule.revision, times, opens, ends };
    return this.edges;
  }

  /** Handles the window edges in (checkedTo, now], then plans a job at the next edge. */
  private planWindows(now: number): void {
    const edges = this.compileEdges();
    if (this.o.clockOk(now)) {
      const from = this.windowsCheckedTo;
      const opened: string[] = [];
      const ended: string[] = [];
      for (const t of edges.times) {
        if (t > now) break;
        // On the first pass after start, every window that ended while Skylt was down is reported
        // (the expiry hook is idempotent); an opening is only news if it happened since the last pass.
        if (from !== null && t <= from) continue;
        if (from !== null) opened.push(...(edges.opens.get(t) ?? []));
        ended.push(...(edges.ends.get(t) ?? []));
      }
      this.windowsCheckedTo = now;
      if (opened.length > 0) {
        this.runs.windows++;
        this.o.log.info({ items: opened.slice(0, 20), count: opened.length }, 'item windows opened');
        this.o.windowsOpened(opened, now);
      }
      if (ended.length > 0) {
        this.runs.windows++;
        this.o.log.info({ items: ended.slice(0, 20), count: ended.length }, 'item windows ended');
        Promise.resolve(this.o.windowsEnded(ended, now)).catch((error: unknown) =>
          this.o.log.warn({ err: error }, 'expiry hook failed'),
        );
      }
    }
    // Without a believable clock, look again in a minute (the brightness job also replans on a jump).
    const next = this.o.clockOk(now) ? firstAfter(edges.times, now) : now + MINUTE;
    if (next === null) {
      this.handles.get('windows')?.cancel();
      this.handles.delete('windows');
      this.plannedAt.delete('windows');
      return;
    }
    this.plan('windows', next, () => this.planWindows(Math.max(this.o.clock.now(), next)));
  }
}

function firstAfter(sorted: readonly number[], t: number): number | null {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as number) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length ? (sorted[lo] as number) : null;
}

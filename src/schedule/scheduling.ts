import { join } from 'node:path';
import type { Logger } from 'pino';
import { type BrightnessSettings, DEFAULT_BRIGHTNESS } from '../domain/brightness.ts';
import type { Clock } from '../domain/clock.ts';
import { BUILD_DATE, type ClockSanity, clockSanity } from '../domain/clock-sanity.ts';
import type { Organisation } from '../domain/item-content.ts';
import { localTime } from '../domain/local-time.ts';
import type { PlaylistItem } from '../domain/playlist.ts';
import type { Frame } from '../render/frame.ts';
import type { PriorityName } from '../signs/bridge/messages.ts';
import type { SignController } from '../signs/sign-controller.ts';
import type { AuditRepository } from '../store/audit-repository.ts';
import type { Db } from '../store/database.ts';
import { playLogRepository } from '../store/play-log-repository.ts';
import { proofOfPlayRepository } from '../store/proof-of-play-repository.ts';
import { signStateRepository } from '../store/sign-state-repository.ts';
import { adjustBrightness, type BrightnessReading } from './brightness-control.ts';
import { ClockJobTimer, type JobTimer, nodeScheduleTimer } from './job-timer.ts';
import { runNightlyUpkeep, type UpkeepResult } from './nightly-upkeep.ts';
import { OverrideBook } from './override-book.ts';
import { EMPTY_SCHEDULE, type PublishedSchedule } from './schedule-input.ts';
import { ScheduleJobs } from './schedule-jobs.ts';
import { type ScheduledPage, SignScheduler } from './sign-scheduler.ts';

export interface SchedulingSign {
  readonly config: { readonly id: string; readonly lat: number; readonly lon: number };
  readonly controller: SignController;
}

export interface SchedulingOptions {
  readonly db: Db;
  readonly clock: Clock;
  readonly log: Logger;
  readonly signs: ReadonlyMap<string, SchedulingSign>;
  readonly render: (page: PlaylistItem, signId: string) => Frame;
  /** The fallback loop's pages (playlists/default.json), under everything on every sign. */
  readonly fallbackItems: () => readonly PlaylistItem[];
  readonly leaseMs: number;
  /** Nightly backups go to `${dataDir}/backups`. */
  readonly dataDir: string;
  /** 'node-schedule' in production; 'clock': jobs run from runDueJobs() when the injected clock reaches them. */
  readonly jobs: 'node-schedule' | 'clock';
  readonly audit?: AuditRepository;
  readonly brightness?: BrightnessSettings;
  readonly buildDate?: string;
  readonly keepBackups?: number;
  /** Local time of the nightly upkeep, "HH:MM" (Europe/Stockholm). */
  readonly upkeepAt?: string;
}

/** What the content workflow plugs in (see the lead's wiring in runtime.ts). */
export interface SchedulingHooks {
  /** Items whose display window ended: expire them (idempotent; called at start for windows that ended while down). */
  windowsEnded?: (itemIds: string[], at: number) => void | Promise<void>;
  /** Nightly: archive what has been expired long enough. */
  archive?: (now: number) => void | Promise<void>;
}

/**
 * Scheduling for all signs: the rotation engine per sign under overrides, the timed jobs
 * (windows, brightness, nightly upkeep), and the clock check that gates all of it. The runtime
 * builds one, feeds it the live schedule, and calls tickSign() for each sign on its tick.
 */
export class Scheduling {
  readonly overrides: OverrideBook;
  readonly signs = new Map<string, SignScheduler>();
  readonly jobs: ScheduleJobs;
  readonly timer: JobTimer;
  readonly brightness = new Map<string, BrightnessReading>();
  readonly hooks: SchedulingHooks = {};
  lastUpkeep: UpkeepResult | null = null;
  private source: () => PublishedSchedule<ScheduledPage> = () => EMPTY_SCHEDULE;
  private clockWasOk: boolean | null = null;
  private readonly log: Logger;
  private readonly settings: BrightnessSettings;

  constructor(private readonly o: SchedulingOptions) {
    this.log = o.log;
    this.settings = o.brightness ?? DEFAULT_BRIGHTNESS;
    this.overrides = new OverrideBook(o.db, o.clock, o.audit ?? null);
    this.timer = o.jobs === 'clock' ? new ClockJobTimer(o.clock) : nodeScheduleTimer();
    const state = signStateRepository(o.db);
    const playLog = playLogRepository(o.db);
    for (const [id, sign] of o.signs) {
      this.signs.set(
        id,
        new SignScheduler({
          signId: id,
          controller: sign.controller,
          clock: o.clock,
          schedule: () => this.schedule(),
          activeOverride: (signId, now) => this.overrides.activeFor(signId, now),
          fallbackItems: o.fallbackItems,
          render: (page) => o.render(page, id),
          state,
          leaseMs: o.leaseMs,
          clockOk: (now) => this.clockOk(now),
          onError: (message) => this.log.warn(message),
        }),
      );
      // Proof of play claims only what is certain: when the link drops, the page's row ends there.
      sign.controller.session.on('down', () => playLog.endAll(id, new Date(o.clock.now()).toISOString()));
    }
    this.jobs = new ScheduleJobs({
      timer: this.timer,
      clock: o.clock,
      clockOk: (now) => this.clockOk(now),
      log: this.log,
      schedule: () => this.schedule(),
      brightness: () => this.adjustBrightness(),
      upkeep: async () => {
        await this.upkeep();
      },
      windowsOpened: () => undefined,
      windowsEnded: (ids, at) => this.hooks.windowsEnded?.(ids, at),
      ...(o.upkeepAt ? { upkeepAt: o.upkeepAt } : {}),
    });
  }

  /** Where the live published schedule comes from (the content workflow's adapter, see published-schedule.ts). */
  setScheduleSource(source: () => PublishedSchedule<ScheduledPage>): void {
    this.source = source;
  }

  schedule(): PublishedSchedule<ScheduledPage> {
    return this.source();
  }

  clockStatus(now: number = this.o.clock.now()): ClockSanity {
    return clockSanity(now, this.o.buildDate ?? BUILD_DATE);
  }

  clockOk(now: number): boolean {
    const s = this.clockStatus(now);
    if (s.ok !== this.clockWasOk) {
      this.clockWasOk = s.ok;
      if (!s.ok) this.log.error({ problem: s.problem }, 'refusing to schedule by time: the clock is not believable');
      else this.log.info({ now: new Date(now).toISOString() }, 'the clock is believable: scheduling by time');
    }
    return s.ok;
  }

  start(): void {
    this.jobs.start();
  }

  stop(): void {
    this.jobs.stop();
    this.timer.cancelAll();
  }

  /** Jobs whose time has come (only with the 'clock' timer), and window jobs for a new revision. */
  runDueJobs(): void {
    this.jobs.checkRevision();
    this.timer.runDue();
  }

  /** One step of one sign: override > scheduled > fallback (a crisis is above and left alone). */
  async tickSign(signId: string): Promise<void> {
    await this.signs.get(signId)?.tick();
  }

  /** Renders a page for a sign as it would be shown (throws when it cannot be drawn). */
  renderFor(page: PlaylistItem, signId: string): Frame {
    return this.o.render(page, signId);
  }

  organisationOf(signId: string, priority: PriorityName, itemId: string | null): Organisation | null {
    return this.signs.get(signId)?.organisationOf(priority, itemId) ?? null;
  }

  async adjustBrightness(): Promise<void> {
    const now = this.o.clock.now();
    const ok = this.clockOk(now);
    for (const [id, sign] of this.o.signs) {
      try {
        const reading = await adjustBrightness(
          { id, lat: sign.config.lat, lon: sign.config.lon, controller: sign.controller },
          now,
          this.settings,
          ok,
        );
        if (reading) this.brightness.set(id, reading);
      } catch (error: unknown) {
        this.log.warn({ sign: id, err: error }, 'brightness step failed');
      }
    }
  }

  async upkeep(): Promise<UpkeepResult> {
    const now = this.o.clock.now();
    const result = await runNightlyUpkeep({
      db: this.o.db,
      plays: proofOfPlayRepository(this.o.db),
      signs: [...this.o.signs.keys()].map((id) => ({
        id,
        controller: (this.o.signs.get(id) as SchedulingSign).controller,
        reshow: () => this.signs.get(id)?.reshow(),
      })),
      backupDir: join(this.o.dataDir, 'backups'),
      keepBackups: this.o.keepBackups ?? 7,
      now,
      localDate: localTime(now).date,
      ...(this.hooks.archive ? { archive: this.hooks.archive } : {}),
    });
    this.lastUpkeep = result;
    const damaged = result.slots.filter((s) => s.mismatched.length > 0 || s.error);
    const level = damaged.length > 0 || 'error' in result.backup || !result.vacuum.ok ? 'warn' : 'info';
    this.log[level]({ upkeep: result }, 'nightly upkeep done');
    return result;
  }
}

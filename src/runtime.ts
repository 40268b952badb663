import type { Logger } from 'pino';
import { writeFirstAdminPassword } from './auth/first-admin-file.ts';
import type { SkyltConfig } from './config.ts';
import { CrisisService } from './crisis/crisis-service.ts';
import { FeedMonitor } from './crisis/feed-monitor.ts';
import { type Clock, systemClock } from './domain/clock.ts';
import { isWindowOpen } from './domain/display-window.ts';
import type { PlaylistFile, PlaylistItem } from './domain/playlist.ts';
import type { Frame } from './render/frame.ts';
import type { ImportedImage } from './render/image-import.ts';
import { GENERIC_CRISIS, renderCrisisPage, renderItemForSign, signSurface } from './render/sign-page.ts';
import { readPlaylistFile } from './schedule/playlist-file.ts';
import { recordProofOfPlay } from './schedule/proof-of-play.ts';
import { liveScheduleSource } from './schedule/published-schedule.ts';
import { Scheduling } from './schedule/scheduling.ts';
import { BridgeSession } from './signs/bridge/bridge-session.ts';
import type { RunningSign } from './signs/running-sign.ts';
import { SignController } from './signs/sign-controller.ts';
import { createSignLink } from './signs/sign-link.ts';
import { type AuditRepository, auditRepository } from './store/audit-repository.ts';
import { crisisRepository } from './store/crisis-repository.ts';
import { type Db, openDatabase } from './store/database.ts';
import { type PlayLogRepository, playLogRepository } from './store/play-log-repository.ts';
import { StoreHealth } from './store/store-health.ts';
import { PicturePreparation } from './workflow/picture-preparation.ts';
import type { LivePlaylist } from './workflow/playlist-service.ts';
import { Workflow } from './workflow/workflow.ts';

/** Normal content leases: refreshed every third of this; if Skylt dies the sign falls back within it. */
const LEASE_MS = 30_000;
/** While the store reports a fault, a probe write checks this often whether it is gone. */
const STORE_PROBE_MS = 10_000;

/** One sign as it runs (the name the tests and tools know it by). */
export type SignRuntime = RunningSign;

export interface RuntimeOptions {
  clock?: Clock;
  /** Real-time interval of the tick; 0 disables the timer (tests call tick()). */
  tickMs?: number;
  log: Logger;
  databasePath?: string;
  /**
   * Where the notice of a generated first-start admin password goes (stdout by default). The notice says only where
   * the password is: stdout is the log under systemd and Docker, so the password itself goes to a file.
   */
  printSecret?: (text: string) => void;
}

/**
 * Everything that runs: the store, one controller and scheduler per sign, and the tick that drives
 * them. Built from config with no I/O at import time; start() and stop() bound its life.
 */
export class Runtime {
  readonly startedAt: number;
  readonly db: Db;
  readonly signs = new Map<string, SignRuntime>();
  readonly playLog: PlayLogRepository;
  readonly audit: AuditRepository;
  readonly crisis: CrisisService;
  readonly feeds: FeedMonitor;
  /** Users, items and the shared playlist (the content workflow). */
  readonly workflow: Workflow;
  /** Overrides, the shared rotation, brightness and upkeep jobs (src/schedule). */
  readonly scheduling: Scheduling;
  readonly clock: Clock;
  /** Can the database be written (disk full, read-only)? For /api/health and /api/ready. */
  readonly storeHealth: StoreHealth;
  /** Resolves once the first admin exists (first start only; at once otherwise): buildApp waits for it. */
  readonly ready: Promise<void>;
  private playlist: PlaylistFile;
  private readonly logged = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private stopping: Promise<void> | null = null;
  /** The live playlist's key when its pictures were last asked to be prepared (undefined: not yet). */
  private readonly pictures: PicturePreparation;
  private readonly log: Logger;

  constructor(
    readonly config: SkyltConfig,
    private readonly options: RuntimeOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.log = options.log;
    this.startedAt = this.clock.now();
    this.storeHealth = new StoreHealth(this.clock);
    this.playlist = readPlaylistFile(config.playlistPath);
    this.db = openDatabase(options.databasePath ?? `${config.dataDir}/skylt.db`);
    this.playLog = playLogRepository(this.db);
    this.audit = auditRepository(this.db);
    this.workflow = new Workflow({
      db: this.db,
      clock: this.clock,
      signs: config.signs,
      settings: config.workflow,
      audit: this.audit,
    });
    this.ready = this.createFirstAdmin();
    // Marked as handled here; buildApp awaits it and gets the failure.
    this.ready.catch(() => undefined);
    for (const sign of config.signs) {
      const link = createSignLink(sign, this.clock);
      const session = new BridgeSession(link.transport);
      const controller = new SignController(sign.id, session, this.clock, { leaseMs: LEASE_MS, chunkBytes: 512 });
      const surface = signSurface(sign);
      session.on('up', (caps) =>
        this.log.info({ sign: sign.id, address: session.address, bootId: caps.bootId }, 'sign link up'),
      );
      session.on('down', (reason) => this.log.warn({ sign: sign.id, reason }, 'sign link down'));
      recordProofOfPlay({
        controller,
        playLog: this.playLog,
        organisationOf: (priority, itemId) =>
          this.scheduling.organisationOf(sign.id, priority, itemId) ??
          [...this.itemsFor(sign.id), ...this.playlist.items].find((i) => i.id === itemId)?.organisation ??
          null,
        guard: (write) => this.guard('proof of play', write),
      });
      this.signs.set(sign.id, { config: sign, link, controller, surface });
    }
    this.scheduling = new Scheduling({
      db: this.db,
      clock: this.clock,
      log: this.log.child({ part: 'schedule' }),
      signs: this.signs,
      render: (page, signId) =>
        renderItemForSign(page, (this.signs.get(signId) as SignRuntime).surface, (id) => this.decodedImage(id)),
      fallbackItems: () => this.playlist.items,
      leaseMs: LEASE_MS,
      dataDir: config.dataDir,
      // An injected clock (tests, simulations) drives the jobs from tick(); the wall clock uses node-schedule.
      jobs: options.clock ? 'clock' : 'node-schedule',
      audit: this.audit,
    });
    this.pictures = new PicturePreparation({
      pictures: this.workflow.items.pictures,
      live: () => this.workflow.playlist.live(),
      fallbackItems: () => this.playlist.items,
      onUnreadable: (image, err) => this.log.error({ image, err }, 'a picture for the signs cannot be decoded'),
    });
    this.scheduling.setScheduleSource(liveScheduleSource(() => this.workflow.playlist.live()));
    this.scheduling.hooks.windowsEnded = () => void this.workflow.expireDue();
    this.crisis = new CrisisService({
      db: this.db,
      repo: crisisRepository(this.db),
      audit: this.audit,
      clock: this.clock,
      log: this.log.child({ part: 'crisis' }),
      signs: () =>
        [...this.signs.values()].map((s) => ({
          id: s.config.id,
          controller: s.controller,
          renderCrisis: (m) => renderCrisisPage(m, s.surface),
        })),
    });
    const crisisRepo = crisisRepository(this.db);
    this.feeds = new FeedMonitor({
      config: config.crisisFeeds,
      clock: this.clock,
      log: this.log.child({ part: 'feeds' }),
      signs: config.signs.map((s) => ({
        id: s.id,
        lat: s.lat,
        lon: s.lon,
        municipalityCode: s.municipalityCode,
        countyCode: s.countyCode,
        municipalityName: s.municipalityName,
      })),
      onDecision: (decision) => void this.crisis.handleDecision(decision),
      // After a restart, an Update or Cancel must find the crisis that is already on the signs.
      activeAlertIds: () =>
        [...crisisRepo.inState('active'), ...crisisRepo.inState('proposed')].flatMap((c) => [
          ...(c.alertId ? [c.alertId] : []),
          ...c.incidents,
        ]),
    });
  }

  /** First start: the admin user (its password hashed off the event loop), and where its generated password is. */
  private async createFirstAdmin(): Promise<void> {
    const first = await this.workflow.accounts.ensureFirstAdmin();
    if (first?.generatedPassword) {
      const path = writeFirstAdminPassword(this.config.dataDir, first.username, first.generatedPassword);
      (this.options.printSecret ?? ((text) => process.stdout.write(text)))(
        `\nSkylt first start: created user "${first.username}". Its one-time password is in\n\n    ${path}\n\n(readable only by this system user). Sign in with it and choose your own password; then delete the file.\nOr set SKYLT_ADMIN_PASSWORD before the first start.\n\n`,
      );
    }
  }

  start(): void {
    this.guard('preparing pictures', () => this.pictures.prepare());
    // Signs with the same panel (both E20 signs) share the frames drawn here: each is drawn once, not once a sign.
    const drawn = new Map<string, Frame>();
    const drawOnce = (key: string, draw: () => Frame): Frame => {
      const frame = drawn.get(key) ?? draw();
      drawn.set(key, frame);
      return frame;
    };
    for (const s of this.signs.values()) {
      s.link.virtualSign?.announce();
      s.controller.start();
      const panel = JSON.stringify({ ...s.surface, id: '' });
      s.controller.setCrisisFrame(drawOnce(`crisis ${panel}`, () => renderCrisisPage(GENERIC_CRISIS, s.surface)));
      // The sign's own default page is drawn now, so it cannot wait for a picture: the first text page of the loop.
      const first = this.playlist.items.find(
        (i) => (!i.signs || i.signs.includes(s.config.id)) && i.content.kind !== 'image',
      );
      if (first)
        s.controller.setDefaultFrame(drawOnce(`${first.id} ${panel}`, () => renderItemForSign(first, s.surface)));
    }
    this.crisis.start();
    this.feeds.start();
    this.scheduling.start();
    const tickMs = this.options.tickMs ?? 250;
    if (tickMs > 0) {
      const tick = () => void this.tick().catch((e: unknown) => this.log.error({ err: e }, 'tick failed'));
      this.timer = setInterval(tick, tickMs);
      this.timer.unref();
    }
  }

  /**
   * One step of every sign: page changes and lease refreshes. Each part fails on its own: a crisis expiry that
   * cannot be recorded (disk full) must not stop the leases being refreshed, or the signs would go dark.
   */
  async tick(): Promise<void> {
    this.expireItems();
    await this.guard('crisis expiry', () => this.crisis.expire());
    await this.guard('crisis re-assert', () => this.crisis.reassertMissing());
    await this.guard('timed jobs', () => this.scheduling.runDueJobs());
    this.guard('preparing pictures', () => this.pictures.prepare());
    if (this.storeHealth.probe(this.db, STORE_PROBE_MS)) this.log.info('the store can be written again');
    await Promise.all(
      [...this.signs.values()].map(async (s) => {
        await this.guard(`sign ${s.config.id}`, () => this.scheduling.tickSign(s.config.id));
        s.controller.refreshLeases();
      }),
    );
  }

  /** Runs a part of the tick; a failure is logged (once a minute per part) and noted if the store caused it. */
  private guard<T>(what: string, part: () => T): T | undefined {
    const failed = (error: unknown) => {
      this.storeHealth.failed(error);
      const now = this.clock.now();
      if (now - (this.logged.get(what) ?? Number.NEGATIVE_INFINITY) >= 60_000) {
        this.logged.set(what, now);
        this.log.error({ err: error }, `${what} failed`);
      }
      return undefined;
    };
    try {
      const result = part();
      return result instanceof Promise ? (result.catch(failed) as T) : result;
    } catch (error: unknown) {
      return failed(error);
    }
  }

  /**
   * Uploaded pictures, decoded once for drawing (the workflow's picture cache, shared with the previews). Null while
   * a picture is being prepared: the scheduler keeps the item's turn and tries again at the next tick. Throws
   * PictureUnavailableError for a picture that cannot be decoded at all.
   */
  decodedImage(id: string): ImportedImage | null {
    return this.workflow.items.pictures.ready(id);
  }

  get playlistFile(): PlaylistFile {
    return this.playlist;
  }

  /**
   * The live published playlist: the newest revision, without items withdrawn since (edited, archived, expired);
   * null before the first publish. Cached; `workflow.on('published' | 'changed')` says when it changes.
   */
  publishedPlaylist(): LivePlaylist | null {
    return this.workflow.playlist.live();
  }

  /**
   * The published items that target a sign and whose window is open now, in playlist order (the fallback loop when
   * there are none). The rotation engine (src/schedule) picks among them by the shares of airtime.
   */
  itemsFor(signId: string): readonly PlaylistItem[] {
    const live = this.workflow.playlist.live();
    if (live) {
      const now = this.clock.now();
      const open = live.items.filter((i) => (!i.signs || i.signs.includes(signId)) && isWindowOpen(i.window, now));
      if (open.length > 0) return open;
    }
    return this.playlist.items;
  }

  /** Items whose window has ended leave review and the playlist (at most once a minute). */
  private expireItems(): void {
    try {
      const n = this.workflow.expireDueNow();
      if (n > 0) this.log.info({ expired: n }, 'items expired');
    } catch (error: unknown) {
      this.log.error({ err: error }, 'could not expire items');
    }
  }

  /** Stops within a bounded time: tells the signs, then closes the database. Once: later calls wait for the first. */
  stop(): Promise<void> {
    this.stopping ??= this.stopOnce();
    return this.stopping;
  }

  private async stopOnce(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.scheduling.stop();
    await this.feeds.stop();
    await Promise.race([
      Promise.allSettled([...this.signs.values()].map((s) => s.controller.stop())),
      new Promise((r) => setTimeout(r, 3000)),
    ]);
    const at = new Date(this.clock.now()).toISOString();
    // Closing the proof of play cannot be written on a full or read-only disk; the database still closes.
    for (const id of this.signs.keys()) this.guard('closing proof of play', () => this.playLog.endAll(id, at));
    this.db.close();
  }
}

import type { Clock } from '../domain/clock.ts';
import type { Alert, AlertSource } from './alert.ts';
import { type FeedErrorKind, FeedFetchError, type FetchLike, fetchFeed } from './feed-http.ts';
import type { FeedAdapter, FollowLink } from './feeds/feed-adapter.ts';

/** Timer functions, injected so tests and simulations can drive them. */
export interface Timers {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** pino-compatible: `log.info({ feed }, 'message')`. */
export interface FeedLog {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export const silentLog: FeedLog = { debug() {}, info() {}, warn() {}, error() {} };

export interface BackoffConfig {
  /** Delay after the first failure. */
  initialMs: number;
  maxMs: number;
  factor: number;
  /** Random spread, 0..1, so that many boxes do not retry in step. */
  jitter: number;
}

export const DEFAULT_BACKOFF: BackoffConfig = { initialMs: 10_000, maxMs: 300_000, factor: 2, jitter: 0.1 };

/** Delay before the next attempt after `failures` consecutive failures (1 = first failure). */
export function backoffDelay(failures: number, config: BackoffConfig, random: () => number = Math.random): number {
  const base = Math.min(config.maxMs, config.initialMs * config.factor ** Math.max(0, failures - 1));
  const spread = base * config.jitter * (2 * random() - 1);
  return Math.max(0, Math.round(Math.min(config.maxMs, base + spread)));
}

export interface FeedErrorInfo {
  at: number;
  kind: FeedErrorKind;
  message: string;
  status: number | null;
}

/** What the health endpoint shows per feed. */
export interface FeedHealth {
  name: string;
  source: AlertSource;
  kind: 'poll' | 'push';
  url: string;
  lastOk: number | null;
  lastError: FeedErrorInfo | null;
  consecutiveFailures: number;
  /** Next poll (or reconnect) time; null while stopped, or while a push stream is connected. */
  nextPollAt: number | null;
  /** Alerts in the last good payload (poll) or push events received (push). */
  lastAlertCount: number;
  /** Push only: the stream is open. */
  connected?: boolean;
  /** Poll only: what the last good payload held (null before the first). */
  lastPoll?: PollCounts | null;
  /**
   * Poll only: why the feed answers but gives nothing Skylt can use (every entry unreadable, every linked
   * document something other than CAP), or null. Shown as a degraded feed in /api/health.
   */
  problem?: string | null;
}

/** What one good payload held, for health and the one log line per poll. */
export interface PollCounts {
  /** Entries of the payload: embedded alerts, links to follow and unreadable entries. */
  items: number;
  /** Alerts this poll produced (embedded, or from linked documents fetched now). */
  alerts: number;
  /** Linked documents unchanged since they answered a CAP alert (not fetched again). */
  linksKnown: number;
  /** Entries that could not be read at all. */
  skipped: number;
  /** Linked documents that answered something other than a CAP alert (HTML, an error page, no alert). */
  linksNotCap: number;
  /** Linked documents that could not be fetched this time; tried again on the next poll. */
  linksFailed: number;
  /** Linked documents left for later polls (at most `maxFollowPerPoll` are fetched per poll). */
  linksWaiting: number;
}

export interface FeedPollerOptions {
  /** Unique feed name for logs and health, e.g. "sr-vma:1470". */
  name: string;
  url: string;
  adapter: FeedAdapter;
  intervalMs: number;
  clock: Clock;
  onAlerts(alerts: Alert[], feed: string): void;
  timeoutMs?: number;
  backoff?: Partial<BackoffConfig>;
  /** Retry-After beyond this is capped: a crisis feed must not go quiet for hours on one header. */
  maxRetryAfterMs?: number;
  maxBytes?: number;
  /** Linked CAP documents fetched per poll at most (Atom feeds that link instead of embed). */
  maxFollowPerPoll?: number;
  fetch?: FetchLike;
  timers?: Timers;
  random?: () => number;
  log?: FeedLog;
}

export interface PollOutcome {
  ok: boolean;
  alerts: Alert[];
  notModified: boolean;
  error: FeedErrorInfo | null;
  /** Null when the poll failed or the feed answered 304. */
  counts?: PollCounts | null;
}

const ACCEPT: Record<AlertSource, string> = {
  'sr-vma': 'application/json',
  krisinformation: 'application/json',
  smhi: 'application/json',
  cap: 'application/cap+xml, application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5',
};

/**
 * Polls one feed URL: fetch -> adapter -> onAlerts. Failures back off exponentially (429 waits at least its
 * Retry-After), are recorded in health, and never throw out of the poller. Deduplication is the caller's job, since
 * the same alert can also arrive by push.
 */
export class FeedPoller {
  private readonly options: Required<Omit<FeedPollerOptions, 'backoff'>> & { backoff: BackoffConfig };
  private intervalMs: number;
  private timer: unknown = null;
  private running = false;
  private inFlight: Promise<PollOutcome> | null = null;
  private abort = new AbortController();
  private etag: string | null = null;
  private lastModified: string | null = null;
  /** Linked documents fetched, by URL: the entry version seen then, and whether it answered a CAP alert. */
  private readonly followed = new Map<string, { version: string | null; cap: boolean; why: string | null }>();
  /** The counts last logged, so an unchanged payload is not logged again on every poll. */
  private lastSummary = '';
  /** An example of what could not be used in the last payload, for the log and health. */
  private sample: string | null = null;
  private readonly state: Omit<FeedHealth, 'name' | 'source' | 'kind' | 'url'> = {
    lastOk: null,
    lastError: null,
    consecutiveFailures: 0,
    nextPollAt: null,
    lastAlertCount: 0,
    lastPoll: null,
    problem: null,
  };

  constructor(options: FeedPollerOptions) {
    this.options = {
      ...options,
      timeoutMs: options.timeoutMs ?? 10_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 15 * 60_000,
      maxBytes: options.maxBytes ?? 5 * 1024 * 1024,
      maxFollowPerPoll: options.maxFollowPerPoll ?? 20,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      timers: options.timers ?? realTimers,
      random: options.random ?? Math.random,
      log: options.log ?? silentLog,
      backoff: { ...DEFAULT_BACKOFF, ...options.backoff },
    };
    this.intervalMs = options.intervalMs;
  }

  get name(): string {
    return this.options.name;
  }

  /** Polls at once, then every interval (or back-off delay). */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.abort = new AbortController();
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.clearTimer();
    this.state.nextPollAt = null;
    this.abort.abort();
    await this.inFlight?.catch(() => {});
  }

  /**
   * Changes the regular interval (e.g. slower while the push stream is up). A shorter interval pulls a pending
   * regular poll forward; a back-off delay is left alone.
   */
  setIntervalMs(ms: number): void {
    const previous = this.intervalMs;
    this.intervalMs = ms;
    if (!this.running || this.inFlight || this.state.consecutiveFailures > 0 || ms >= previous) return;
    const due = this.options.clock.now() + ms;
    if (this.state.nextPollAt === null || due < this.state.nextPollAt) this.schedule(ms);
  }

  /** Polls now (joining a poll already in flight) and reschedules from its outcome. Never rejects. */
  pollNow(): Promise<PollOutcome> {
    if (this.inFlight) return this.inFlight;
    this.clearTimer();
    const poll = this.pollOnce().finally(() => {
      this.inFlight = null;
    });
    this.inFlight = poll;
    return poll;
  }

  health(): FeedHealth {
    return {
      name: this.options.name,
      source: this.options.adapter.source,
      kind: 'poll',
      url: this.options.url,
      ...this.state,
      lastError: this.state.lastError ? { ...this.state.lastError } : null,
      lastPoll: this.state.lastPoll ? { ...this.state.lastPoll } : null,
    };
  }

  private clearTimer(): void {
    if (this.timer !== null) this.options.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    this.clearTimer();
    if (!this.running || !Number.isFinite(delayMs)) {
      this.state.nextPollAt = null;
      return;
    }
    this.state.nextPollAt = this.options.clock.now() + delayMs;
    this.timer = this.options.timers.setTimeout(() => {
      this.timer = null;
      void this.pollNow();
    }, delayMs);
  }

  private async pollOnce(): Promise<PollOutcome> {
    const { clock, log, name } = this.options;
    let outcome: PollOutcome;
    try {
      outcome = await this.fetchAndParse();
    } catch (error: unknown) {
      // fetchAndParse only throws FeedFetchError; anything else is a bug, still not allowed to escape.
      const fetchError =
        error instanceof FeedFetchError ? error : new FeedFetchError('network', `${name}: ${String(error)}`);
      outcome = {
        ok: false,
        alerts: [],
        notModified: false,
        error: { at: clock.now(), kind: fetchError.kind, message: fetchError.message, status: fetchError.status },
      };
      if (fetchError.kind !== 'aborted') this.recordFailure(outcome.error as FeedErrorInfo, fetchError.retryAfterMs);
      return outcome;
    }
    this.state.lastOk = clock.now();
    this.state.consecutiveFailures = 0;
    if (!outcome.notModified) this.state.lastAlertCount = outcome.alerts.length;
    if (outcome.counts) this.recordCounts(outcome.counts);
    this.schedule(this.intervalMs);
    if (outcome.alerts.length > 0) {
      try {
        this.options.onAlerts(outcome.alerts, name);
      } catch (error: unknown) {
        log.error({ feed: name, err: error }, 'crisis feed: alert handler failed');
      }
    }
    return outcome;
  }

  private recordFailure(error: FeedErrorInfo, retryAfterMs: number | null): void {
    const { backoff, random, maxRetryAfterMs, log, name } = this.options;
    this.state.consecutiveFailures += 1;
    this.state.lastError = error;
    let delay = backoffDelay(this.state.consecutiveFailures, backoff, random);
    if (retryAfterMs !== null) delay = Math.max(delay, Math.min(retryAfterMs, maxRetryAfterMs));
    else if (error.kind === 'rate-limited') delay = Math.max(delay, this.intervalMs);
    this.schedule(delay);
    log.warn(
      {
        feed: name,
        kind: error.kind,
        status: error.status,
        failures: this.state.consecutiveFailures,
        retryInMs: delay,
      },
      `crisis feed failed: ${error.message}`,
    );
  }

  private async fetchAndParse(): Promise<PollOutcome> {
    const { url, adapter, clock } = this.options;
    const response = await fetchFeed({
      url,
      fetch: this.options.fetch,
      timeoutMs: this.options.timeoutMs,
      maxBytes: this.options.maxBytes,
      accept: ACCEPT[adapter.source],
      now: () => clock.now(),
      signal: this.abort.signal,
      etag: this.etag,
      lastModified: this.lastModified,
    });
    if (response.notModified) return { ok: true, alerts: [], notModified: true, error: null };
    const parsed = adapter.parse(response.body);
    if (!parsed.ok) {
      throw new FeedFetchError(parsed.error.reason, parsed.error.message, null, null, { cause: parsed.error });
    }
    const counts: PollCounts = {
      items: parsed.alerts.length + parsed.issues.length + parsed.follow.length,
      alerts: parsed.alerts.length,
      linksKnown: 0,
      skipped: parsed.issues.length,
      linksNotCap: 0,
      linksFailed: 0,
      linksWaiting: 0,
    };
    const followed = await this.followLinks(parsed.follow, counts);
    counts.alerts += followed.alerts.length;
    this.sample = parsed.issues[0] ? `entry ${parsed.issues[0].index}: ${parsed.issues[0].message}` : followed.sample;
    // Remember validators only for a payload we could use, so a bad one is fetched in full again.
    this.etag = response.etag;
    this.lastModified = response.lastModified;
    return { ok: true, alerts: [...parsed.alerts, ...followed.alerts], notModified: false, error: null, counts };
  }

  /**
   * Health and the log from one payload's counts. A feed that answers, but of whose entries none gives an alert,
   * is degraded: it looks alive and warns no one. The log gets one line per poll at most, and only when the
   * counts change, however many entries a feed (NWS lists hundreds) carries.
   */
  private recordCounts(counts: PollCounts): void {
    const { log, name } = this.options;
    const usable = counts.alerts + counts.linksKnown;
    const unusable = counts.skipped + counts.linksNotCap + counts.linksFailed;
    this.state.lastPoll = counts;
    this.state.problem =
      usable === 0 && unusable > 0
        ? `none of ${counts.items} entries gave a usable alert (${counts.skipped} unreadable, ${counts.linksNotCap} links not CAP, ${counts.linksFailed} links failed)${this.sample ? `; e.g. ${this.sample}` : ''}`
        : null;
    const summary = JSON.stringify(counts);
    if (unusable === 0 || summary === this.lastSummary) {
      this.lastSummary = unusable === 0 ? '' : summary;
      return;
    }
    this.lastSummary = summary;
    log.warn(
      { feed: name, ...counts, degraded: this.state.problem !== null, example: this.sample },
      `crisis feed: ${unusable} of ${counts.items} entries unusable this poll`,
    );
  }

  private async followLinks(
    links: FollowLink[],
    counts: PollCounts,
  ): Promise<{ alerts: Alert[]; sample: string | null }> {
    if (links.length === 0 && this.followed.size === 0) return { alerts: [], sample: null };
    const { adapter, clock } = this.options;
    const listed = new Set<string>();
    const alerts: Alert[] = [];
    let sample: string | null = null;
    let fetched = 0;
    for (const link of links) {
      let target: string;
      try {
        target = new URL(link.url, this.options.url).toString();
      } catch {
        counts.linksNotCap += 1;
        sample ??= `unusable link ${link.url}`;
        continue;
      }
      listed.add(target);
      const known = this.followed.get(target);
      if (known && known.version === link.version) {
        // Unchanged: its alerts were handed on when it was fetched; a non-CAP answer stays one.
        if (known.cap) counts.linksKnown += 1;
        else {
          counts.linksNotCap += 1;
          sample ??= known.why;
        }
        continue;
      }
      if (fetched >= this.options.maxFollowPerPoll) {
        counts.linksWaiting += 1;
        continue;
      }
      fetched += 1;
      let response: Awaited<ReturnType<typeof fetchFeed>>;
      try {
        response = await fetchFeed({
          url: target,
          fetch: this.options.fetch,
          timeoutMs: this.options.timeoutMs,
          maxBytes: this.options.maxBytes,
          accept: ACCEPT[adapter.source],
          now: () => clock.now(),
          signal: this.abort.signal,
        });
      } catch (error: unknown) {
        // Not remembered, so it is tried again on the next poll.
        counts.linksFailed += 1;
        sample ??= error instanceof Error ? error.message : String(error);
        continue;
      }
      if (response.notModified) {
        counts.linksKnown += 1;
        continue;
      }
      const parsed = adapter.parse(response.body);
      if (parsed.ok && parsed.alerts.length > 0) {
        alerts.push(...parsed.alerts);
        this.followed.set(target, { version: link.version, cap: true, why: null });
        continue;
      }
      // Remembered with its version, so an HTML page behind hundreds of entries is not fetched on every poll.
      const what = response.contentType ? ` (${response.contentType.split(';')[0]})` : '';
      const why = `${target} answered no CAP alert${what}: ${parsed.ok ? (parsed.issues[0]?.message ?? 'empty') : parsed.error.message}`;
      this.followed.set(target, { version: link.version, cap: false, why });
      counts.linksNotCap += 1;
      sample ??= why;
    }
    for (const url of this.followed.keys()) if (!listed.has(url)) this.followed.delete(url);
    return { alerts, sample };
  }
}

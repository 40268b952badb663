import type { Clock } from '../domain/clock.ts';
import type { Alert } from './alert.ts';
import { ActiveAlerts, SeenAlerts } from './alert-memory.ts';
import { SignLocation, type SignLocationInput } from './area-match.ts';
import { type CrisisDecision, decideCrisis } from './crisis-policy.ts';
import { type CrisisFeedConfig, feedUrls } from './feed-config.ts';
import type { FetchLike } from './feed-http.ts';
import { type FeedHealth, type FeedLog, FeedPoller, type Timers } from './feed-poller.ts';
import { capAdapter } from './feeds/cap-adapter.ts';
import { krisinformationAdapter } from './feeds/krisinformation-adapter.ts';
import { smhiAdapter } from './feeds/smhi-adapter.ts';
import { normaliseSrVma, srVmaAdapter } from './feeds/sr-vma-adapter.ts';
import { SseClient, type SseEvent } from './sse-client.ts';

export interface FeedMonitorOptions {
  config: CrisisFeedConfig;
  signs: readonly SignLocationInput[];
  clock: Clock;
  /** Every decision, including 'ignore' (for the audit log). Exceptions thrown here are logged, not propagated. */
  onDecision(decision: CrisisDecision): void;
  log: FeedLog;
  /**
   * Alert ids (and incident ids) of crises the crisis state holds, e.g. after a restart. Unioned with what this
   * monitor started itself, so an Update/Cancel resolves against both.
   */
  activeAlertIds?: () => Iterable<string>;
  /** `alertKey()`s already handled before a restart, so they are not decided again. */
  seenAlertKeys?: Iterable<string>;
  fetch?: FetchLike;
  timers?: Timers;
  random?: () => number;
}

/** Above this many ignored alerts in one payload, the log gets a summary line instead of one line each. */
const IGNORED_LINES_PER_PAYLOAD = 5;

const HEARTBEAT_EVENTS = new Set(['ping', 'heartbeat', 'keepalive', 'keep-alive']);

/**
 * Runs every configured crisis feed: pollers, the VMA push stream, dedupe, and the policy. Emits one
 * CrisisDecision per new alert. Feed failures only show in health(); they never produce an 'end'.
 */
export class FeedMonitor {
  private readonly config: CrisisFeedConfig;
  private readonly signs: SignLocation[];
  private readonly clock: Clock;
  private readonly log: FeedLog;
  private readonly seen: SeenAlerts;
  private readonly active = new ActiveAlerts();
  private readonly pollers: FeedPoller[] = [];
  private readonly vmaPollers: FeedPoller[] = [];
  private readonly push: SseClient | null = null;
  private started = false;

  constructor(private readonly options: FeedMonitorOptions) {
    this.config = options.config;
    this.signs = options.signs.map((s) => SignLocation.parse(s));
    this.clock = options.clock;
    this.log = options.log;
    this.seen = new SeenAlerts(undefined, options.seenAlertKeys);

    const urls = feedUrls(this.config, {
      municipalityCodes: [...new Set(this.signs.map((s) => s.municipalityCode))],
      countyCodes: [...new Set(this.signs.map((s) => s.countyCode))],
    });
    const common = {
      intervalMs: this.config.pollIntervalMs,
      clock: this.clock,
      timeoutMs: this.config.timeoutMs,
      backoff: this.config.backoff,
      maxRetryAfterMs: this.config.maxRetryAfterMs,
      fetch: options.fetch,
      timers: options.timers,
      random: options.random,
      log: this.log,
      onAlerts: (alerts: Alert[], feed: string) => this.handleAlerts(alerts, feed),
    };
    const language = { language: this.config.language };
    for (const { code, url } of urls.vmaAlerts) {
      const poller = new FeedPoller({ ...common, name: `sr-vma:${code}`, url, adapter: srVmaAdapter(language) });
      this.vmaPollers.push(poller);
      this.pollers.push(poller);
    }
    if (urls.krisinformation) {
      this.pollers.push(
        new FeedPoller({
          ...common,
          name: 'krisinformation',
          url: urls.krisinformation,
          adapter: krisinformationAdapter(),
        }),
      );
    }
    if (urls.smhi) {
      this.pollers.push(new FeedPoller({ ...common, name: 'smhi', url: urls.smhi, adapter: smhiAdapter() }));
    }
    urls.cap.forEach((url, i) => {
      this.pollers.push(new FeedPoller({ ...common, name: `cap:${i + 1}`, url, adapter: capAdapter(language) }));
    });
    if (urls.vmaSubscribe && this.vmaPollers.length > 0) {
      this.push = new SseClient({
        name: 'sr-vma:push',
        source: 'sr-vma',
        url: urls.vmaSubscribe,
        clock: this.clock,
        idleTimeoutMs: this.config.pushIdleTimeoutMs,
        connectTimeoutMs: this.config.timeoutMs,
        backoff: this.config.backoff,
        fetch: options.fetch,
        timers: options.timers,
        random: options.random,
        log: this.log,
        onEvent: (event) => this.handlePushEvent(event),
        onOpen: () => this.pushUp(),
        onDown: () => this.pushDown(),
      });
    }
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    for (const poller of this.pollers) poller.start();
    this.push?.start();
    this.log.info(
      { feeds: this.pollers.map((p) => p.name), push: this.push !== null, signs: this.signs.map((s) => s.id) },
      'crisis feeds started',
    );
  }

  /** Stops polling and the push stream; running crises are untouched. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    await Promise.all([...this.pollers.map((p) => p.stop()), this.push?.stop()]);
    this.log.info({}, 'crisis feeds stopped');
  }

  health(): FeedHealth[] {
    return [...this.pollers.map((p) => p.health()), ...(this.push ? [this.push.health()] : [])];
  }

  /** Polls every feed now (also usable before start(), e.g. from a test or a "check feeds" button). */
  async pollAll(): Promise<void> {
    await Promise.all(this.pollers.map((p) => p.pollNow()));
  }

  /** Decides alerts obtained elsewhere (e.g. a CAP document posted to the API), with the same dedupe and policy. */
  handleAlerts(alerts: readonly Alert[], feed: string): CrisisDecision[] {
    const decisions: CrisisDecision[] = [];
    const ignored: { fields: Record<string, unknown>; reason: string }[] = [];
    // Oldest first, so Alert -> Update -> Cancel in one payload apply in order.
    for (const incoming of [...alerts].sort((a, b) => a.sent - b.sent)) {
      const now = this.clock.now();
      const verdict = this.seen.check(incoming, now);
      if (verdict.kind === 'duplicate') continue;
      const active = this.active.ids(now);
      for (const id of this.options.activeAlertIds?.() ?? []) active.add(id);
      const decision = decideCrisis(verdict.alert, this.signs, now, this.config.policy, { activeAlertIds: active });
      this.seen.remember(incoming, decision.action, now);
      this.active.record(decision.action, verdict.alert);
      decisions.push(decision);
      const fields = {
        feed,
        action: decision.action,
        source: decision.alert.source,
        alertId: decision.alert.id,
        msgType: decision.alert.msgType,
        status: decision.alert.status,
        signIds: decision.signIds,
      };
      if (decision.action === 'ignore') ignored.push({ fields, reason: decision.reason });
      else this.log.warn(fields, `crisis alert -> ${decision.action}: ${decision.reason}`);
      try {
        this.options.onDecision(decision);
      } catch (error: unknown) {
        this.log.error({ ...fields, err: error }, 'crisis decision handler failed');
      }
    }
    this.logIgnored(ignored, feed);
    return decisions;
  }

  /**
   * One line per ignored alert, unless a payload brings many at once (an NWS index lists hundreds of US alerts,
   * all out of area): then one line with the count per reason and the first ids.
   */
  private logIgnored(ignored: { fields: Record<string, unknown>; reason: string }[], feed: string): void {
    if (ignored.length <= IGNORED_LINES_PER_PAYLOAD) {
      for (const { fields, reason } of ignored) this.log.info(fields, `crisis alert ignored: ${reason}`);
      return;
    }
    const byReason: Record<string, number> = {};
    for (const { reason } of ignored) {
      // "cap Actual Alert <id>: out of area (Montana)" -> "out of area"
      const kind = reason.slice(reason.indexOf(': ') + 2).replace(/\s*[(\d"].*$/, '') || 'other';
      byReason[kind] = (byReason[kind] ?? 0) + 1;
    }
    this.log.info(
      { feed, ignored: ignored.length, byReason, alertIds: ignored.slice(0, 10).map((i) => i.fields.alertId) },
      `crisis alerts ignored: ${ignored.length} (${Object.entries(byReason)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')})`,
    );
  }

  private handlePushEvent(event: SseEvent): void {
    if (HEARTBEAT_EVENTS.has(event.event.toLowerCase()) || event.data.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(event.data);
    } catch {
      value = undefined;
    }
    const parsed = value === undefined ? null : normaliseSrVma(value, { language: this.config.language });
    if (parsed?.ok && (parsed.alerts.length > 0 || parsed.issues.length === 0)) {
      if (parsed.alerts.length > 0) this.handleAlerts(parsed.alerts, 'sr-vma:push');
      return;
    }
    // A notification without a usable alert ("something changed"): fetch the alerts now.
    this.log.debug({ event: event.event, id: event.id }, 'crisis push: notification, polling VMA now');
    for (const poller of this.vmaPollers) void poller.pollNow();
  }

  private pushUp(): void {
    // Catch up on anything published while the stream was down, then poll only as a safety net.
    const safety = this.config.pushSafetyPollMs > 0 ? this.config.pushSafetyPollMs : Number.POSITIVE_INFINITY;
    for (const poller of this.vmaPollers) {
      poller.setIntervalMs(safety);
      void poller.pollNow();
    }
  }

  private pushDown(): void {
    for (const poller of this.vmaPollers) poller.setIntervalMs(this.config.pollIntervalMs);
  }
}

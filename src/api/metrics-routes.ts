import type { FastifyPluginAsync } from 'fastify';
import type { Registry } from 'prom-client';
import type { CrisisService } from '../crisis/crisis-service.ts';
import type { FeedMonitor } from '../crisis/feed-monitor.ts';
import type { RunningSign } from '../signs/running-sign.ts';
import type { Workflow } from '../workflow/workflow.ts';

/** What the metrics read of the running parts, at scrape time. */
export interface MetricsParts {
  readonly signs: ReadonlyMap<string, RunningSign>;
  readonly crisis: Pick<CrisisService, 'active' | 'takeoverLatencies'>;
  readonly feeds: Pick<FeedMonitor, 'health'>;
  readonly workflow: Pick<Workflow, 'items'>;
}

/** Takeover latency buckets (seconds): the target is both signs within a second. */
const TAKEOVER_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Prometheus metrics at /metrics, named skylt_*. Values are read from the running parts at scrape
 * time (collect callbacks), so nothing on the sign path pays for them.
 */
export function metricsRoutes(
  runtime: MetricsParts,
  extra: Array<(registry: Registry) => void> = [],
): FastifyPluginAsync {
  // prom-client is loaded at the first scrape, not at start-up (the process metrics count from then; CPU and memory
  // are the process's own totals anyway).
  let registry: Promise<Registry> | null = null;
  return async (app) => {
    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      registry ??= createRegistry(runtime, extra);
      const ready = await registry;
      reply.type(ready.contentType);
      return ready.metrics();
    });
  };
}

async function createRegistry(runtime: MetricsParts, extra: Array<(registry: Registry) => void>): Promise<Registry> {
  const { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } = await import('prom-client');
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'skylt_process_' });
  const perSign = (name: string, help: string, pick: (s: RunningSign) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['sign'],
      registers: [registry],
      collect() {
        this.reset();
        for (const s of runtime.signs.values()) this.inc({ sign: s.config.id }, pick(s));
      },
    });
  perSign(
    'skylt_frames_sent_total',
    'Bridge frames sent to the sign, retransmissions included',
    (s) => s.controller.session.stats.framesSent,
  );
  perSign('skylt_bytes_sent_total', 'Bytes on the wire to the sign', (s) => s.controller.session.stats.bytesSent);
  perSign(
    'skylt_bytes_received_total',
    'Bytes on the wire from the sign',
    (s) => s.controller.session.stats.bytesReceived,
  );
  perSign(
    'skylt_retransmits_total',
    'Bridge frames sent again (NAK or timeout)',
    (s) => s.controller.session.stats.retransmits,
  );
  perSign(
    'skylt_link_errors_total',
    'NAKs received plus retransmission timeouts',
    (s) => s.controller.session.stats.naksReceived + s.controller.session.stats.timeouts,
  );
  perSign(
    'skylt_link_reconnects_total',
    'Times the link to the sign was re-opened',
    (s) => s.controller.session.stats.reconnects,
  );
  new Gauge({
    name: 'skylt_link_up',
    help: '1 when the bridge session to the sign is up',
    labelNames: ['sign'],
    registers: [registry],
    collect() {
      for (const s of runtime.signs.values()) this.set({ sign: s.config.id }, s.controller.linkUp ? 1 : 0);
    },
  });
  new Gauge({
    name: 'skylt_crisis_active',
    help: '1 while a crisis message is running',
    registers: [registry],
    collect() {
      this.set(runtime.crisis.active() ? 1 : 0);
    },
  });
  let observed = 0;
  new Histogram({
    name: 'skylt_crisis_takeover_seconds',
    help: 'Crisis activation to every target sign confirmed (ACK + STATUS read-back)',
    buckets: TAKEOVER_BUCKETS,
    registers: [registry],
    collect() {
      const all = runtime.crisis.takeoverLatencies();
      for (; observed < all.length; observed++) this.observe((all[observed] as number) / 1000);
    },
  });
  new Gauge({
    name: 'skylt_pending_items',
    help: "Items waiting for a communicator's review",
    registers: [registry],
    collect() {
      this.set(runtime.workflow.items.repo.list({ scope: 'all' }, { state: 'pending' }, 1, 0).total);
    },
  });
  new Gauge({
    name: 'skylt_feed_consecutive_failures',
    help: 'Failed polls in a row per crisis feed (0 when its last poll succeeded)',
    labelNames: ['feed'],
    registers: [registry],
    collect() {
      this.reset();
      for (const f of runtime.feeds.health()) this.set({ feed: f.name }, f.consecutiveFailures);
    },
  });
  new Gauge({
    name: 'skylt_feed_last_ok_timestamp_seconds',
    help: 'When each crisis feed last answered well (epoch seconds; absent until it has)',
    labelNames: ['feed'],
    registers: [registry],
    collect() {
      this.reset();
      for (const f of runtime.feeds.health()) if (f.lastOk !== null) this.set({ feed: f.name }, f.lastOk / 1000);
    },
  });
  for (const add of extra) add(registry);
  return registry;
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { FeedMonitor } from '../crisis/feed-monitor.ts';
import type { Clock } from '../domain/clock.ts';
import type { Scheduling } from '../schedule/scheduling.ts';
import type { RunningSign } from '../signs/running-sign.ts';
import type { StoreHealth } from '../store/store-health.ts';
import { redactedFor, seesAddresses } from './link-redaction.ts';

export const SignHealth = z.object({
  id: z.string(),
  name: z.string(),
  link: z.object({
    address: z.string().nullable().describe('where the sign is reached; null unless signed in'),
    up: z.boolean(),
    lastError: z.string().nullable().describe('without addresses unless signed in'),
  }),
  showing: z
    .object({
      priority: z.enum(['crisis', 'override', 'scheduled', 'fallback', 'default']),
      itemId: z.string().nullable(),
      slot: z.int(),
      crc32: z.int(),
      since: z.string(),
    })
    .nullable()
    .describe('what the sign confirmed it shows (ACK); null when it shows its own default slot or is blank'),
  cannotAir: z
    .array(
      z.object({
        itemId: z.string(),
        title: z.string().describe("the item's title, lines or caption"),
        layer: z.enum(['scheduled', 'fallback']).describe('of the published playlist, or of the fallback loop'),
        code: z.enum(['picture-preparing', 'picture-unreadable', 'cannot-render']),
        reason: z.string(),
        since: z.string(),
      }),
    )
    .describe(
      'items this sign passes over (published ones and fallback pages), and why: a picture being prepared (tried again at the next tick), a picture that cannot be read, a page that cannot be drawn',
    ),
});

const FeedHealthView = z.object({
  name: z.string(),
  source: z.string(),
  kind: z.string(),
  url: z.string().nullable().describe('null unless signed in'),
  lastOk: z.number().nullable(),
  lastError: z
    .object({ at: z.number(), kind: z.string(), message: z.string(), status: z.number().nullable().optional() })
    .nullable(),
  consecutiveFailures: z.int(),
  nextPollAt: z.number().nullable(),
  status: z
    .enum(['ok', 'degraded'])
    .describe('degraded: the last attempt failed, or the feed answers but none of its entries gives a usable alert'),
  problem: z.string().nullable().describe('why it is degraded (without addresses unless signed in)'),
  lastPoll: z
    .object({
      items: z.int(),
      alerts: z.int(),
      linksKnown: z.int(),
      skipped: z.int(),
      linksNotCap: z.int(),
      linksFailed: z.int(),
      linksWaiting: z.int(),
    })
    .nullable()
    .describe('what the last good payload held: entries, alerts made, entries and linked documents that gave none'),
});

export const Health = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptimeSeconds: z.number(),
  now: z.string(),
  signs: z.array(SignHealth),
  feeds: z
    .array(FeedHealthView)
    .describe('crisis feeds: last success, last error, back-off; a degraded polled feed makes `status` degraded'),
  clock: z
    .object({ ok: z.boolean(), problem: z.string().nullable(), notBefore: z.string(), notAfter: z.string() })
    .describe('is the system clock believable (not before this build)? When not, nothing is scheduled by time'),
  store: z
    .object({ ok: z.boolean(), problem: z.string().nullable(), since: z.string().nullable() })
    .describe(
      'can the database be written? Not when the disk is full or read-only: changes then answer 503, the signs keep playing',
    ),
});

const Ready = z.object({ ready: z.boolean(), problems: z.array(z.string()) });

/** What health and readiness read of the running parts (the runtime has them; these routes see no more). */
export interface HealthParts {
  readonly clock: Clock;
  readonly startedAt: number;
  readonly signs: ReadonlyMap<string, RunningSign>;
  readonly scheduling: Pick<Scheduling, 'signs' | 'clockStatus'>;
  readonly feeds: Pick<FeedMonitor, 'health'>;
  readonly storeHealth: Pick<StoreHealth, 'status'>;
}

export function healthRoutes(runtime: HealthParts, version: string): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/health',
      {
        schema: {
          tags: ['health'],
          summary: 'Is Skylt up, and what does each sign show',
          response: { 200: Health },
        },
      },
      async (request) => {
        const staff = seesAddresses(request);
        const signs = [...runtime.signs.values()].map((s) => ({
          id: s.config.id,
          name: s.config.name,
          link: {
            address: staff ? s.controller.session.address : null,
            up: s.controller.linkUp,
            lastError: redactedFor(
              request,
              s.controller.lastError ??
                s.controller.linkDownReason ??
                runtime.scheduling.signs.get(s.config.id)?.lastError ??
                null,
            ),
          },
          showing: s.controller.showing(),
          cannotAir: (runtime.scheduling.signs.get(s.config.id)?.cannotAir() ?? []).map((c) => ({
            ...c,
            code: c.code as 'picture-preparing' | 'picture-unreadable' | 'cannot-render',
            since: new Date(c.since).toISOString(),
          })),
        }));
        const clock = runtime.scheduling.clockStatus();
        const store = runtime.storeHealth.status();
        const feeds = runtime.feeds.health().map((f) => {
          const problem = f.problem ?? (f.consecutiveFailures > 0 ? (f.lastError?.message ?? 'failing') : null);
          return {
            ...f,
            url: staff ? f.url : null,
            lastError: f.lastError ? { ...f.lastError, message: redactedFor(request, f.lastError.message) } : null,
            status: problem === null ? ('ok' as const) : ('degraded' as const),
            problem: problem === null ? null : redactedFor(request, problem),
            lastPoll: f.lastPoll ?? null,
          };
        });
        // The VMA push stream is not counted: polling stands in for it while it is down.
        const feedsOk = feeds.every((f) => f.kind === 'push' || f.status === 'ok');
        const healthy = signs.every((s) => s.link.up) && clock.ok && store.ok && feedsOk;
        return {
          status: healthy ? ('ok' as const) : ('degraded' as const),
          version,
          uptimeSeconds: Math.round((runtime.clock.now() - runtime.startedAt) / 1000),
          now: new Date(runtime.clock.now()).toISOString(),
          signs,
          feeds,
          clock,
          store,
        };
      },
    );

    app.get(
      '/api/ready',
      {
        schema: {
          tags: ['health'],
          summary:
            'Readiness: 200 when every sign link is up and the database can be written, else 503 with what is not',
          response: { 200: Ready, 503: Ready },
        },
      },
      async (_request, reply) => {
        const notReady = [...runtime.signs.values()]
          .filter((s) => !s.controller.linkUp)
          // Public (container health checks): the sign's name, not where its link goes.
          .map((s) => `sign ${s.config.id}: its link is down`);
        const store = runtime.storeHealth.status();
        if (store.problem) notReady.push(`store: ${store.problem}`);
        return reply.code(notReady.length ? 503 : 200).send({ ready: notReady.length === 0, problems: notReady });
      },
    );
  };
}

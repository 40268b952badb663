import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { CrisisService } from '../crisis/crisis-service.ts';
import { CRISIS_TEMPLATES } from '../crisis/crisis-templates.ts';
import { framePng } from '../render/frame-png.ts';
import type { CrisisRecord } from '../store/crisis-repository.ts';

const Confirmation = z.object({
  genericMs: z
    .number()
    .nullable()
    .describe('generic crisis frame confirmed (ACK + STATUS read-back), ms after activation'),
  specificMs: z.number().nullable().describe('the specific text confirmed, ms after activation'),
  slot: z.int().nullable(),
  crc32: z.int().nullable(),
  confirmedAt: z.string().nullable(),
  error: z.string().nullable(),
});

export const CrisisView = z.object({
  id: z.string(),
  source: z.string(),
  alertId: z.string().nullable(),
  state: z.enum(['proposed', 'active', 'ended', 'dismissed']),
  headline: z.string(),
  instruction: z.string(),
  signIds: z.array(z.string()),
  createdAt: z.string(),
  createdBy: z.string(),
  activatedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  endedReason: z.string().nullable(),
  takeoverMs: z.number().nullable().describe('activation to every target sign confirmed, ms'),
  confirmations: z.record(z.string(), Confirmation),
  reason: z.string().nullable(),
});

const CrisisState = z.object({
  active: z.boolean(),
  crisis: CrisisView.nullable(),
  proposals: z.array(CrisisView),
});

const Text = z.object({
  headline: z.string().trim().min(1).max(80),
  instruction: z.string().trim().min(1).max(120),
});

const StartCrisis = z
  .object({
    template: z.enum(CRISIS_TEMPLATES.map((t) => t.id) as [string, ...string[]]).optional(),
    headline: z.string().trim().min(1).max(80).optional(),
    instruction: z.string().trim().min(1).max(120).optional(),
    signs: z.array(z.string()).min(1).optional().describe('target sign ids; both signs when absent'),
    expiresAt: z.iso.datetime({ offset: true }).optional(),
    durationMinutes: z
      .int()
      .min(1)
      .max(7 * 24 * 60)
      .optional(),
  })
  .refine((b) => b.template || (b.headline && b.instruction), {
    message: 'give a template, or both headline and instruction',
  })
  .refine((b) => !(b.expiresAt && b.durationMinutes), { message: 'give expiresAt or durationMinutes, not both' });

const IdParams = z.object({ id: z.string() });

/** Who did it: the authenticated user when auth is on, for the audit log. */
function actorOf(request: unknown): string {
  const user = (request as { user?: { username?: string } }).user;
  return user?.username ?? 'api';
}

export function crisisRoutes(crisis: CrisisService, now: () => number): FastifyPluginAsyncZod {
  const view = (c: CrisisRecord) => c;
  return async (app) => {
    app.get(
      '/api/crisis',
      {
        schema: {
          tags: ['crisis'],
          summary: 'The current crisis state, per-sign confirmation, and proposals from the feeds',
          response: { 200: CrisisState },
        },
      },
      async () => {
        const active = crisis.active();
        return {
          active: active !== null,
          crisis: active ? view(active) : null,
          proposals: crisis.proposals().map(view),
        };
      },
    );

    app.get(
      '/api/crisis/templates',
      {
        schema: {
          tags: ['crisis'],
          summary: 'Ready-made crisis messages',
          response: {
            200: z.array(
              z.object({ id: z.string(), label: z.string(), headline: z.string(), instruction: z.string() }),
            ),
          },
        },
      },
      async () => CRISIS_TEMPLATES.map((t) => ({ ...t })),
    );

    app.post(
      '/api/crisis',
      {
        schema: {
          tags: ['crisis'],
          summary: 'Start a crisis message on both signs (or the ones named) at once',
          body: StartCrisis,
          response: { 201: CrisisView },
        },
      },
      async (request, reply) => {
        const b = request.body;
        const template = CRISIS_TEMPLATES.find((t) => t.id === b.template);
        const expiresAt =
          b.expiresAt ?? (b.durationMinutes ? new Date(now() + b.durationMinutes * 60_000).toISOString() : null);
        const started = await crisis.activate({
          source: 'manual',
          headline: b.headline ?? template?.headline ?? '',
          instruction: b.instruction ?? template?.instruction ?? '',
          signIds: b.signs ?? null,
          expiresAt,
          actor: actorOf(request),
        });
        return reply.code(201).send(view(started));
      },
    );

    app.post(
      '/api/crisis/preview.png',
      {
        schema: {
          tags: ['crisis'],
          summary: 'The exact crisis page for one sign, before it is started (PNG from the framebuffer bytes)',
          querystring: z.object({ sign: z.string().describe('sign id, e.g. E20-N') }),
          body: Text,
        },
      },
      async (request, reply) => {
        const frame = await crisis.previewFrame(request.query.sign, request.body);
        reply.header('Cache-Control', 'no-store').type('image/png');
        return framePng(frame);
      },
    );

    app.get(
      '/api/crisis/:id',
      { schema: { tags: ['crisis'], summary: 'One crisis message', params: IdParams, response: { 200: CrisisView } } },
      async (request) => view(crisis.get(request.params.id)),
    );

    app.put(
      '/api/crisis/:id/text',
      {
        schema: {
          tags: ['crisis'],
          summary: 'Replace the running text',
          params: IdParams,
          body: Text,
          response: { 200: CrisisView },
        },
      },
      async (request) => crisis.update(request.params.id, request.body, actorOf(request)),
    );

    app.post(
      '/api/crisis/:id/end',
      {
        schema: {
          tags: ['crisis'],
          summary: 'All-clear: end the crisis; the signs return to the schedule',
          params: IdParams,
          body: z.object({ reason: z.string().trim().min(1).max(200).optional() }).nullish(),
          response: { 200: CrisisView },
        },
      },
      async (request) => crisis.end(request.params.id, actorOf(request), request.body?.reason ?? 'all-clear'),
    );

    app.post(
      '/api/crisis/:id/approve',
      {
        schema: {
          tags: ['crisis'],
          summary: "Approve a feed's proposal: it takes over at once",
          params: IdParams,
          response: { 200: CrisisView },
        },
      },
      async (request) => crisis.approve(request.params.id, actorOf(request)),
    );

    app.post(
      '/api/crisis/:id/dismiss',
      {
        schema: {
          tags: ['crisis'],
          summary: "Dismiss a feed's proposal",
          params: IdParams,
          response: { 200: CrisisView },
        },
      },
      async (request) => crisis.dismiss(request.params.id, actorOf(request)),
    );
  };
}

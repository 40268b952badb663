import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { hasLintErrors, lintItem } from '../domain/content-lint.ts';
import { ItemContent, Organisation } from '../domain/item-content.ts';
import { PlaylistItem } from '../domain/playlist.ts';
import type { Runtime } from '../runtime.ts';
import { MAX_OVERRIDE_MINUTES, type Override, overrideEndedAt } from '../schedule/override.ts';
import { OverrideConflictError } from '../schedule/override-book.ts';
import { HttpError } from './error-handler.ts';

export const OverrideView = z.object({
  id: z.string(),
  signs: z.array(z.string()),
  itemId: z.string(),
  organisation: Organisation,
  page: z.unknown().describe('the page shown, as a playlist item'),
  startsAt: z.string(),
  endsAt: z.string(),
  endedAt: z.string().nullable().describe('when it ended or will end: early (cancelled) or at endsAt'),
  state: z.enum(['scheduled', 'active', 'ended']),
  reason: z.string().nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  cancelledAt: z.string().nullable(),
  cancelledBy: z.string().nullable(),
});

const NewOverride = z
  .object({
    signs: z.array(z.string()).min(1).optional().describe('target sign ids; every sign when absent'),
    itemId: PlaylistItem.shape.id.optional().describe('show this item of the live playlist (or of the fallback loop)'),
    page: z
      .object({
        content: ItemContent,
        infoLink: PlaylistItem.shape.infoLink,
        showLink: z.boolean().default(false),
      })
      .strict()
      .optional()
      .describe('or show this page, checked by the same road-safety lint as any item'),
    minutes: z.int().min(1).max(MAX_OVERRIDE_MINUTES).optional().describe('how long, from now'),
    until: z.iso.datetime({ offset: true }).optional().describe('or until when (ISO 8601 with offset)'),
    reason: z.string().trim().min(1).max(200).optional(),
  })
  .strict()
  .refine((b) => (b.itemId === undefined) !== (b.page === undefined), { message: 'give itemId or page, exactly one' })
  .refine((b) => (b.minutes === undefined) !== (b.until === undefined), {
    message: 'give minutes or until, exactly one',
  });

const SignScheduleView = z.object({
  id: z.string(),
  layer: z.enum(['crisis', 'override', 'scheduled', 'fallback', 'default']).nullable(),
  itemId: z.string().nullable(),
  organisation: Organisation.nullable(),
  until: z.string().nullable().describe('the earliest the page changes (null: until something else happens)'),
  brightness: z
    .object({ percent: z.int(), source: z.enum(['sun', 'photocell']), at: z.string() })
    .nullable()
    .describe('the last brightness step'),
  cannotAir: z
    .array(z.object({ itemId: z.string(), code: z.string(), reason: z.string(), since: z.string() }))
    .describe('published items this sign passes over, and why (as in /api/health)'),
});

const ScheduleView = z.object({
  now: z.string(),
  clock: z.object({ ok: z.boolean(), problem: z.string().nullable(), notBefore: z.string(), notAfter: z.string() }),
  revision: z.string().describe('the live schedule revision ("none" before the first publish)'),
  shares: z.record(z.string(), z.number()),
  signs: z.array(SignScheduleView),
  overrides: z.array(OverrideView),
  jobs: z.record(z.string(), z.string()).describe('when each timed job runs next'),
  lastUpkeep: z.unknown().nullable(),
});

const iso = (ms: number) => new Date(ms).toISOString();

function view(o: Override, now: number) {
  const endedAt = overrideEndedAt(o);
  return {
    id: o.id,
    signs: [...o.signs],
    itemId: o.page.id,
    organisation: o.page.organisation,
    page: o.page,
    startsAt: iso(o.startsAt),
    endsAt: iso(o.endsAt),
    endedAt: iso(endedAt),
    state: endedAt <= now ? ('ended' as const) : o.startsAt > now ? ('scheduled' as const) : ('active' as const),
    reason: o.reason,
    createdBy: o.createdBy,
    createdAt: iso(o.createdAt),
    cancelledAt: o.cancelledAt === null ? null : iso(o.cancelledAt),
    cancelledBy: o.cancelledBy,
  };
}

/** Who asked, for the audit log: the signed-in user or token when auth is on. */
function actorOf(request: unknown): { name: string; organisation: Organisation } {
  const user = (request as { user?: { username?: string; organisation?: Organisation } | null }).user;
  return { name: user?.username ?? 'api', organisation: user?.organisation ?? 'kommun' };
}

/**
 * GET /api/schedule (what each sign shows and until when), and overrides: POST /api/overrides
 * ("show now" for a limited time), GET /api/overrides, DELETE /api/overrides/{id}. Who may call
 * them is decided by src/auth/access-policy.ts (overrides: communicators and admins).
 */
export function scheduleRoutes(runtime: Runtime): FastifyPluginAsyncZod {
  const scheduling = runtime.scheduling;
  const now = () => runtime.clock.now();
  return async (app) => {
    app.get(
      '/api/schedule',
      {
        schema: {
          tags: ['schedule'],
          summary: 'What each sign shows, from which layer, and until when',
          response: { 200: ScheduleView },
        },
      },
      async () => {
        const t = now();
        const schedule = scheduling.schedule();
        return {
          now: iso(t),
          clock: scheduling.clockStatus(t),
          revision: schedule.revision,
          shares: { ...schedule.settings.shares },
          signs: [...scheduling.signs.entries()].map(([id, s]) => {
            const n = s.now();
            const b = scheduling.brightness.get(id);
            return {
              id,
              layer: n.layer,
              itemId: n.itemId,
              organisation: n.organisation,
              until: n.until === null ? null : iso(n.until),
              brightness: b ? { percent: b.percent, source: b.source, at: b.at } : null,
              cannotAir: s.cannotAir().map((c) => ({ ...c, since: iso(c.since) })),
            };
          }),
          overrides: scheduling.overrides.notEnded(t).map((o) => view(o, t)),
          jobs: scheduling.jobs.planned(),
          lastUpkeep: scheduling.lastUpkeep,
        };
      },
    );

    app.get(
      '/api/overrides',
      {
        schema: {
          tags: ['schedule'],
          summary: 'Overrides running, to come, and of the last 7 days',
          response: { 200: z.object({ overrides: z.array(OverrideView) }) },
        },
      },
      async () => {
        const t = now();
        return {
          overrides: scheduling.overrides.repo.between(t - 7 * 86_400_000, t + 366 * 86_400_000).map((o) => view(o, t)),
        };
      },
    );

    app.post(
      '/api/overrides',
      {
        schema: {
          tags: ['schedule'],
          summary: 'Show a page now on some signs, for a limited time, above the rotation (communicators)',
          description:
            'The page goes up as soon as the page on the sign has had its 10 s road-safety minimum; when the override ends (or is deleted) the signs go back to the rotation where it stood. Only a crisis outranks it.',
          body: NewOverride,
          response: { 201: OverrideView },
        },
      },
      async (request, reply) => {
        const t = now();
        const clock = scheduling.clockStatus(t);
        if (!clock.ok)
          throw new HttpError(503, `an override is time-limited and the clock is not believable: ${clock.problem}`);
        const body = request.body;
        const actor = actorOf(request);
        const allSigns = [...runtime.signs.keys()];
        const signs = body.signs ?? allSigns;
        const unknown = signs.filter((s) => !runtime.signs.has(s));
        if (unknown.length > 0)
          throw new HttpError(404, `no sign ${unknown.join(', ')}; signs are ${allSigns.join(', ')}`);

        let page: PlaylistItem;
        if (body.itemId !== undefined) {
          const found =
            runtime.publishedPlaylist()?.items.find((i) => i.id === body.itemId) ??
            runtime.playlistFile.items.find((i) => i.id === body.itemId);
          if (!found) throw new HttpError(404, `no item "${body.itemId}" in the live playlist or the fallback loop`);
          page = found;
        } else {
          const p = body.page as NonNullable<typeof body.page>;
          page = {
            id: `override-${randomUUID().slice(0, 8)}`,
            organisation: actor.organisation,
            content: p.content,
            dwellSeconds: 10,
            infoLink: p.infoLink,
            showLink: p.showLink,
          };
          const findings = lintItem(p.content, { infoLink: p.infoLink, showInfoLink: p.showLink, dwellSeconds: 10 });
          if (hasLintErrors(findings)) {
            throw new HttpError(
              422,
              `the page breaks the road-safety rules: ${findings
                .filter((f) => f.severity === 'error')
                .map((f) => f.message)
                .join('; ')}`,
              findings
                .filter((f) => f.severity === 'error')
                .map((f) => ({ field: `page.${f.field ?? 'content'}`, message: f.message })),
            );
          }
        }
        for (const signId of signs) {
          try {
            scheduling.renderFor(page, signId);
          } catch (error: unknown) {
            throw new HttpError(
              422,
              `the page cannot be drawn on ${signId}: ${error instanceof Error ? error.message : String(error)}`,
            );
          }
        }
        const endsAt = body.minutes !== undefined ? t + body.minutes * 60_000 : Date.parse(body.until as string);
        if (endsAt <= t)
          throw new HttpError(400, 'until must be in the future', [{ field: 'until', message: 'in the past' }]);
        if (endsAt - t > MAX_OVERRIDE_MINUTES * 60_000) {
          throw new HttpError(
            400,
            `an override lasts at most ${MAX_OVERRIDE_MINUTES / 60} hours; longer content belongs in the playlist`,
            [{ field: 'until', message: 'too far ahead' }],
          );
        }
        const o = scheduling.overrides.create(
          { signs, page, startsAt: t, endsAt, reason: body.reason ?? null },
          actor.name,
        );
        request.log.info(
          { override: o.id, signs, itemId: page.id, until: iso(endsAt), by: actor.name },
          'override started',
        );
        return reply.code(201).send(view(o, t));
      },
    );

    app.delete(
      '/api/overrides/:id',
      {
        schema: {
          tags: ['schedule'],
          summary: 'End an override now (the page still gets its 10 s minimum)',
          params: z.object({ id: z.string() }),
          response: { 200: OverrideView },
        },
      },
      async (request) => {
        const t = now();
        try {
          const o = scheduling.overrides.cancel(request.params.id, actorOf(request).name);
          return view(o, t);
        } catch (error: unknown) {
          if (error instanceof OverrideConflictError) throw new HttpError(409, error.message);
          if (error instanceof RangeError) throw new HttpError(404, error.message);
          throw error;
        }
      },
    );
  };
}

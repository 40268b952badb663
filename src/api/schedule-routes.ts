import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../domain/clock.ts';
import { hasLintErrors, lintItem } from '../domain/content-lint.ts';
import { contentTitle, ItemContent, Organisation } from '../domain/item-content.ts';
import type { SubmittableContent } from '../domain/item-input.ts';
import { MAX_OVERRIDE_MINUTES, type Override, overrideEndedAt } from '../domain/override.ts';
import type { PlaylistFile } from '../domain/playlist.ts';
import { PlaylistItem } from '../domain/playlist.ts';
import { CANNOT_AIR_CODES } from '../schedule/pages-not-airing.ts';
import type { Scheduling } from '../schedule/scheduling.ts';
import { rotationTimeline } from '../schedule/timeline.ts';
import type { RunningSign } from '../signs/running-sign.ts';
import type { LivePlaylist } from '../workflow/playlist-service.ts';
import { titleOf } from '../workflow/playlist-service.ts';
import { HttpError } from './error-handler.ts';
import { ApiErrorBody } from './workflow-schemas.ts';

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

/** An item a sign passes over, and why (GET /api/health, GET /api/schedule, the timeline). */
export const CannotAirView = z.object({
  itemId: z.string(),
  title: z.string().describe("the item's title, lines or caption"),
  layer: z
    .enum(['scheduled', 'fallback'])
    .describe('an item of the published playlist, or a page of the fallback loop (playlists/default.json)'),
  code: z
    .enum(CANNOT_AIR_CODES)
    .describe(
      'picture-preparing: its picture is being decoded (the turn waits up to 30 s, then it is tried again a minute later); picture-unreadable: its picture cannot be read (upload it again); cannot-render: the page cannot be drawn',
    ),
  reason: z.string().describe("the renderer's reason, in English"),
  since: z.string(),
});

const SignScheduleView = z.object({
  id: z.string(),
  layer: z.enum(['crisis', 'override', 'scheduled', 'fallback', 'default']).nullable(),
  itemId: z.string().nullable(),
  title: z
    .string()
    .nullable()
    .describe("what the page is called (its title, lines or caption); null for a crisis page or the sign's own"),
  organisation: Organisation.nullable(),
  until: z.string().nullable().describe('the earliest the page changes (null: until something else happens)'),
  brightness: z
    .object({ percent: z.int(), source: z.enum(['sun', 'photocell']), at: z.string() })
    .nullable()
    .describe('the last brightness step'),
  cannotAir: z
    .array(CannotAirView)
    .describe('items this sign passes over, and why (as in /api/health): published ones and fallback pages'),
});

const ScheduleView = z.object({
  now: z.string(),
  clock: z.object({ ok: z.boolean(), problem: z.string().nullable(), notBefore: z.string(), notAfter: z.string() }),
  revision: z.string().describe('the live schedule revision ("none" before the first publish)'),
  shares: z.record(z.string(), z.number()),
  signs: z.array(SignScheduleView),
  overrides: z.array(OverrideView),
  jobs: z.record(z.string(), z.string()).describe('when each timed job runs next'),
  lastUpkeep: z
    .unknown()
    .nullable()
    .meta({ type: 'object' })
    .describe('the last nightly upkeep: when, what it checked, the backup it made; null before the first'),
});

const iso = (ms: number) => new Date(ms).toISOString();

const TimelineQuery = z.object({
  sign: z.string().min(1).max(40).optional().describe('one sign id; every sign when absent'),
  from: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('start of the period (ISO 8601 with offset), from now up to 7 days ahead; now when absent'),
  hours: z.coerce
    .number()
    .int()
    .min(1)
    .max(168)
    .default(24)
    .describe('length of the period: 24 for a day, 168 for a week'),
  bucketMinutes: z.coerce
    .number()
    .int()
    .min(5)
    .max(1440)
    .optional()
    .describe('airtime is summed per bucket of this many minutes (default 60 up to 48 hours, else 360)'),
});

const TimelineSignView = z.object({
  id: z.string(),
  name: z.string(),
  pages: z
    .array(z.object({ itemId: z.string(), start: z.string(), end: z.string() }))
    .describe('the first pages of the period, in order (at most 40); the first may already be on the sign'),
  items: z
    .array(
      z.object({
        itemId: z.string(),
        nextAt: z.string().nullable().describe('when it next comes up on this sign in the period; null: not in it'),
        plays: z
          .int()
          .describe('times it goes up in the period, as proof of play counts them (a page that stays up is one)'),
        airtimeSeconds: z.number(),
        whyNot: z
          .enum(['cannot-air', 'ended', 'opens-later', 'not-in-period'])
          .nullable()
          .describe(
            'when nextAt is null: it cannot be drawn (see cannotAir), its window ended, opens after the period, or its days/times fall outside it',
          ),
        opensAt: z.string().nullable().describe('the start of its window, when that is after the period'),
      }),
    )
    .describe('every published item targeting this sign'),
  buckets: z.array(
    z.object({
      from: z.string(),
      until: z.string(),
      items: z.array(z.object({ itemId: z.string(), seconds: z.number() })),
      idleSeconds: z.number().describe('nothing scheduled: the fallback loop plays'),
      overrideSeconds: z.number().describe('a "show now" override has the sign'),
    }),
  ),
  cannotAir: z.array(CannotAirView).describe('published items this sign passes over, and why'),
});

const TimelineView = z.object({
  revision: z.string(),
  now: z.string(),
  from: z.string(),
  until: z.string(),
  bucketMinutes: z.int(),
  items: z
    .array(z.object({ id: z.string(), title: z.string(), kind: z.string(), organisation: Organisation }))
    .describe('the published items, with what people call them'),
  signs: z.array(TimelineSignView),
});

type TimelineAnswer = z.infer<typeof TimelineView>;
const TIMELINE_CACHE_MS = 30_000;

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
/** What the schedule routes read and change: the scheduling, the signs, the live playlist and the fallback loop. */
export interface ScheduleParts {
  readonly clock: Clock;
  readonly scheduling: Scheduling;
  readonly signs: ReadonlyMap<string, RunningSign>;
  readonly playlistFile: PlaylistFile;
  publishedPlaylist(): LivePlaylist | null;
}

export function scheduleRoutes(runtime: ScheduleParts): FastifyPluginAsyncZod {
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
            // The page's name, so a reader never sees an id where a title exists (a fallback page has a slug id).
            const page =
              n.layer === 'scheduled'
                ? runtime.publishedPlaylist()?.items.find((i) => i.id === n.itemId)
                : n.layer === 'fallback'
                  ? runtime.playlistFile.items.find((i) => i.id === n.itemId)
                  : n.layer === 'override'
                    ? scheduling.overrides.notEnded(t).find((o) => o.id === n.overrideId)?.page
                    : undefined;
            return {
              id,
              layer: n.layer,
              itemId: n.itemId,
              title: page ? contentTitle(page.content) : null,
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

    /** A week of a sign's rotation costs a fraction of a second: answers are kept briefly per revision and minute. */
    const timelines = new Map<string, { at: number; answer: TimelineAnswer['signs'][number] }>();

    app.get(
      '/api/schedule/timeline',
      {
        schema: {
          tags: ['schedule'],
          summary: "When each published item airs next: a day's or a week's timeline of each sign's loop",
          description:
            'Computed by running the rotation engine forward from where each sign stands (shares, windows, days, times of day, dwell, overrides running or booked). A crisis, or an override started later, changes it.',
          querystring: TimelineQuery,
          response: { 200: TimelineView, 400: ApiErrorBody, 401: ApiErrorBody, 404: ApiErrorBody, 503: ApiErrorBody },
        },
      },
      async (request) => {
        const t = now();
        const q = request.query;
        const from = q.from ? Date.parse(q.from) : t;
        if (from < t - 60_000)
          throw new HttpError(
            400,
            'the timeline looks ahead: from must not be in the past (what has aired is in GET /api/reports/airtime)',
            [{ field: 'from', message: 'in the past' }],
          );
        if (from > t + 7 * 86_400_000)
          throw new HttpError(400, 'from may be at most 7 days ahead', [{ field: 'from', message: 'too far ahead' }]);
        const clock = scheduling.clockStatus(t);
        if (!clock.ok)
          throw new HttpError(503, `nothing is scheduled by time while the clock is wrong: ${clock.problem}`);
        const signIds = q.sign ? [q.sign] : [...scheduling.signs.keys()];
        const unknown = signIds.filter((id) => !scheduling.signs.has(id));
        if (unknown.length)
          throw new HttpError(
            404,
            `no sign ${unknown.join(', ')}; signs are ${[...scheduling.signs.keys()].join(', ')}`,
          );
        const until = from + q.hours * 3_600_000;
        const bucketMinutes = q.bucketMinutes ?? (q.hours <= 48 ? 60 : 360);
        const schedule = scheduling.schedule();
        const live = runtime.publishedPlaylist();
        const overrides = scheduling.overrides.notEnded(t);
        const signs = signIds.map((id) => {
          const key = [
            schedule.revision,
            id,
            Math.floor(from / 60_000),
            q.hours,
            bucketMinutes,
            overrides.map((o) => o.id),
          ].join('|');
          const hit = timelines.get(key);
          if (hit && t - hit.at < TIMELINE_CACHE_MS) return hit.answer;
          const sign = scheduling.signs.get(id) as NonNullable<ReturnType<typeof scheduling.signs.get>>;
          const cannotAir = sign.cannotAir().filter((c) => c.layer === 'scheduled');
          const exclude = new Set(cannotAir.filter((c) => c.code !== 'picture-preparing').map((c) => c.itemId));
          const blocked = overrides
            .filter((o) => o.signs.includes(id))
            .map((o) => ({ from: o.startsAt, until: overrideEndedAt(o) }));
          // From where the sign's rotation stands now; a later start is reached by running the engine up to it.
          let history = sign.rotation;
          if (from > t) {
            history = rotationTimeline(schedule, id, history, t, from, {
              bucketMs: from - t,
              exclude,
              blocked,
              maxPages: 0,
            }).history;
          }
          const tl = rotationTimeline(schedule, id, history, from, until, {
            bucketMs: bucketMinutes * 60_000,
            exclude,
            blocked,
          });
          const windows = new Map(schedule.items.map((i) => [i.id, i.window ?? null]));
          const answer = {
            id,
            name: runtime.signs.get(id)?.config.name ?? id,
            pages: tl.pages.map((p) => ({ itemId: p.itemId, start: iso(p.start), end: iso(p.end) })),
            items: [...tl.items].map(([itemId, v]) => {
              const w = windows.get(itemId) ?? null;
              const whyNot =
                v.nextAt !== null
                  ? null
                  : exclude.has(itemId)
                    ? ('cannot-air' as const)
                    : w?.until != null && w.until <= from
                      ? ('ended' as const)
                      : w?.from != null && w.from >= until
                        ? ('opens-later' as const)
                        : ('not-in-period' as const);
              return {
                itemId,
                nextAt: v.nextAt === null ? null : iso(v.nextAt),
                plays: v.plays,
                airtimeSeconds: Math.round(v.airtimeMs / 100) / 10,
                whyNot,
                opensAt: w?.from != null && w.from >= until ? iso(w.from) : null,
              };
            }),
            buckets: tl.buckets.map((b) => ({
              from: iso(b.from),
              until: iso(b.until),
              items: [...b.airtime].map(([itemId, ms]) => ({ itemId, seconds: Math.round(ms / 100) / 10 })),
              idleSeconds: Math.round(b.idleMs / 100) / 10,
              overrideSeconds: Math.round(b.blockedMs / 100) / 10,
            })),
            cannotAir: cannotAir.map((c) => ({ ...c, since: iso(c.since) })),
          };
          if (timelines.size > 32) timelines.clear();
          timelines.set(key, { at: t, answer });
          return answer;
        });
        return {
          revision: schedule.revision,
          now: iso(t),
          from: iso(from),
          until: iso(until),
          bucketMinutes,
          items: (live?.items ?? []).map((i) => ({
            id: i.id,
            title: titleOf(i.content as SubmittableContent),
            kind: i.content.kind,
            organisation: i.organisation,
          })),
          signs,
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
        return view(scheduling.overrides.cancel(request.params.id, actorOf(request).name), t);
      },
    );
  };
}

import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PlaylistDraftInput } from '../domain/item-input.ts';
import { PlaylistFile } from '../domain/playlist.ts';
import { readAudit } from '../workflow/audit-view.ts';
import type { DraftView as DraftViewData } from '../workflow/playlist-service.ts';
import type { Workflow } from '../workflow/workflow.ts';
import { ConflictError, WorkflowError } from '../workflow/workflow-error.ts';
import {
  ApiErrorBody,
  AuditEntryView,
  DraftConflictBody,
  DraftView,
  errors,
  LiveView,
  PageQuery,
  PlaylistDiffView,
  PublishResult,
  page,
  principalOf,
  RevisionSummary,
  RevisionView,
} from './workflow-schemas.ts';

const RevisionRef = z
  .union([z.literal('live'), z.literal('draft'), z.coerce.number().int().min(1)])
  .describe('"draft", "live" or a revision number');

const Note = z
  .object({ note: z.string().trim().max(500).optional().describe('why, for the history') })
  .strict()
  .nullish();

/** The draft's ETag: its version, quoted (RFC 9110). */
export const draftEtag = (version: number) => `"draft-${version}"`;

const IfMatchHeader = z.looseObject({
  'if-match': z
    .string()
    .max(200)
    .optional()
    .describe('the ETag of the draft the change was made on, from GET /api/playlist/draft, e.g. "draft-3"'),
});

/**
 * The draft version named by If-Match; null when the header is absent. A value that is not one of our ETags is a
 * 400 (a `*` would overwrite changes the caller has not seen, which is exactly what If-Match is here to stop).
 */
function ifMatchVersion(request: FastifyRequest): number | null {
  const header = request.headers['if-match'];
  if (header === undefined || header === '') return null;
  const m = /^\s*(?:W\/)?"draft-(\d{1,9})"\s*$/.exec(String(header));
  if (!m) {
    throw new WorkflowError(
      'invalid',
      `If-Match must be the draft's ETag from GET /api/playlist/draft, e.g. "draft-3" (with the quotes), not ${JSON.stringify(header)}`,
      [{ field: 'If-Match', message: 'not an ETag of the draft' }],
    );
  }
  return Number(m[1]);
}

/** A stale change: 409 with the draft as it is now (and its ETag), so the client can show what changed. */
function draftConflict(reply: FastifyReply, e: unknown) {
  if (!(e instanceof ConflictError)) throw e;
  const current = e.current as DraftViewData;
  return reply
    .code(409)
    .header('ETag', draftEtag(current.version))
    .send({ statusCode: 409, error: 'Conflict', message: e.message, draft: current });
}

/** The one shared playlist: draft, diff, publish, revisions, rollback, and the file format in and out. */
export function playlistRoutes(workflow: Workflow): FastifyPluginAsyncZod {
  const playlist = workflow.playlist;
  return async (app) => {
    app.get(
      '/api/playlist/live',
      {
        schema: {
          tags: ['playlist'],
          summary: 'What plays now: the live revision, without items withdrawn since it was published',
          description:
            'null until the first publish: nothing is published yet and the signs play the fallback loop (a normal state, not an error).',
          response: { 200: LiveView.nullable(), ...errors(401) },
        },
      },
      async () => playlist.live(),
    );

    app.get(
      '/api/playlist/draft',
      {
        schema: {
          tags: ['playlist'],
          summary: 'The draft: order, per-sign targeting, shares of airtime',
          description:
            'The answer carries the draft version as its ETag ("draft-<version>"): send it back in If-Match when you save or publish.',
          response: { 200: DraftView, ...errors(401, 403) },
        },
      },
      async (_request, reply) => {
        const draft = playlist.draft();
        reply.header('ETag', draftEtag(draft.version)).header('Cache-Control', 'no-store');
        return draft;
      },
    );

    app.put(
      '/api/playlist/draft',
      {
        schema: {
          tags: ['playlist'],
          summary: 'Replace the draft (communicator, admin), as of the version you edited (If-Match)',
          description:
            'If-Match (required) names the ETag of the draft the change was made on. Without it: 428. If the draft has changed since: 409 with the draft as it is now (and its ETag); nothing is saved. Merge your change into it, or reload.',
          headers: IfMatchHeader,
          body: PlaylistDraftInput,
          response: {
            200: DraftView,
            409: DraftConflictBody,
            428: ApiErrorBody,
            ...errors(400, 401, 403),
          },
        },
      },
      async (request, reply) => {
        const expected = ifMatchVersion(request);
        if (expected === null) {
          return reply.code(428).send({
            statusCode: 428,
            error: 'Precondition Required',
            message:
              'send If-Match with the ETag of the draft you changed (from GET /api/playlist/draft, e.g. If-Match: "draft-3"), so that a save from a stale page cannot overwrite newer changes: reload the draft and apply your change to it',
          });
        }
        try {
          const saved = playlist.saveDraft(request.body, principalOf(request), expected);
          reply.header('ETag', draftEtag(saved.version));
          return saved;
        } catch (e: unknown) {
          return draftConflict(reply, e);
        }
      },
    );

    app.get(
      '/api/playlist/diff',
      {
        schema: {
          tags: ['playlist'],
          summary: 'What publishing would change: from the live revision (default) to the draft (default)',
          querystring: z.object({ from: RevisionRef.optional(), to: RevisionRef.optional() }),
          response: { 200: PlaylistDiffView, ...errors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const { from = 'live', to = 'draft' } = request.query;
        if (from === 'draft')
          throw new WorkflowError('invalid', 'from must be "live" or a revision number', [
            { field: 'from', message: 'not "draft"' },
          ]);
        if (to === 'live') return playlist.diff(from, playlist.revision('live').revision);
        return playlist.diff(from, to);
      },
    );

    app.post(
      '/api/playlist/publish',
      {
        schema: {
          tags: ['playlist'],
          summary: 'Publish the draft as a new immutable revision (communicator, admin)',
          description:
            "With If-Match (the draft's ETag, recommended), a draft changed since you looked at it is not published: 409 with the draft as it is now. Pictures are decoded before the revision goes live, so every picture item can air at once.",
          headers: IfMatchHeader,
          body: Note,
          response: { 201: PublishResult, 409: DraftConflictBody.partial({ draft: true }), ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const expected = ifMatchVersion(request) ?? undefined;
        // Decoded before the revision goes live: a picture item airs at its first turn, not a rotation later.
        await playlist.preparePictures('draft');
        try {
          return reply.code(201).send(playlist.publish(principalOf(request), request.body?.note ?? null, expected));
        } catch (e: unknown) {
          return draftConflict(reply, e);
        }
      },
    );

    app.post(
      '/api/playlist/rollback',
      {
        schema: {
          tags: ['playlist'],
          summary: 'Make an earlier revision live again, as a new revision; the draft becomes that revision',
          body: z.object({ revision: z.int().min(1), note: z.string().trim().max(500).optional() }).strict(),
          response: { 201: PublishResult, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        await playlist.preparePictures(request.body.revision);
        return reply
          .code(201)
          .send(playlist.rollback(request.body.revision, principalOf(request), request.body.note ?? null));
      },
    );

    app.get(
      '/api/playlist/revisions',
      {
        schema: {
          tags: ['playlist'],
          summary: 'Published revisions, newest first: who published when',
          querystring: PageQuery,
          response: { 200: page(RevisionSummary), ...errors(401, 403) },
        },
      },
      async (request) => ({ ...playlist.revisions(request.query.limit, request.query.offset), ...request.query }),
    );

    app.get(
      '/api/playlist/revisions/:revision',
      {
        schema: {
          tags: ['playlist'],
          summary: 'One published revision, with its playlist in the file format',
          params: z.object({ revision: z.coerce.number().int().min(1) }),
          response: { 200: RevisionView, ...errors(401, 403, 404) },
        },
      },
      async (request) => playlist.revision(request.params.revision),
    );

    app.get(
      '/api/playlist/export',
      {
        schema: {
          tags: ['playlist'],
          summary: 'The playlist as a playlists/*.json file (same format as `skylt playlist export`)',
          description:
            'For the draft, only approved entries are exported; the header X-Skylt-Skipped counts the others.',
          querystring: z.object({ source: RevisionRef.default('live') }),
          response: { 200: PlaylistFile, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request, reply) => {
        const { file, skipped } = playlist.exportFile(request.query.source);
        reply.header('Content-Disposition', `attachment; filename="playlist-${request.query.source}.json"`);
        if (skipped.length) reply.header('X-Skylt-Skipped', String(skipped.length));
        return file;
      },
    );

    app.post(
      '/api/playlist/import',
      {
        schema: {
          tags: ['playlist'],
          summary:
            'Import a playlist file (admin): its items become approved after the road-safety lint, the draft becomes the file',
          querystring: z.object({ publish: z.enum(['true', 'false']).default('false').describe('also publish it') }),
          body: PlaylistFile,
          response: {
            200: z.object({
              created: z.array(z.string()),
              updated: z.array(z.string()),
              unchanged: z.array(z.string()),
              revision: RevisionSummary.nullable(),
              diff: PlaylistDiffView,
            }),
            ...errors(400, 401, 403, 409, 422),
          },
        },
      },
      async (request) =>
        playlist.importFile(request.body, principalOf(request), { publish: request.query.publish === 'true' }),
    );

    app.get(
      '/api/audit',
      {
        schema: {
          tags: ['audit'],
          summary: 'The append-only audit log, newest first (communicator, admin)',
          description:
            "Filtered by the rules of what the rows are about: users, tokens and sign-ins are for admins; another organisation's drafts and pictures are not shown (an item's draft history before it was submitted is left out).",
          querystring: z.object({
            subject: z.string().max(120).optional().describe('e.g. "item:julkonsert-1a2b", "playlist:3", "user:anna"'),
            limit: z.coerce.number().int().min(1).max(200).default(50),
            cursor: z.coerce.number().int().min(1).optional().describe('nextCursor of the previous page'),
          }),
          response: {
            200: z.object({ items: z.array(AuditEntryView), nextCursor: z.int().nullable() }),
            ...errors(400, 401, 403),
          },
        },
      },
      async (request) => {
        const { subject, limit, cursor } = request.query;
        const me = principalOf(request);
        return readAudit(workflow.audit, me, { subject: subject ?? null, limit, cursor }, (id) =>
          workflow.items.canSeeImage(me, id),
        );
      },
    );
  };
}

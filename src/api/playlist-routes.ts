import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { PlaylistDraftInput } from '../domain/item-input.ts';
import { PlaylistFile } from '../domain/playlist.ts';
import type { Workflow } from '../workflow/workflow.ts';
import { WorkflowError } from '../workflow/workflow-error.ts';
import {
  AuditEntryView,
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
          response: { 200: LiveView, ...errors(401, 404) },
        },
      },
      async () => {
        const live = playlist.live();
        if (!live) throw new WorkflowError(404, 'nothing is published yet: the signs play the fallback loop');
        return live;
      },
    );

    app.get(
      '/api/playlist/draft',
      {
        schema: {
          tags: ['playlist'],
          summary: 'The draft: order, per-sign targeting, shares of airtime',
          response: { 200: DraftView, ...errors(401, 403) },
        },
      },
      async () => playlist.draft(),
    );

    app.put(
      '/api/playlist/draft',
      {
        schema: {
          tags: ['playlist'],
          summary: 'Replace the draft (communicator, admin)',
          body: PlaylistDraftInput,
          response: { 200: DraftView, ...errors(400, 401, 403) },
        },
      },
      async (request) => playlist.saveDraft(request.body, principalOf(request)),
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
          throw new WorkflowError(400, 'from must be "live" or a revision number', [
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
          body: Note,
          response: { 201: PublishResult, ...errors(400, 401, 403, 409) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(playlist.publish(principalOf(request), request.body?.note ?? null)),
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
      async (request, reply) =>
        reply.code(201).send(playlist.rollback(request.body.revision, principalOf(request), request.body.note ?? null)),
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
        const entries = workflow.audit.list({ subject: subject ?? null, limit, ...(cursor ? { before: cursor } : {}) });
        const last = entries.at(-1);
        return { items: entries, nextCursor: entries.length === limit && last ? last.id : null };
      },
    );
  };
}

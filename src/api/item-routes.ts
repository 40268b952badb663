import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Organisation } from '../domain/item-content.ts';
import { ApproveInput, ItemInput, ItemPatch, RejectInput } from '../domain/item-input.ts';
import { ItemState } from '../domain/item-lifecycle.ts';
import type { Principal } from '../domain/roles.ts';
import type { ItemRecord } from '../store/item-repository.ts';
import type { ItemFields } from '../workflow/item-service.ts';
import type { Workflow } from '../workflow/workflow.ts';
import { badRequest, ConflictError } from '../workflow/workflow-error.ts';
import { draftEtag } from './playlist-routes.ts';
import {
  ApproveResult,
  errors,
  IdParams,
  ItemConflictBody,
  ItemView,
  ItemWithLint,
  LintView,
  PageQuery,
  page,
  principalOf,
} from './workflow-schemas.ts';

const ListQuery = PageQuery.extend({
  state: ItemState.optional(),
  organisation: Organisation.optional(),
  kind: z.enum(['event', 'exhibition', 'excursion', 'info', 'image']).optional(),
});

const PreviewParams = z.object({ id: z.string().min(1).max(100), signId: z.string().min(1).max(40) });

/** Items: submit, edit, review (approve/reject with a reason), archive, and previews of each target sign. */
export function itemRoutes(workflow: Workflow): FastifyPluginAsyncZod {
  const items = workflow.items;
  /**
   * The fields of an unsaved item for the check and the preview. Only admins act for another organisation: with
   * `organisation` set to someone else's, anyone could render that organisation's pictures.
   */
  const fieldsOf = (body: ItemInput, me: Principal): ItemFields => {
    if (body.organisation && body.organisation !== me.organisation && me.role !== 'admin')
      throw badRequest([
        { field: 'organisation', message: `you act for ${me.organisation}; only admins act for another organisation` },
      ]);
    return fieldsFor(body, me.organisation);
  };
  const fieldsFor = (body: ItemInput, organisation: ItemFields['organisation']): ItemFields => ({
    organisation: body.organisation ?? organisation,
    content: body.content,
    window: body.window ?? null,
    signs: body.signs ?? null,
    dwellSeconds: body.dwellSeconds,
    infoLink: body.infoLink,
    showLink: body.showLink,
  });
  return async (app) => {
    app.get(
      '/api/items',
      {
        schema: {
          tags: ['items'],
          summary: "Items you may see: your organisation's; reviewers also every submitted item",
          querystring: ListQuery,
          response: { 200: page(ItemView), ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const { limit, offset, state, organisation, kind } = request.query;
        return { ...items.list(principalOf(request), { state, organisation, kind }, limit, offset), limit, offset };
      },
    );

    app.post(
      '/api/items',
      {
        schema: {
          tags: ['items'],
          summary: 'Create an item as a draft (or submit it at once with "submit": true)',
          body: ItemInput,
          response: { 201: ItemWithLint, ...errors(400, 401, 403, 409) },
        },
      },
      async (request, reply) => reply.code(201).send(await items.create(request.body, principalOf(request))),
    );

    app.post(
      '/api/items/check',
      {
        schema: {
          tags: ['items'],
          summary: 'Run the road-safety lint on an item without saving it (for a live preview)',
          description:
            'Also flags a window that has already ended (rule "window-ended", under window.until, or startsAt for an event without an end): such an item would be refused when submitted.',
          body: ItemInput,
          response: { 200: LintView, ...errors(400, 401, 403) },
        },
      },
      async (request) => {
        const me = principalOf(request);
        const fields = fieldsOf(request.body, me);
        const issues = items.validateFields(fields);
        if (issues.length) throw badRequest(issues);
        return items.checkLive(fields);
      },
    );

    app.post(
      '/api/items/preview.png',
      {
        schema: {
          tags: ['items'],
          summary: 'PNG of an unsaved item on one sign, as the sign would show it',
          querystring: z.object({ sign: z.string().min(1).max(40).describe('sign id, e.g. E20-N') }),
          body: ItemInput,
        },
      },
      async (request, reply) => {
        const me = principalOf(request);
        const fields = fieldsOf(request.body, me);
        const issues = items.validateFields(fields);
        if (issues.length) throw badRequest(issues);
        const png = await items.preview(fields, request.query.sign);
        return reply.type('image/png').header('Cache-Control', 'no-store').send(png);
      },
    );

    app.get(
      '/api/items/:id',
      {
        schema: {
          tags: ['items'],
          summary: 'One item, with its lint findings',
          params: IdParams,
          response: { 200: ItemWithLint, ...errors(401, 403, 404) },
        },
      },
      async (request) => {
        const item = items.get(request.params.id, principalOf(request));
        return { item: items.view(item), lint: await items.lint(item) };
      },
    );

    app.patch(
      '/api/items/:id',
      {
        schema: {
          tags: ['items'],
          summary: 'Edit an item; an approved item goes back to pending review',
          params: IdParams,
          body: ItemPatch,
          response: { 200: ItemWithLint, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => items.edit(request.params.id, request.body, principalOf(request)),
    );

    app.post(
      '/api/items/:id/submit',
      {
        schema: {
          tags: ['items'],
          summary: 'Submit a draft (or a fixed rejected item) for review',
          params: IdParams,
          response: { 200: ItemWithLint, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => items.submit(request.params.id, principalOf(request)),
    );

    /** A decision on a changed item answers 409 with the item as it is now, so the reviewer sees what changed. */
    const conflict = async (reply: FastifyReply, e: unknown) => {
      if (!(e instanceof ConflictError)) throw e;
      const current = e.current as ItemRecord;
      return reply.code(409).send({
        statusCode: 409,
        error: 'Conflict',
        message: e.message,
        item: items.view(current),
        lint: await items.lint(current),
      });
    };

    app.post(
      '/api/items/:id/approve',
      {
        schema: {
          tags: ['review'],
          summary:
            'Approve a pending item (communicator, admin), as of the revision you reviewed; refused (422) while the road-safety lint finds errors',
          description:
            'The body names the revision the reviewer saw. If the item has changed since (or was decided meanwhile), nothing is approved: 409 with the item as it is now. With addToDraft the item is appended to the playlist draft in the same transaction (the answer carries the new draft version and its ETag).',
          params: IdParams,
          body: ApproveInput,
          response: { 200: ApproveResult, 409: ItemConflictBody, ...errors(400, 401, 403, 404, 422) },
        },
      },
      async (request, reply) => {
        const me = principalOf(request);
        const { revision, addToDraft } = request.body;
        try {
          const { item, lint, also } = await items.approve(
            request.params.id,
            me,
            { revision },
            addToDraft ? (after) => workflow.playlist.appendToDraft(after.id, me) : undefined,
          );
          if (also) reply.header('ETag', draftEtag(also.version));
          return { item, lint, ...(also ? { draft: also } : {}) };
        } catch (e: unknown) {
          return conflict(reply, e);
        }
      },
    );

    app.post(
      '/api/items/:id/reject',
      {
        schema: {
          tags: ['review'],
          summary: 'Reject a pending item with a reason (communicator, admin), as of the revision you reviewed',
          description:
            'If the item has changed since the revision in the body (or was decided meanwhile), nothing is rejected: 409 with the item as it is now.',
          params: IdParams,
          body: RejectInput,
          response: { 200: ItemView, 409: ItemConflictBody, ...errors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        try {
          return items.reject(request.params.id, request.body.reason, principalOf(request), request.body);
        } catch (e: unknown) {
          return conflict(reply, e);
        }
      },
    );

    app.post(
      '/api/items/:id/archive',
      {
        schema: {
          tags: ['items'],
          summary: 'Archive an item: its organisation withdraws it, or a reviewer takes it off',
          params: IdParams,
          response: { 200: ItemView, ...errors(401, 403, 404, 409) },
        },
      },
      async (request) => items.archive(request.params.id, principalOf(request)),
    );

    app.get(
      '/api/items/:id/signs/:signId/preview.png',
      {
        schema: {
          tags: ['review'],
          summary: "PNG of the item on one of its target signs, made from the sign's framebuffer bytes",
          params: PreviewParams,
        },
      },
      async (request, reply) => {
        const item = items.get(request.params.id, principalOf(request));
        const targets = item.signs ?? items.signIds;
        if (!targets.includes(request.params.signId)) {
          return reply.code(404).send({
            statusCode: 404,
            error: 'Not Found',
            message: `item "${item.id}" is not shown on "${request.params.signId}"; its signs are ${targets.join(', ')}`,
          });
        }
        const png = await items.preview(item, request.params.signId);
        return reply.type('image/png').header('Cache-Control', 'no-store').send(png);
      },
    );
  };
}

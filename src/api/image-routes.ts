import multipart from '@fastify/multipart';
import type { FastifyReply } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Organisation } from '../domain/item-content.ts';
import {
  DEFAULT_IMAGE_LIMITS,
  ImageDimensionsError,
  type ImageImportError,
  ImageTooLargeError,
  ImageTypeError,
} from '../render/image-errors.ts';
import { declaredImage } from '../render/image-header.ts';
import type { Workflow } from '../workflow/workflow.ts';
import { WorkflowError } from '../workflow/workflow-error.ts';
import { errors, IdParams, ImageView, PageQuery, page, principalOf } from './workflow-schemas.ts';

const mb = (n: number) => `${Math.round(n / 1024 / 1024)} MB`;

/** Room for the multipart envelope (boundaries, part headers, a few small fields) around the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;
/** How much of a file is looked at for its type and declared size before giving the decision to the full check. */
const PEEK_BYTES = 512 * 1024;

/** An upload refused from what it declares, before the rest of it is read: the connection closes after the answer. */
function refuse(reply: FastifyReply, e: ImageImportError): never {
  reply.header('connection', 'close');
  throw new WorkflowError(e.kind, e.message, [{ field: 'file', message: e.message }]);
}

/** The multipart parser's own complaints (no boundary, body cut short) are the client's, not Skylt's: 400. */
function malformed(e: unknown): never {
  const status = (e as { statusCode?: unknown }).statusCode;
  if (typeof status === 'number' && status >= 400 && status < 500) throw e;
  throw new WorkflowError(
    'invalid',
    `the upload is not well-formed multipart/form-data (${e instanceof Error ? e.message : String(e)}): ` +
      'send the picture in a field named "file"',
    [{ field: 'file', message: 'malformed multipart body' }],
  );
}

/** Pictures for image items: multipart upload, checked and normalised by the renderer's importer. */
export function imageRoutes(workflow: Workflow): FastifyPluginAsyncZod {
  const items = workflow.items;
  return async (app) => {
    await app.register(multipart, {
      limits: { fileSize: DEFAULT_IMAGE_LIMITS.maxBytes, files: 1, fields: 4, parts: 6 },
    });

    app.post(
      '/api/images',
      {
        schema: {
          tags: ['images'],
          summary: 'Upload a picture (multipart/form-data, field "file"): PNG, JPEG or WebP, still, at most 10 MB',
          description:
            'The picture is checked before it is decoded (type, size, dimensions, animation) and kept as a normalised PNG. Use the returned id as content.image of an image item.',
          consumes: ['multipart/form-data'],
          querystring: z.object({ organisation: Organisation.optional().describe('admins only') }),
          response: { 201: ImageView, ...errors(400, 401, 403, 413, 415, 422) },
        },
      },
      async (request, reply) => {
        const me = principalOf(request);
        if (request.query.organisation && request.query.organisation !== me.organisation && me.role !== 'admin') {
          throw new WorkflowError('invalid', 'only admins may upload for another organisation', [
            { field: 'organisation', message: 'not yours' },
          ]);
        }
        // A body that says it is larger than any picture is refused before a byte of it is read.
        const declaredLength = Number(request.headers['content-length']);
        if (Number.isFinite(declaredLength) && declaredLength > DEFAULT_IMAGE_LIMITS.maxBytes + MULTIPART_OVERHEAD)
          refuse(reply, new ImageTooLargeError(declaredLength, DEFAULT_IMAGE_LIMITS.maxBytes));
        if (!request.isMultipart()) {
          throw new WorkflowError(
            'unsupportedType',
            'send the picture as multipart/form-data with a field named "file"',
            [{ field: 'file', message: 'missing' }],
          );
        }
        const part = await request.file().catch(malformed);
        if (part?.fieldname !== 'file') {
          throw new WorkflowError('invalid', 'send the picture in a multipart field named "file"', [
            { field: 'file', message: 'missing' },
          ]);
        }
        // Read as it arrives; the first bytes say the type and the declared size, and a file that is not a picture
        // or declares more pixels than allowed is refused there, not after 10 MB have been read.
        const chunks: Buffer[] = [];
        let size = 0;
        let decided = false;
        try {
          for await (const chunk of part.file as AsyncIterable<Buffer>) {
            chunks.push(chunk);
            size += chunk.length;
            if (decided) continue;
            const declared = declaredImage(chunks.length === 1 ? chunk : Buffer.concat(chunks));
            if (declared.kind === 'not-an-image') refuse(reply, new ImageTypeError(declared.detected));
            if (declared.kind === 'image') {
              const { width, height } = declared;
              const lim = DEFAULT_IMAGE_LIMITS;
              if (width > lim.maxSidePx || height > lim.maxSidePx || width * height > lim.maxPixels)
                refuse(reply, new ImageDimensionsError(width, height, lim));
              decided = true;
            }
            if (size > PEEK_BYTES) decided = true;
          }
        } catch (e: unknown) {
          if (e instanceof WorkflowError) throw e;
          return malformed(e);
        }
        if (part.file.truncated) {
          reply.header('connection', 'close');
          throw new WorkflowError(
            'tooLarge',
            `the file is larger than ${mb(DEFAULT_IMAGE_LIMITS.maxBytes)}: save it smaller (a sign needs no more than about 2000 pixels across)`,
            [{ field: 'file', message: `at most ${mb(DEFAULT_IMAGE_LIMITS.maxBytes)}` }],
          );
        }
        const bytes = Buffer.concat(chunks, size);
        const image = await items.uploadImage(bytes, part.filename || null, me, request.query.organisation);
        return reply.code(201).send(image);
      },
    );

    app.get(
      '/api/images',
      {
        schema: {
          tags: ['images'],
          summary: "Uploaded pictures: your organisation's (reviewers also those of submitted items; admins all)",
          querystring: PageQuery,
          response: { 200: page(ImageView), ...errors(401, 403) },
        },
      },
      async (request) => {
        const me = principalOf(request);
        const { rows, total } = items.images.list(items.imageScope(me), request.query.limit, request.query.offset);
        return { items: rows, total, ...request.query };
      },
    );

    app.get(
      '/api/images/:id',
      { schema: { tags: ['images'], summary: 'The stored (normalised) picture as PNG', params: IdParams } },
      async (request, reply) => {
        const png = items.imagePng(request.params.id, principalOf(request));
        return reply.type('image/png').header('Cache-Control', 'private, max-age=3600').send(png);
      },
    );
  };
}

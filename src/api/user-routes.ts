import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { Username } from '../auth/accounts.ts';
import { MIN_PASSWORD_LENGTH } from '../auth/password.ts';
import { Organisation } from '../domain/item-content.ts';
import { Role } from '../domain/roles.ts';
import type { Workflow } from '../workflow/workflow.ts';
import { errors, PageQuery, page, principalOf, TokenView, UserView } from './workflow-schemas.ts';

const UserId = z.object({ id: z.coerce.number().int().min(1).describe('user id') });
const TokenId = z.object({ id: z.coerce.number().int().min(1).describe('token id') });
const Password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(256)
  .describe(`at least ${MIN_PASSWORD_LENGTH} characters`);

/** Admin: users and API tokens. */
export function userRoutes(workflow: Workflow): FastifyPluginAsyncZod {
  const accounts = workflow.accounts;
  return async (app) => {
    app.get(
      '/api/users',
      {
        schema: {
          tags: ['users'],
          summary: 'List users (admin)',
          querystring: PageQuery,
          response: { 200: page(UserView), ...errors(401, 403) },
        },
      },
      async (request) => ({ ...accounts.listUsers(request.query.limit, request.query.offset), ...request.query }),
    );

    app.post(
      '/api/users',
      {
        schema: {
          tags: ['users'],
          summary: 'Create a user (admin); without a password one is generated and returned once',
          body: z
            .object({
              username: Username,
              displayName: z.string().trim().max(80).optional(),
              organisation: Organisation,
              role: Role,
              password: Password.optional(),
              mustChangePassword: z
                .boolean()
                .default(true)
                .describe('the user must choose their own password at the first sign-in (default true)'),
            })
            .strict(),
          response: {
            201: z.object({ user: UserView, generatedPassword: z.string().nullable() }),
            ...errors(400, 401, 403, 409),
          },
        },
      },
      async (request, reply) => {
        const created = await accounts.createUser(request.body, principalOf(request));
        return reply.code(201).send(created);
      },
    );

    app.get(
      '/api/users/:id',
      {
        schema: {
          tags: ['users'],
          summary: 'One user (admin)',
          params: UserId,
          response: { 200: UserView, ...errors(401, 403, 404) },
        },
      },
      async (request) => accounts.getUser(request.params.id),
    );

    app.patch(
      '/api/users/:id',
      {
        schema: {
          tags: ['users'],
          summary: 'Change, disable, enable or unlock a user (admin); disabling ends their sessions',
          params: UserId,
          body: z
            .object({
              displayName: z.string().trim().max(80).optional(),
              organisation: Organisation.optional(),
              role: Role.optional(),
              disabled: z.boolean().optional(),
              password: Password.optional(),
              unlock: z.literal(true).optional().describe('clear a lockout after failed logins'),
            })
            .strict(),
          response: { 200: UserView, ...errors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => accounts.updateUser(request.params.id, request.body, principalOf(request)),
    );

    app.post(
      '/api/users/:id/reset-password',
      {
        schema: {
          tags: ['users'],
          summary:
            'Give a user a new one-time password (admin): shown only in this answer; they must choose their own at sign-in',
          params: UserId,
          response: { 200: z.object({ user: UserView, generatedPassword: z.string() }), ...errors(401, 403, 404) },
        },
      },
      async (request) => accounts.resetPassword(request.params.id, principalOf(request)),
    );

    app.get(
      '/api/tokens',
      {
        schema: {
          tags: ['tokens'],
          summary: 'List API tokens (admin)',
          querystring: PageQuery,
          response: { 200: page(TokenView), ...errors(401, 403) },
        },
      },
      async (request) => ({ ...accounts.listTokens(request.query.limit, request.query.offset), ...request.query }),
    );

    app.post(
      '/api/tokens',
      {
        schema: {
          tags: ['tokens'],
          summary:
            'Create an API token scoped to an organisation and a role (admin); the token is shown only in this answer',
          body: z
            .object({
              name: z.string().trim().min(1).max(80).describe('what uses it, e.g. "konserthus-webb"'),
              organisation: Organisation,
              role: Role,
              expiresAt: z.iso.datetime({ offset: true }).optional(),
            })
            .strict(),
          response: {
            201: TokenView.extend({
              token: z.string().describe('send as "Authorization: Bearer <token>"; stored only as a hash'),
            }),
            ...errors(400, 401, 403),
          },
        },
      },
      async (request, reply) => {
        const { token, view } = accounts.createToken(request.body, principalOf(request));
        return reply.code(201).send({ ...view, token });
      },
    );

    app.delete(
      '/api/tokens/:id',
      {
        schema: {
          tags: ['tokens'],
          summary: 'Revoke an API token (admin)',
          params: TokenId,
          response: { 200: TokenView, ...errors(401, 403, 404, 409) },
        },
      },
      async (request) => accounts.revokeToken(request.params.id, principalOf(request)),
    );
  };
}

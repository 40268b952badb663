import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { MIN_PASSWORD_LENGTH } from '../auth/password.ts';
import { Organisation } from '../domain/item-content.ts';
import { Refusal } from '../domain/refusal.ts';
import { Role } from '../domain/roles.ts';
import type { Workflow } from '../workflow/workflow.ts';
import { clearSessionCookie, SESSION_COOKIE, setSessionCookie } from './auth-hooks.ts';
import { HttpError } from './error-handler.ts';
import { errors, principalOf, UserView } from './workflow-schemas.ts';

const Login = z.object({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});

const Me = z.object({
  kind: z.enum(['session', 'token']),
  username: z.string(),
  organisation: Organisation,
  role: Role,
  csrfToken: z.string().nullable().describe('send it as X-CSRF-Token with every change made with the session cookie'),
  expiresAt: z.string().nullable().describe('when the session ends (null for API tokens): the UI warns before it'),
  now: z
    .string()
    .describe("Skylt's time now: the UI counts down to expiresAt from it, whatever the browser's clock says"),
  mustChangePassword: z
    .boolean()
    .describe('signed in with a generated password: only POST /api/auth/password (and logout) are allowed until then'),
});

/** Sign in and out with a password; a session cookie (HttpOnly, SameSite=Strict) plus a CSRF token for changes. */
export function authRoutes(workflow: Workflow): FastifyPluginAsyncZod {
  const settings = workflow.settings;
  return async (app) => {
    app.post(
      '/api/auth/login',
      {
        config: { rateLimit: { max: settings.loginRatePerMinute, timeWindow: 60_000 } },
        schema: {
          tags: ['auth'],
          summary: 'Sign in: sets the session cookie and returns the CSRF token',
          description: `Rate-limited to ${settings.loginRatePerMinute} attempts a minute per client address. After ${settings.lockoutFailures} failed attempts in a row with one username from one address, that address may not try that username for ${settings.lockoutMs / 60_000} minutes (429), whether or not the account exists; other addresses are not affected, and an admin can unlock it. When many addresses are shut out of one username, every attempt on it is slowed.`,
          body: Login,
          response: {
            200: z.object({ user: UserView, csrfToken: z.string(), expiresAt: z.string() }),
            ...errors(400, 401, 403, 429),
          },
        },
      },
      async (request, reply) => {
        const s = await workflow.accounts.login(request.body.username, request.body.password, request.ip);
        setSessionCookie(request, reply, s.cookie, Math.floor(settings.sessionMs / 1000), settings.cookieSecure);
        return { user: s.user, csrfToken: s.csrfToken, expiresAt: s.expiresAt };
      },
    );

    app.post(
      '/api/auth/logout',
      {
        schema: {
          tags: ['auth'],
          summary: 'Sign out: ends the session on the server',
          response: { 204: z.null(), ...errors(401, 403) },
        },
      },
      async (request, reply) => {
        const me = principalOf(request);
        if (request.authSession) workflow.accounts.logout(request.authSession.idHash, me);
        clearSessionCookie(reply);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/api/auth/me',
      {
        schema: {
          tags: ['auth'],
          summary: 'Who am I (session or API token); null when not signed in',
          description:
            'Anyone may ask: without a session (none, ended or expired) the answer is 200 with null, so a page can tell whether to show the login form without an error. An API token that is wrong, expired or revoked is 401.',
          response: { 200: Me.nullable(), ...errors(401) },
        },
      },
      async (request) => {
        if (!request.user) {
          if (request.headers.authorization) throw new HttpError(401, 'the API token is invalid, expired or revoked');
          return null;
        }
        const me = request.user;
        return {
          kind: me.kind,
          username: me.username,
          organisation: me.organisation,
          role: me.role,
          csrfToken: request.authSession?.csrfToken ?? null,
          expiresAt: request.authSession?.expiresAt ?? null,
          now: new Date(workflow.options.clock.now()).toISOString(),
          mustChangePassword: request.authSession?.mustChangePassword ?? false,
        };
      },
    );

    app.post(
      '/api/auth/refresh',
      {
        schema: {
          tags: ['auth'],
          summary: 'Stay signed in: the session lasts another full session length from now',
          description:
            'For the UI\'s "Fortsätt vara inloggad" when it warns that the session is about to end. Only a live session can be kept; an ended one answers 401.',
          response: { 200: z.object({ expiresAt: z.string(), now: z.string() }), ...errors(401, 403) },
        },
      },
      async (request, reply) => {
        const cookie = request.cookies[SESSION_COOKIE];
        const expiresAt = request.authSession ? workflow.accounts.extendSession(request.authSession.idHash) : null;
        if (!expiresAt || !cookie) throw new Refusal('unauthenticated', 'the session has ended: sign in again');
        setSessionCookie(request, reply, cookie, Math.floor(settings.sessionMs / 1000), settings.cookieSecure);
        return { expiresAt, now: new Date(workflow.options.clock.now()).toISOString() };
      },
    );

    app.post(
      '/api/auth/password',
      {
        schema: {
          tags: ['auth'],
          summary: 'Change my password (other sessions end)',
          body: z
            .object({
              currentPassword: z.string().min(1).max(256),
              newPassword: z
                .string()
                .min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`)
                .max(256)
                .describe(`at least ${MIN_PASSWORD_LENGTH} characters`),
            })
            .strict(),
          response: { 204: z.null(), ...errors(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const me = principalOf(request);
        await workflow.accounts.changePassword(
          me.id,
          request.body.currentPassword,
          request.body.newPassword,
          request.authSession?.idHash ?? '',
        );
        return reply.code(204).send(null);
      },
    );
  };
}

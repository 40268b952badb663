import cookie from '@fastify/cookie';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ACCESS_POLICY, type AccessRule, findRule, needsRule } from '../auth/access-policy.ts';
import { safeEqual } from '../auth/password.ts';
import type { Principal } from '../domain/roles.ts';
import type { Workflow } from '../workflow/workflow.ts';
import { HttpError } from './error-handler.ts';

export const SESSION_COOKIE = 'skylt_session';
export const CSRF_HEADER = 'x-csrf-token';

export interface RegisteredRoute {
  method: string;
  url: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is calling; null for anonymous requests. Set before any handler runs. */
    user: Principal | null;
    /** The session behind the cookie, when the caller signed in (not for API tokens). */
    authSession: { idHash: string; csrfToken: string; expiresAt: string; mustChangePassword: boolean } | null;
  }
  interface FastifyInstance {
    /** Every route registered after installAuth, as fastify knows it: the authorization test walks these. */
    skyltRoutes: RegisteredRoute[];
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/** What a user who must change a generated password may still do. */
const PASSWORD_CHANGE_ROUTES = new Set(['POST /api/auth/password', 'POST /api/auth/logout']);

/**
 * Authentication and authorization for the whole app, installed before any route: the session cookie or Bearer
 * token becomes `request.user`, the access policy table decides per route (401 anonymous, 403 wrong role), and a
 * cookie-authenticated change must carry the session's CSRF token. Rows (which organisation's items) are checked
 * by the services.
 */
export async function installAuth(
  app: FastifyInstance,
  workflow: Workflow,
  policy: readonly AccessRule[] = ACCESS_POLICY,
): Promise<void> {
  const routes: RegisteredRoute[] = [];
  app.decorate('skyltRoutes', routes);
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) routes.push({ method: String(method), url: route.url });
    if (needsRule(route.url) && methods.some((m) => m !== 'HEAD' && !findRule(String(m), route.url, policy))) {
      app.log.warn(
        { url: route.url, methods },
        'route has no access rule in src/auth/access-policy.ts: it refuses every request',
      );
    }
  });
  app.decorateRequest('user', null);
  app.decorateRequest('authSession', null);
  await app.register(cookie);
  await app.register(rateLimit, { global: false });

  app.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    const url = request.routeOptions.url;
    if (!url) return; // no such route: the not-found handler answers
    const bearer = bearerOf(request);
    let badToken = false;
    if (bearer !== null) {
      request.user = workflow.accounts.tokenPrincipal(bearer);
      badToken = request.user === null;
    } else {
      const value = request.cookies[SESSION_COOKIE];
      const s = value ? workflow.accounts.session(value) : null;
      if (s) {
        request.user = s.principal;
        request.authSession = {
          idHash: s.idHash,
          csrfToken: s.csrfToken,
          expiresAt: s.expiresAt,
          mustChangePassword: s.mustChangePassword,
        };
      } else if (value) {
        clearSessionCookie(reply);
      }
    }
    if (!needsRule(url)) return;
    const rule = findRule(request.method, url, policy);
    if (!rule) {
      request.log.error({ url, method: request.method }, 'no access rule for this route');
      throw new HttpError(
        403,
        `no access rule for ${request.method} ${url}: it is refused until one is added to src/auth/access-policy.ts`,
      );
    }
    if (rule.allow === 'public') return;
    const user = request.user;
    if (!user) {
      throw new HttpError(
        401,
        badToken
          ? 'the API token is invalid, expired or revoked'
          : 'sign in first (POST /api/auth/login), or send an API token as "Authorization: Bearer ..."',
      );
    }
    if (!rule.allow.includes(user.role)) {
      throw new HttpError(
        403,
        `${describe(user)} may not ${request.method} ${url}; it needs the role ${rule.allow.join(' or ')}`,
      );
    }
    // Signed in with a generated password: reading is fine, but nothing changes until they chose their own.
    if (
      request.authSession?.mustChangePassword &&
      !SAFE_METHODS.has(request.method) &&
      !PASSWORD_CHANGE_ROUTES.has(`${request.method} ${url}`)
    ) {
      throw new HttpError(
        403,
        'choose your own password first (POST /api/auth/password, or Mitt konto in the web UI): the one you signed in with was generated and works only until then',
      );
    }
    if (rule.sessionOnly && user.kind !== 'session') {
      throw new HttpError(403, `${request.method} ${url} is for people signed in with a password, not for API tokens`);
    }
  });

  // After the body is parsed (a form may carry the token as a "_csrf" field), before it is validated.
  app.addHook('preValidation', async (request: FastifyRequest) => {
    const url = request.routeOptions.url;
    if (!url || !request.authSession || SAFE_METHODS.has(request.method)) return;
    const rule = findRule(request.method, url, policy);
    if (rule?.csrf === false) return;
    let sent = request.headers[CSRF_HEADER];
    const body = request.body as Record<string, unknown> | null | undefined;
    if (body && typeof body === 'object' && !Buffer.isBuffer(body) && typeof body._csrf === 'string') {
      sent ??= body._csrf;
      delete body._csrf;
    }
    if (typeof sent !== 'string' || !safeEqual(sent, request.authSession.csrfToken)) {
      throw new HttpError(
        403,
        `missing or wrong CSRF token: send the csrfToken from POST /api/auth/login or GET /api/auth/me in the ${CSRF_HEADER} header`,
      );
    }
  });
}

function bearerOf(request: FastifyRequest): string | null {
  const h = request.headers.authorization;
  if (!h) return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m?.[1] ?? '';
}

function describe(p: Principal): string {
  return p.kind === 'token'
    ? `the API token "${p.username.replace(/^token:/, '')}" (${p.organisation} ${p.role})`
    : `${p.username} (${p.organisation} ${p.role})`;
}

export function setSessionCookie(
  request: FastifyRequest,
  reply: FastifyReply,
  value: string,
  maxAgeSeconds: number,
  secureSetting: 'auto' | 'always' | 'never',
): void {
  reply.setCookie(SESSION_COOKIE, value, {
    path: '/',
    httpOnly: true,
    sameSite: 'strict',
    secure: secureSetting === 'always' || (secureSetting === 'auto' && request.protocol === 'https'),
    maxAge: maxAgeSeconds,
  });
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict' });
}

import type { Role } from '../domain/roles.ts';

/**
 * Who may call which route: one table for the whole API, read by the auth hook on every request. A route under
 * /api without a rule is refused (fail closed), and tests/auth/authorization-matrix.test.ts fails until it has one.
 * Other parts of Skylt plug in here: add a row (crisis routes are covered by the /api/crisis prefix).
 */

export type Audience = 'public' | readonly Role[];

export interface AccessRule {
  /** HEAD is checked as GET. '*' matches every method. */
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | '*';
  /** A route pattern exactly as registered ("/api/items/:id"), or a prefix ending in "/*" that also matches itself. */
  readonly path: string;
  readonly allow: Audience;
  /** Needs a signed-in person (session cookie); an API token is refused. */
  readonly sessionOnly?: boolean;
  /** false: no CSRF token needed (login, where no session exists yet). */
  readonly csrf?: false;
}

export const EVERYONE: readonly Role[] = ['submitter', 'communicator', 'admin'];
/** Review, publishing and crisis: Vara kommun's communicators, and admins. */
export const REVIEWERS: readonly Role[] = ['communicator', 'admin'];
export const ADMINS: readonly Role[] = ['admin'];

export const ACCESS_POLICY: readonly AccessRule[] = [
  // Read-only views of the signs: what they show is public anyway (it faces a motorway).
  { method: 'GET', path: '/api/health', allow: 'public' },
  { method: 'GET', path: '/api/ready', allow: 'public' },
  { method: 'GET', path: '/api/signs', allow: 'public' },
  { method: 'GET', path: '/api/signs/:id/frame.png', allow: 'public' },

  { method: 'POST', path: '/api/auth/login', allow: 'public', csrf: false },
  { method: 'POST', path: '/api/auth/logout', allow: EVERYONE, sessionOnly: true },
  // Answers null to someone not signed in (src/api/auth-routes.ts): the login page asks without an error.
  { method: 'GET', path: '/api/auth/me', allow: 'public' },
  { method: 'POST', path: '/api/auth/refresh', allow: EVERYONE, sessionOnly: true },
  { method: 'POST', path: '/api/auth/password', allow: EVERYONE, sessionOnly: true },

  { method: '*', path: '/api/users/*', allow: ADMINS },
  { method: '*', path: '/api/tokens/*', allow: ADMINS },

  // Row-level rules (own organisation, other organisations' drafts unseen) are applied by ItemService.
  { method: 'GET', path: '/api/items', allow: EVERYONE },
  { method: 'POST', path: '/api/items', allow: EVERYONE },
  { method: 'POST', path: '/api/items/check', allow: EVERYONE },
  { method: 'POST', path: '/api/items/preview.png', allow: EVERYONE },
  { method: 'GET', path: '/api/items/:id', allow: EVERYONE },
  { method: 'PATCH', path: '/api/items/:id', allow: EVERYONE },
  { method: 'GET', path: '/api/items/:id/signs/:signId/preview.png', allow: EVERYONE },
  { method: 'POST', path: '/api/items/:id/submit', allow: EVERYONE },
  { method: 'POST', path: '/api/items/:id/archive', allow: EVERYONE },
  { method: 'POST', path: '/api/items/:id/approve', allow: REVIEWERS },
  { method: 'POST', path: '/api/items/:id/reject', allow: REVIEWERS },

  { method: 'GET', path: '/api/images', allow: EVERYONE },
  { method: 'POST', path: '/api/images', allow: EVERYONE },
  { method: 'GET', path: '/api/images/:id', allow: EVERYONE },

  { method: 'GET', path: '/api/playlist/live', allow: EVERYONE },
  { method: 'POST', path: '/api/playlist/import', allow: ADMINS },
  { method: '*', path: '/api/playlist/*', allow: REVIEWERS },

  { method: 'GET', path: '/api/audit', allow: REVIEWERS },

  // Scheduling (src/api/schedule-routes.ts, report-routes.ts): a "show now" override is a communicator's call;
  // what plays and the airtime reports are for everyone signed in (Konserthus must be able to prove its airtime).
  { method: 'GET', path: '/api/schedule', allow: EVERYONE },
  { method: 'GET', path: '/api/schedule/timeline', allow: EVERYONE },
  { method: '*', path: '/api/overrides/*', allow: REVIEWERS },
  { method: 'GET', path: '/api/reports/*', allow: EVERYONE },

  // Crisis takeover and its console: never a submitter.
  { method: '*', path: '/api/crisis/*', allow: REVIEWERS },
];

function pathMatches(rulePath: string, url: string): boolean {
  if (rulePath.endsWith('/*')) {
    const prefix = rulePath.slice(0, -2);
    return url === prefix || url.startsWith(`${prefix}/`);
  }
  return rulePath === url;
}

/** The rule for a route: an exact path wins over a prefix; the first match in the table otherwise. */
export function findRule(
  method: string,
  url: string,
  policy: readonly AccessRule[] = ACCESS_POLICY,
): AccessRule | null {
  const m = method === 'HEAD' ? 'GET' : method;
  const candidates = policy.filter((r) => (r.method === '*' || r.method === m) && pathMatches(r.path, url));
  return candidates.find((r) => !r.path.endsWith('/*')) ?? candidates[0] ?? null;
}

/** Routes outside /api (the web UI's pages and assets) are public; the API fails closed. */
export function needsRule(url: string): boolean {
  return url === '/api' || url.startsWith('/api/');
}

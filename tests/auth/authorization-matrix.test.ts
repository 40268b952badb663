import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_POLICY, findRule, needsRule } from '../../src/auth/access-policy.ts';
import type { Organisation } from '../../src/domain/item-content.ts';
import type { Role } from '../../src/domain/roles.ts';
import { build, type Client, type TestApp } from '../helper.ts';
import { concert, info } from '../workflow/helpers.ts';

/**
 * Every registered route against every kind of caller, over real HTTP. The expected audience of each route comes
 * from the one policy table (src/auth/access-policy.ts), so a route added anywhere in Skylt is covered the moment
 * it is registered; the invariants below are stated independently of that table.
 */

interface Caller {
  name: string;
  role: Role | null;
  organisation: Organisation | null;
  kind: 'anonymous' | 'session' | 'token';
  client: Client;
}

let t: TestApp;
let callers: Caller[];

beforeAll(async () => {
  t = await build();
  const session = async (name: string, organisation: Organisation, role: Role): Promise<Caller> => ({
    name,
    role,
    organisation,
    kind: 'session',
    client:
      name === 'admin' ? await t.login('admin', 'admin-password-for-tests') : await t.user(name, organisation, role),
  });
  const token = (name: string, organisation: Organisation, role: Role): Caller => ({
    name: `token ${name}`,
    role,
    organisation,
    kind: 'token',
    client: t.token(name, organisation, role),
  });
  callers = [
    { name: 'anonymous', role: null, organisation: null, kind: 'anonymous', client: t.anonymous() },
    await session('konserthus-submitter', 'konserthus', 'submitter'),
    await session('kommun-submitter', 'kommun', 'submitter'),
    await session('communicator', 'kommun', 'communicator'),
    await session('admin', 'kommun', 'admin'),
    token('konserthus-web', 'konserthus', 'submitter'),
    token('kommun-intranet', 'kommun', 'communicator'),
    token('ops', 'kommun', 'admin'),
  ];
});

afterAll(async () => {
  await t?.close();
});

/** A URL for a route pattern: ids that do not exist, so an allowed caller reaches the handler and changes nothing. */
function concrete(url: string): string {
  if (url.startsWith('/api/signs/')) return url.replace(':id', 'E20-N');
  return url
    .replace(/^\/api\/(users|tokens)\/:id/, '/api/$1/999999')
    .replace(':revision', '999')
    .replace(':signId', 'E20-N')
    .replace(/:[A-Za-z]+/g, 'no-such-thing');
}

/** What an allowed caller may get back for a request with a made-up id and an empty body: never 401 or 403. */
const REACHED = new Set([200, 201, 204, 400, 404, 409, 415, 422]);

function expected(method: string, url: string, caller: Caller): 'allow' | 401 | 403 {
  const rule = findRule(method, url);
  if (!rule) throw new Error(`no access rule for ${method} ${url}`);
  if (rule.allow === 'public') return 'allow';
  if (!caller.role) return 401;
  if (!rule.allow.includes(caller.role)) return 403;
  if (rule.sessionOnly && caller.kind !== 'session') return 403;
  return 'allow';
}

async function call(c: Client, method: string, url: string) {
  return c.request(method, concrete(url), ['POST', 'PUT', 'PATCH'].includes(method) ? {} : undefined);
}

describe('authorization matrix', () => {
  it('every /api route has a rule in the access policy table', () => {
    const api = t.app.skyltRoutes.filter((r) => r.method !== 'HEAD' && needsRule(r.url));
    expect(api.length).toBeGreaterThan(30);
    const missing = api.filter((r) => !findRule(r.method, r.url)).map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
  });

  it('answers every route for every caller as the table says: 401 anonymous, 403 wrong role, otherwise reached', async () => {
    const routes = t.app.skyltRoutes.filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS');
    // Logging out ends the session the rest of the matrix uses: it goes last.
    const ordered = [
      ...routes.filter((r) => r.url !== '/api/auth/logout'),
      ...routes.filter((r) => r.url === '/api/auth/logout'),
    ];
    const failures: string[] = [];
    let checked = 0;
    for (const route of ordered) {
      if (!needsRule(route.url)) {
        if (route.method === 'GET' && !route.url.includes('*') && !route.url.includes(':')) {
          const res = await t.anonymous().get(route.url);
          if (res.status === 401 || res.status === 403)
            failures.push(`${route.method} ${route.url} anonymous: ${res.status} (outside /api is public)`);
        }
        continue;
      }
      for (const caller of callers) {
        const want = expected(route.method, route.url, caller);
        const res = await call(caller.client, route.method, route.url);
        checked++;
        const ok = want === 'allow' ? REACHED.has(res.status) : res.status === want;
        if (!ok)
          failures.push(
            `${route.method} ${route.url} as ${caller.name}: expected ${want}, got ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`,
          );
      }
    }
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(250);
  });

  it('a submitter, by session or token, never approves, rejects, publishes, overrides, manages users or tokens, reads the audit log, or touches crisis', () => {
    const submitters = callers.filter((c) => c.role === 'submitter');
    const forbidden = t.app.skyltRoutes.filter(
      (r) =>
        r.method !== 'HEAD' &&
        (/\/(approve|reject)$/.test(r.url) ||
          r.url.startsWith('/api/crisis') ||
          r.url.startsWith('/api/users') ||
          r.url.startsWith('/api/tokens') ||
          r.url === '/api/audit' ||
          r.url.startsWith('/api/overrides') ||
          (r.url.startsWith('/api/playlist') && r.url !== '/api/playlist/live')),
    );
    expect(forbidden.some((r) => r.url.startsWith('/api/crisis'))).toBe(true);
    for (const route of forbidden)
      for (const s of submitters)
        expect(expected(route.method, route.url, s), `${route.method} ${route.url}`).toBe(403);
  });

  it('covers crisis routes added later by prefix, and refuses an /api route nobody wrote a rule for', async () => {
    const probe = await build({
      beforeStart: (app) => {
        app.post('/api/crisis/later-feature', async () => ({ ok: true }));
        app.get('/api/unruled', async () => ({ ok: true }));
      },
    });
    try {
      const sub = await probe.user('sub', 'konserthus', 'submitter');
      const com = await probe.user('com', 'kommun', 'communicator');
      expect((await sub.post('/api/crisis/later-feature', {})).status).toBe(403);
      expect((await probe.anonymous().post('/api/crisis/later-feature', {})).status).toBe(401);
      expect((await com.post('/api/crisis/later-feature', {})).status).toBe(200);
      const unruled = await com.get('/api/unruled');
      expect(unruled.status).toBe(403);
      expect(unruled.body.message).toMatch(/no access rule/);
    } finally {
      await probe.close();
    }
  });

  it('without signing in, only health, readiness, the signs, the login and "who am I" (nobody) answer under /api', () => {
    const open = t.app.skyltRoutes
      .filter((r) => r.method !== 'HEAD' && needsRule(r.url) && findRule(r.method, r.url)?.allow === 'public')
      .map((r) => `${r.method} ${r.url}`)
      .sort();
    expect(open).toEqual([
      'GET /api/auth/me',
      'GET /api/health',
      'GET /api/ready',
      'GET /api/signs',
      'GET /api/signs/:id/frame.png',
      'POST /api/auth/login',
    ]);
  });

  it('the policy table names only known roles', () => {
    for (const rule of ACCESS_POLICY) {
      if (rule.allow !== 'public')
        for (const r of rule.allow) expect(['submitter', 'communicator', 'admin']).toContain(r);
    }
  });
});

describe('row-level access to items', () => {
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    // The matrix above ended every session by logging out last: sign in again.
    for (const c of callers) {
      if (c.kind === 'session')
        c.client = c.name === 'admin' ? await t.login('admin', 'admin-password-for-tests') : await t.login(c.name);
    }
    const k = callers.find((c) => c.name === 'konserthus-submitter')?.client as Client;
    const m = callers.find((c) => c.name === 'kommun-submitter')?.client as Client;
    ids.konserthusDraft = (await k.post('/api/items', concert())).body.item.id;
    ids.konserthusPending = (await k.post('/api/items', concert({ submit: true }))).body.item.id;
    ids.kommunDraft = (await m.post('/api/items', info(['Julmarknad', 'Vara torg']))).body.item.id;
    ids.kommunPending = (
      await m.post('/api/items', info(['Vinterbad', 'Vara simhall'], { submit: true }))
    ).body.item.id;
    expect(Object.values(ids).every(Boolean)).toBe(true);
  });

  // Who sees what: a submitter only its own organisation; a communicator also others' submitted items, never their drafts.
  const VISIBLE: Record<string, string[]> = {
    'konserthus-submitter': ['konserthusDraft', 'konserthusPending'],
    'token konserthus-web': ['konserthusDraft', 'konserthusPending'],
    'kommun-submitter': ['kommunDraft', 'kommunPending'],
    communicator: ['konserthusPending', 'kommunDraft', 'kommunPending'],
    'token kommun-intranet': ['konserthusPending', 'kommunDraft', 'kommunPending'],
    admin: ['konserthusDraft', 'konserthusPending', 'kommunDraft', 'kommunPending'],
    'token ops': ['konserthusDraft', 'konserthusPending', 'kommunDraft', 'kommunPending'],
  };

  it("never shows another organisation's drafts: not by id, not in lists, not as a preview", async () => {
    for (const caller of callers.filter((c) => c.role)) {
      const visible = VISIBLE[caller.name] ?? [];
      for (const [key, id] of Object.entries(ids)) {
        const want = visible.includes(key) ? 200 : 404;
        expect((await caller.client.get(`/api/items/${id}`)).status, `${caller.name} GET ${key}`).toBe(want);
        expect(
          (await caller.client.get(`/api/items/${id}/signs/E20-N/preview.png`)).status,
          `${caller.name} preview ${key}`,
        ).toBe(want);
      }
      const listed = (await caller.client.get('/api/items?limit=200')).body.items.map((i: { id: string }) => i.id);
      expect(listed.filter((id: string) => Object.values(ids).includes(id)).sort(), caller.name).toEqual(
        visible.map((k) => ids[k]).sort(),
      );
    }
  });

  it('only the own organisation edits or submits; reviewers decide; nobody else', async () => {
    const by = (name: string) => callers.find((c) => c.name === name)?.client as Client;
    // kommun's communicator may review konserthus items but not rewrite them
    const edit = await by('communicator').patch(`/api/items/${ids.konserthusPending}`, { dwellSeconds: 12 });
    expect(edit.status).toBe(403);
    expect(edit.body.message).toMatch(/belongs to konserthus/);
    expect((await by('kommun-submitter').post(`/api/items/${ids.konserthusPending}/approve`)).status).toBe(403);
    expect((await by('konserthus-submitter').post(`/api/items/${ids.konserthusPending}/approve`)).status).toBe(403);
    expect(
      (await by('token konserthus-web').post(`/api/items/${ids.konserthusPending}/reject`, { reason: 'nej tack' }))
        .status,
    ).toBe(403);
    const unchanged = await by('admin').get(`/api/items/${ids.konserthusPending}`);
    expect(unchanged.body.item).toMatchObject({ state: 'pending', dwellSeconds: 10, revision: 1 });
  });
});

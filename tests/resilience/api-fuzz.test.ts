/**
 * Property-based fuzzing of every route (fast-check, seeded): random methods, paths and path parameters, query
 * strings and bodies (wrong types, huge and deep values, invalid JSON, wrong content types, unicode, numbers at the
 * edges), sent as anonymous, a submitter and a communicator (session with CSRF, and Bearer token) and an admin.
 * No answer may be a 5xx, and every 4xx must say in JSON what is wrong: a non-empty `message`, never a stack trace.
 * Runs through app.inject (the whole fastify pipeline: parsers, hooks, schemas, handlers, the error handler).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_POLICY } from '../../src/auth/access-policy.ts';
import { ADMIN_PASSWORD, build, type TestApp } from '../helper.ts';
import { concert, info, saveDraft } from '../workflow/helpers.ts';

const SEED = Number(process.env.SKYLT_RESILIENCE_SEED ?? 20261129);
const RUNS = Number(process.env.SKYLT_FUZZ_RUNS ?? 3000);

interface Route {
  method: string;
  /** fastify form: /api/items/:id */
  url: string;
}

type Caller = { name: string; headers: () => Record<string, string> };

let t: TestApp;
const routes: Route[] = [];
let callers: Caller[] = [];
const pool: Record<string, string[]> = {};
const sessions: Record<string, { cookie: string; csrf: string }> = {};

async function login(username: string, password: string): Promise<void> {
  const res = await t.app.inject({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
  if (res.statusCode !== 200) return; // disabled or locked by the fuzzer: the old cookie keeps being refused (401)
  const cookie = String(res.headers['set-cookie'] ?? '').split(';')[0] ?? '';
  sessions[username] = { cookie, csrf: (res.json() as { csrfToken: string }).csrfToken };
}

beforeAll(async () => {
  t = await build({ listen: true });
  // Routes as registered, from the OpenAPI document the app serves at /docs/json, plus the few it hides.
  const doc = (t.app as unknown as { swagger(): { paths: Record<string, Record<string, unknown>> } }).swagger();
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const method of Object.keys(ops))
      routes.push({ method: method.toUpperCase(), url: path.replace(/\{(\w+)\}/g, ':$1') });
  }
  routes.push({ method: 'GET', url: '/metrics' }, { method: 'GET', url: '/' }, { method: 'GET', url: '/docs/json' });

  // Some real content, so ids in paths hit real rows as well as missing ones.
  const maria = t.token('maria-fuzz', 'kommun', 'communicator');
  const kajsaToken = t.token('kajsa-fuzz', 'konserthus', 'submitter');
  const adminToken = t.token('admin-fuzz', 'kommun', 'admin');
  await t.user('kajsa', 'konserthus', 'submitter');
  await t.user('maria', 'kommun', 'communicator');
  const items: string[] = [];
  for (const body of [
    concert({ submit: true }),
    info(['Julmarknad', 'Vara torg'], { submit: true }),
    info(['Loppis', 'Kvänum']),
  ]) {
    const res = await (body.content.kind === 'event' ? kajsaToken : maria).post('/api/items', body);
    items.push(res.body.item.id);
  }
  await maria.post(`/api/items/${items[1]}/approve`, { revision: 1 });
  await saveDraft(maria, { entries: [{ itemId: items[1] }] });
  await maria.post('/api/playlist/publish', { note: 'fuzz' });
  const crisis = await maria.post('/api/crisis', { template: 'gas', durationMinutes: 30 });
  const users = (await adminToken.get('/api/users')).body.items as { id: string }[];
  const tokens = (await adminToken.get('/api/tokens')).body.items as { id: string }[];
  Object.assign(pool, {
    id: [...items, crisis.body.id, ...users.map((u) => u.id), ...tokens.map((x) => x.id), 'E20-N', 'E20-S'],
    signId: ['E20-N', 'E20-S'],
    revision: ['1', '2'],
  });
  await login('kajsa', 'correct horse battery staple');
  await login('maria', 'correct horse battery staple');
  const bearer = (c: { auth: { bearer?: string } }) => () => ({ authorization: `Bearer ${c.auth.bearer}` });
  const session = (name: string) => () => {
    const s = sessions[name];
    return s ? { cookie: s.cookie, 'x-csrf-token': s.csrf } : {};
  };
  callers = [
    { name: 'anonymous', headers: () => ({}) },
    { name: 'submitter (session)', headers: session('kajsa') },
    { name: 'submitter (token)', headers: bearer(kajsaToken) },
    { name: 'communicator (session)', headers: session('maria') },
    { name: 'communicator (token)', headers: bearer(maria) },
    { name: 'admin (token)', headers: bearer(adminToken) },
  ];
}, 60_000);

afterAll(async () => {
  await t?.close();
});

// --- generators

const edgeNumber = fc.constantFrom(
  0,
  -0,
  -1,
  1,
  0.5,
  -1e-308,
  1e308,
  -1e308,
  2 ** 31,
  2 ** 53,
  2 ** 53 + 2,
  -(2 ** 63),
  65535,
  65536,
);
const weirdString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    '..',
    '../../etc/passwd',
    '%00',
    '%',
    '%zz',
    'null',
    'undefined',
    'NaN',
    '-1',
    '1e999',
    '0x10',
    'åäö ÅÄÖ',
    '💥🚗',
    '\u202e',
    '<script>',
    "' OR 1=1 --",
    'a'.repeat(5000),
  ),
  edgeNumber.map(String),
);
const huge = fc.constantFrom('x'.repeat(70_000), 'å'.repeat(300_000), '€'.repeat(400_000));
/** Deeply nested JSON, as text (a JS value that deep would overflow the reporter's own stringify). */
const deepJson = fc
  .tuple(fc.integer({ min: 50, max: 100_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );
const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 2, arbitrary: weirdString },
  { weight: 2, arbitrary: edgeNumber },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
);

/** Bodies each route would take, so mutations get past the first check and reach the deeper ones. */
const VALID: Record<string, unknown[]> = {
  'POST /api/auth/login': [
    { username: 'admin', password: 'not-the-password' },
    { username: 'kajsa', password: 'x' },
  ],
  'POST /api/auth/password': [{ currentPassword: 'wrong', newPassword: 'a new long password 123' }],
  'POST /api/users': [{ username: 'nils', organisation: 'kommun', role: 'submitter' }],
  'PATCH /api/users/:id': [{ displayName: 'Nils' }, { disabled: false }],
  'POST /api/tokens': [{ name: 'webb', organisation: 'konserthus', role: 'submitter' }],
  'POST /api/items': [
    concert(),
    info(['Hej', 'Vara']),
    { content: { kind: 'image', image: 'img-000000000000' }, infoLink: 'https://vara.se' },
  ],
  'POST /api/items/check': [concert(), info(['Hej', 'Vara'])],
  'POST /api/items/preview.png': [info(['Hej', 'Vara'])],
  'PATCH /api/items/:id': [
    { dwellSeconds: 12 },
    { content: { kind: 'info', lines: ['Ny', 'text'] } },
    { window: null },
  ],
  'POST /api/items/:id/approve': [{ revision: 1 }, { revision: 2 }],
  'POST /api/items/:id/reject': [{ reason: 'Skriv vad som händer', revision: 1 }],
  'PUT /api/playlist/draft': [
    { entries: [] },
    { entries: [{ itemId: 'loppis' }], settings: { shares: { kommun: 70, konserthus: 30 } } },
  ],
  'POST /api/playlist/publish': [{ note: 'x' }, null],
  'POST /api/playlist/rollback': [{ revision: 1 }],
  'POST /api/playlist/import': [{ version: 1, name: 'Fuzz', items: [] }],
  'POST /api/crisis': [
    { template: 'gas' },
    { headline: 'Olycka', instruction: 'Kör försiktigt', signs: ['E20-N'] },
    { template: 'fire', durationMinutes: 5 },
  ],
  'PUT /api/crisis/:id/text': [{ headline: 'Ny rubrik', instruction: 'Lyssna på P4' }],
  'POST /api/crisis/:id/end': [{ reason: 'klart' }, null],
  'POST /api/overrides': [
    { itemId: 'valkommen-till-vara', minutes: 5 },
    {
      page: { content: { kind: 'info', lines: ['Nu', 'här'] }, infoLink: 'https://vara.se' },
      until: '2026-12-01T12:00:00+01:00',
    },
  ],
};

/** A value with one field replaced, removed, or retyped: the kind of body a buggy client sends. */
function mutate(value: unknown, path: number[], replacement: unknown, mode: number): unknown {
  if (value === null || typeof value !== 'object') return replacement;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value)
    ? [...value]
    : { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  if (keys.length === 0) return mode === 0 ? replacement : copy;
  const key = keys[(path[0] ?? 0) % keys.length] as string;
  const rec = copy as Record<string, unknown>;
  if (path.length > 1 && rec[key] !== null && typeof rec[key] === 'object')
    rec[key] = mutate(rec[key], path.slice(1), replacement, mode);
  else if (mode === 1) delete rec[key];
  else if (mode === 2) rec[`${key}_extra`] = replacement;
  else rec[key] = replacement;
  return copy;
}

type Body = { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'raw'; text: string; type: string | null };

const bodyFor = (route: Route): fc.Arbitrary<Body> => {
  const valid = VALID[`${route.method} ${route.url}`] ?? [{}];
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant<Body>({ kind: 'none' }) },
    {
      weight: 6,
      arbitrary: fc
        .tuple(
          fc.constantFrom(...valid),
          fc.array(fc.nat(20), { minLength: 1, maxLength: 4 }),
          fc.oneof(jsonish, huge),
          fc.nat(3),
        )
        .map(
          ([v, path, replacement, mode]): Body => ({
            kind: 'json',
            value: mutate(structuredClone(v), path, replacement, mode),
          }),
        ),
    },
    { weight: 2, arbitrary: fc.constantFrom(...valid).map((value): Body => ({ kind: 'json', value })) },
    { weight: 2, arbitrary: fc.oneof(jsonish, huge).map((value): Body => ({ kind: 'json', value })) },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          fc.oneof(
            fc.constantFrom(
              '{',
              '{"a":',
              '[1,2',
              '{"a":1}garbage',
              '\u0000',
              'null',
              '"',
              '{"__proto__":{"x":1}}',
              '{"constructor":{"prototype":{"x":1}}}',
              '1e999999',
            ),
            weirdString,
            huge,
            deepJson,
          ),
          fc.constantFrom(
            'application/json',
            'application/json; charset=latin1',
            'text/plain',
            'application/x-www-form-urlencoded',
            'multipart/form-data',
            'multipart/form-data; boundary=xyz',
            'application/xml',
            'image/png',
            '*/*',
            'application/json; charset=utf-16',
            null,
          ),
        )
        .map(([text, type]): Body => ({ kind: 'raw', text, type })),
    },
  );
};

const pathParam = (name: string) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(...(pool[name] ?? pool.id ?? ['x'])) },
    { weight: 2, arbitrary: weirdString },
  );

const queryFor = fc.dictionary(
  fc.oneof(
    fc.constantFrom(
      'limit',
      'offset',
      'cursor',
      'state',
      'organisation',
      'kind',
      'sign',
      'from',
      'to',
      'source',
      'publish',
      'subject',
      'format',
    ),
    fc.string({ maxLength: 8 }),
  ),
  fc.oneof(
    weirdString,
    edgeNumber.map(String),
    fc.constantFrom('draft', 'live', 'pending', 'kommun', 'E20-N', 'csv', 'true', '2026-12-01', ''),
  ),
  { maxKeys: 4 },
);

const request = fc.constantFrom(...[0]).chain(() =>
  fc.constantFrom(...routes).chain((route) =>
    fc.record({
      route: fc.constant(route),
      method: fc.oneof(
        { weight: 8, arbitrary: fc.constant(route.method) },
        { weight: 1, arbitrary: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS') },
      ),
      params: fc.tuple(...(route.url.match(/:\w+/g) ?? []).map((p) => pathParam(p.slice(1)))),
      query: queryFor,
      body: bodyFor(route),
      caller: fc.nat(callers.length - 1),
      junkPath: fc.oneof({ weight: 9, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: weirdString }),
    }),
  ),
);

const STACK =
  /\n\s+at |\bat [\w.<>]+ \(|\.ts:\d+|node_modules|SqliteError|TypeError|ReferenceError|RangeError|Cannot read propert/;

describe('API fuzzing', () => {
  it('every route: never a 5xx, and every 4xx explains itself in JSON', async () => {
    // Every /api route the access policy names is among the routes fuzzed.
    const fuzzed = new Set(routes.map((r) => r.url));
    for (const rule of ACCESS_POLICY) if (!rule.path.endsWith('/*')) expect(fuzzed, rule.path).toContain(rule.path);
    expect(routes.length).toBeGreaterThan(50);

    const statuses = new Map<number, number>();
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        let url = r.route.url;
        for (const value of r.params) url = url.replace(/:\w+/, encodeURIComponent(value));
        if (r.junkPath !== null) url = `${url}/${encodeURIComponent(r.junkPath)}`;
        const qs = new URLSearchParams(r.query).toString();
        if (qs) url += `?${qs}`;
        const caller = callers[r.caller] as Caller;
        const headers: Record<string, string> = { ...caller.headers() };
        let payload: string | undefined;
        if (r.body.kind === 'json') {
          headers['content-type'] = 'application/json';
          payload = JSON.stringify(r.body.value) ?? 'null';
        } else if (r.body.kind === 'raw') {
          if (r.body.type) headers['content-type'] = r.body.type;
          payload = r.body.text;
        }
        const res = await t.app.inject({
          method: r.method as 'GET',
          url,
          headers,
          remoteAddress: `10.0.${r.caller}.1`,
          ...(payload !== undefined ? { payload } : {}),
        });
        sent++;
        statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
        const what = `${caller.name}: ${r.method} ${url.slice(0, 300)} (${headers['content-type'] ?? 'no content-type'}, ${payload?.length ?? 0} chars: ${JSON.stringify(payload?.slice(0, 120))}) -> ${res.statusCode} ${res.body.slice(0, 400)}`;
        expect(res.statusCode, what).toBeLessThan(500);
        if (res.statusCode >= 400 && r.method !== 'HEAD') {
          expect(String(res.headers['content-type']), what).toContain('application/json');
          const body = res.json() as { message?: unknown; statusCode?: unknown };
          expect(typeof body.message, what).toBe('string');
          expect((body.message as string).trim().length, what).toBeGreaterThan(0);
          expect(body.message as string, what).not.toMatch(STACK);
          expect(body.statusCode, what).toBe(res.statusCode);
        }
        // A signed-in fuzz caller the fuzzer logged out signs in again (the fuzzer cannot know the password).
        if (url.startsWith('/api/auth/logout') && res.statusCode < 300) {
          for (const name of ['kajsa', 'maria']) await login(name, 'correct horse battery staple');
        }
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    console.log(
      `fuzzed ${routes.length} routes with ${sent} requests (seed ${SEED}): ${[...statuses]
        .sort((a, b) => a[0] - b[0])
        .map(([s, n]) => `${s}×${n}`)
        .join(' ')}`,
    );
    // The run reached past the checks, not only the front door.
    for (const s of [200, 400, 401, 403, 404]) expect(statuses.get(s) ?? 0, `answers ${s}`).toBeGreaterThan(0);

    // Still up, over a real socket too, and still doing its job.
    const health = await fetch(`${t.url}/api/health`);
    expect(health.status).toBe(200);
    const admin = await t.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { username: 'admin', password: ADMIN_PASSWORD },
    });
    expect([200, 401, 429]).toContain(admin.statusCode);
  }, 170_000);
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import type { Organisation } from '../../src/domain/item-content.ts';
import type { Role } from '../../src/domain/roles.ts';
import { Runtime } from '../../src/runtime.ts';

export const ADMIN_PASSWORD = 'admin-password-for-tests';
export const PASSWORD = 'correct horse battery staple';
/** 2026-12-01 10:00 in Vara. */
export const T0 = Date.parse('2026-12-01T09:00:00Z');

export interface WorkflowApp {
  app: FastifyInstance;
  runtime: Runtime;
  clock: ManualClock;
  url: string;
  dataDir: string;
  /** What the first start printed to stdout (a generated admin password), if anything. */
  printed: string[];
  anonymous(): Client;
  /** Signs in over HTTP with a password and returns a client holding the session cookie and CSRF token. */
  login(username: string, password?: string): Promise<Client>;
  /** Creates a user directly in the store (fast), then signs in over HTTP. */
  user(username: string, organisation: Organisation, role: Role): Promise<Client>;
  /** A Bearer-token client, the token made through the store. */
  token(name: string, organisation: Organisation, role: Role): Client;
  close(): Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: replies are JSON that each test reads as it expects
type Json = any;

export interface Reply<T = Json> {
  status: number;
  body: T;
  headers: Headers;
  bytes: Buffer;
}

/** A caller of the real HTTP API: anonymous, a signed-in person (cookie + CSRF token), or an API token. */
export class Client {
  constructor(
    readonly url: string,
    readonly auth: { cookie?: string; csrf?: string; bearer?: string } = {},
    readonly name = 'anonymous',
  ) {}

  async request<T = Json>(
    method: string,
    path: string,
    body?: unknown,
    opts: { headers?: Record<string, string>; csrf?: boolean } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...opts.headers };
    if (this.auth.cookie) headers.cookie = this.auth.cookie;
    if (this.auth.bearer) headers.authorization = `Bearer ${this.auth.bearer}`;
    if (this.auth.csrf && opts.csrf !== false && method !== 'GET') headers['x-csrf-token'] = this.auth.csrf;
    let payload: FormData | string | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      headers['content-type'] = 'application/json';
      payload = JSON.stringify(body);
    }
    const res = await fetch(`${this.url}${path}`, { method, headers, body: payload });
    const bytes = Buffer.from(await res.arrayBuffer());
    const type = res.headers.get('content-type') ?? '';
    const parsed = type.includes('json') && bytes.length ? JSON.parse(bytes.toString('utf8')) : bytes.toString('utf8');
    return { status: res.status, body: parsed as T, headers: res.headers, bytes };
  }
  get<T = Json>(path: string) {
    return this.request<T>('GET', path);
  }
  post<T = Json>(path: string, body?: unknown) {
    return this.request<T>('POST', path, body);
  }
  put<T = Json>(path: string, body?: unknown) {
    return this.request<T>('PUT', path, body);
  }
  patch<T = Json>(path: string, body?: unknown) {
    return this.request<T>('PATCH', path, body);
  }
  delete<T = Json>(path: string) {
    return this.request<T>('DELETE', path);
  }
}

export interface StartOptions {
  env?: Record<string, string>;
  start?: number;
  /** Runs after the app is built and before it listens: tests add routes here (e.g. a stand-in crisis route). */
  beforeListen?: (app: FastifyInstance) => void | Promise<void>;
}

/** The real app on a real port with a temp SQLite file, like startTestApp, with the workflow's settings from `env`. */
export async function startWorkflowApp(options: StartOptions = {}): Promise<WorkflowApp> {
  const dataDir = options.env?.SKYLT_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'skylt-workflow-'));
  const env: Record<string, string> = {
    SKYLT_DATA_DIR: dataDir,
    SKYLT_PORT: '0',
    SKYLT_VMA_URL: 'off',
    SKYLT_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SKYLT_LOGIN_RATE_LIMIT: '10000',
    // Fast password hashes for tests; the default cost is tested in tests/auth/sessions.test.ts.
    SKYLT_SCRYPT_LOG2N: '10',
    ...options.env,
  };
  const config = loadConfig(env);
  const clock = new ManualClock(options.start ?? T0);
  const printed: string[] = [];
  const runtime = new Runtime(config, {
    clock,
    tickMs: 0,
    log: pino({ level: 'silent' }),
    printSecret: (t) => printed.push(t),
  });
  const app = await buildApp({ runtime, version: 'test', logger: false });
  await options.beforeListen?.(app);
  runtime.start();
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const login = async (username: string, password = PASSWORD) => {
    const res = await new Client(url).post('/api/auth/login', { username, password });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    return new Client(url, { cookie, csrf: res.body.csrfToken }, username);
  };
  return {
    app,
    runtime,
    clock,
    url,
    dataDir,
    printed,
    anonymous: () => new Client(url),
    login,
    async user(username, organisation, role) {
      await runtime.workflow.accounts.createUser(
        { username, organisation, role, password: PASSWORD },
        { username: 'test', organisation: 'kommun', role: 'admin' },
      );
      return login(username);
    },
    token(name, organisation, role) {
      const { token } = runtime.workflow.accounts.createToken(
        { name, organisation, role },
        { username: 'test', organisation: 'kommun', role: 'admin' },
      );
      return new Client(url, { bearer: token }, `token:${name}`);
    },
    async close() {
      await app.close();
      await runtime.stop();
      if (!options.env?.SKYLT_DATA_DIR) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A concert two weeks ahead of T0, as Vara Konserthus would submit it. */
export function concert(overrides: Record<string, unknown> = {}) {
  return {
    content: {
      kind: 'event',
      title: 'Julkonsert',
      startsAt: '2026-12-12T19:00:00+01:00',
      venue: 'Vara Konserthus',
      organiser: 'konserthus',
    },
    infoLink: 'https://varakonserthus.se/julkonsert',
    ...overrides,
  };
}

/**
 * Saves the playlist draft as the UI does: on the version just read, named in If-Match (a PUT without it is 428).
 */
export async function saveDraft(client: Client, body: unknown): Promise<Reply> {
  const etag = (await client.get('/api/playlist/draft')).headers.get('etag') ?? '';
  return client.request('PUT', '/api/playlist/draft', body, { headers: { 'if-match': etag } });
}

export function info(lines: string[], overrides: Record<string, unknown> = {}) {
  return { content: { kind: 'info', lines }, infoLink: 'https://vara.se/evenemang', ...overrides };
}

/**
 * Ticks the runtime until the sign confirms (ACK) it shows one of `itemIds`, as /api/health reports it; returns
 * what it shows. Which page comes when is the rotation engine's business (shares, windows): tests ask only this.
 */
export async function signShows(
  t: WorkflowApp,
  signId: string,
  itemIds: string | string[],
  timeoutMs = 5000,
): Promise<{ itemId: string; priority: string }> {
  const wanted = Array.isArray(itemIds) ? itemIds : [itemIds];
  const started = Date.now();
  for (;;) {
    await t.runtime.tick();
    const health = (await t.anonymous().get('/api/health')).body as {
      signs: { id: string; showing: { itemId: string | null; priority: string } | null }[];
    };
    const showing = health.signs.find((s) => s.id === signId)?.showing ?? null;
    if (showing?.itemId && wanted.includes(showing.itemId))
      return { itemId: showing.itemId, priority: showing.priority };
    if (Date.now() - started > timeoutMs)
      throw new Error(`sign ${signId} shows ${JSON.stringify(showing)}, not ${wanted.join(' or ')}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * For tests built on tests/integration/app-helpers.ts (startTestApp) that call protected routes such as /api/crisis:
 * an "Authorization: Bearer" header for a fresh API token (default: a Vara kommun communicator).
 */
export function authHeaders(
  runtime: Runtime,
  role: Role = 'communicator',
  organisation: Organisation = 'kommun',
): Record<string, string> {
  const { token } = runtime.workflow.accounts.createToken(
    { name: `test-${role}-${Math.random().toString(36).slice(2, 8)}`, organisation, role },
    { username: 'test', organisation: 'kommun', role: 'admin' },
  );
  return { authorization: `Bearer ${token}` };
}

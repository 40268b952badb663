/**
 * The one way tests start Skylt: `build()` makes the real app (real SQLite file in a temp dir, two virtual signs,
 * the real Runtime on a manual clock) and hands back clients that speak to it. As in fastify/demo's
 * test/helper.ts, requests go through `app.inject` by default: the whole fastify pipeline (hooks, schemas,
 * serialisers, the error handler) without a socket. Tests that need a real socket (a browser, fetch from another
 * module, client addresses, server-sent events) ask for `listen: true` and read `t.url`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino, { type Logger } from 'pino';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { ManualClock } from '../src/domain/clock.ts';
import type { Organisation } from '../src/domain/item-content.ts';
import type { Role } from '../src/domain/roles.ts';
import { Runtime } from '../src/runtime.ts';

export const ADMIN_PASSWORD = 'admin-password-for-tests';
export const PASSWORD = 'correct horse battery staple';
/** 2026-12-01 10:00 in Vara. */
export const T0 = Date.parse('2026-12-01T09:00:00Z');

// biome-ignore lint/suspicious/noExplicitAny: replies are JSON that each test reads as it expects
type Json = any;

export interface Reply<T = Json> {
  status: number;
  body: T;
  headers: Headers;
  bytes: Buffer;
}

/** One HTTP exchange, over a socket (fetch) or through app.inject: Client does not care which. */
type Send = (
  method: string,
  path: string,
  headers: Record<string, string>,
  body: FormData | string | undefined,
) => Promise<{ status: number; headers: Headers; bytes: Buffer }>;

export interface ClientAuth {
  cookie?: string;
  csrf?: string;
  bearer?: string;
}

/** A caller of the API: anonymous, a signed-in person (cookie + CSRF token), or an API token. */
export class Client {
  constructor(
    private readonly send: Send,
    readonly auth: ClientAuth = {},
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
    const res = await this.send(method, path, headers, payload);
    const type = res.headers.get('content-type') ?? '';
    const text = res.bytes.toString('utf8');
    const parsed = type.includes('json') && res.bytes.length ? JSON.parse(text) : text;
    return { status: res.status, body: parsed as T, headers: res.headers, bytes: res.bytes };
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

export interface BuildOptions {
  /** Environment as Skylt reads it; merged over the test defaults below. */
  env?: Record<string, string>;
  /** Wall-clock start of the manual clock (default T0). */
  start?: number;
  /** Listen on a real port (127.0.0.1, a free one) and expose `url`; otherwise requests go through app.inject. */
  listen?: boolean;
  /** A real logger for the runtime and the HTTP log (a test that reads log lines); default: silent. */
  logger?: Logger;
  /** Runs after the app is built and before the runtime starts: tests add routes here. */
  beforeStart?: (app: FastifyInstance) => void | Promise<void>;
}

export interface TestApp {
  app: FastifyInstance;
  runtime: Runtime;
  clock: ManualClock;
  /** The real port's base URL; only with `listen: true`. */
  readonly url: string;
  dataDir: string;
  /** What the first start printed to stdout (a generated admin password), if anything. */
  printed: string[];
  /** A client with the given credentials over this app's transport. */
  client(auth?: ClientAuth, name?: string): Client;
  anonymous(): Client;
  /** Signs in with a password (through the login route) and returns a client holding the cookie and CSRF token. */
  login(username: string, password?: string): Promise<Client>;
  /** Creates a user directly in the store (fast), then signs in. */
  user(username: string, organisation: Organisation, role: Role): Promise<Client>;
  /** A Bearer-token client, the token made through the store. */
  token(name: string, organisation: Organisation, role: Role): Client;
  close(): Promise<void>;
}

const SYSTEM = { username: 'test', organisation: 'kommun', role: 'admin' } as const;

export async function build(options: BuildOptions = {}): Promise<TestApp> {
  const ownDataDir = !options.env?.SKYLT_DATA_DIR;
  const dataDir = options.env?.SKYLT_DATA_DIR ?? mkdtempSync(join(tmpdir(), 'skylt-test-'));
  const config = loadConfig({
    SKYLT_DATA_DIR: dataDir,
    SKYLT_PORT: '0',
    // Tests never reach the internet: the SR VMA feed (on by default) is off unless a test points it at a local server.
    SKYLT_VMA_URL: 'off',
    // A known first admin (nothing generated) and cheap hashes: tests sign in many times. The default cost and the
    // login rate limit are tested where they matter (tests/auth/sessions.test.ts).
    SKYLT_ADMIN_PASSWORD: ADMIN_PASSWORD,
    SKYLT_SCRYPT_LOG2N: '10',
    SKYLT_LOGIN_RATE_LIMIT: '10000',
    ...options.env,
  });
  const clock = new ManualClock(options.start ?? T0);
  const printed: string[] = [];
  const runtime = new Runtime(config, {
    clock,
    tickMs: 0,
    log: options.logger ?? pino({ level: 'silent' }),
    printSecret: (text) => printed.push(text),
  });
  const app = await buildApp({ runtime, version: 'test', logger: options.logger?.child({ part: 'http' }) ?? false });
  await options.beforeStart?.(app);
  runtime.start();

  let url: string | null = null;
  let send: Send;
  if (options.listen) {
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const base = url;
    send = async (method, path, headers, body) => {
      const res = await fetch(`${base}${path}`, { method, headers, body });
      return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
    };
  } else {
    await app.ready();
    send = async (method, path, headers, body) => {
      let payload: Buffer | string | undefined = body instanceof FormData ? undefined : body;
      if (body instanceof FormData) {
        // Encode the multipart body exactly as fetch would, boundary and all.
        const encoded = new Request('http://skylt.test/', { method: 'POST', body });
        headers = { ...headers, 'content-type': encoded.headers.get('content-type') ?? '' };
        payload = Buffer.from(await encoded.arrayBuffer());
      }
      // biome-ignore lint/suspicious/noExplicitAny: light-my-request narrows the method to its own union
      const res = await app.inject({ method: method as any, url: path, headers, payload });
      const replyHeaders = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        for (const v of Array.isArray(value) ? value : [value])
          if (v !== undefined) replyHeaders.append(name, String(v));
      }
      return { status: res.statusCode, headers: replyHeaders, bytes: res.rawPayload };
    };
  }

  const client = (auth: ClientAuth = {}, name = 'anonymous') => new Client(send, auth, name);
  const login = async (username: string, password = PASSWORD) => {
    const res = await client().post('/api/auth/login', { username, password });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    return client({ cookie, csrf: res.body.csrfToken }, username);
  };
  return {
    app,
    runtime,
    clock,
    get url() {
      if (url === null) throw new Error('this test app does not listen: build({ listen: true }) for a real port');
      return url;
    },
    dataDir,
    printed,
    client,
    anonymous: () => client(),
    login,
    async user(username, organisation, role) {
      await runtime.workflow.accounts.createUser({ username, organisation, role, password: PASSWORD }, SYSTEM);
      return login(username);
    },
    token(name, organisation, role) {
      const { token } = runtime.workflow.accounts.createToken({ name, organisation, role }, SYSTEM);
      return client({ bearer: token }, `token:${name}`);
    },
    async close() {
      await app.close();
      await runtime.stop();
      if (ownDataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * An "Authorization: Bearer" header for a fresh API token (default: a Vara kommun communicator), for tests that
 * call protected routes with their own HTTP client.
 */
export function authHeaders(
  runtime: Runtime,
  role: Role = 'communicator',
  organisation: Organisation = 'kommun',
): Record<string, string> {
  const { token } = runtime.workflow.accounts.createToken(
    { name: `test-${role}-${Math.random().toString(36).slice(2, 8)}`, organisation, role },
    SYSTEM,
  );
  return { authorization: `Bearer ${token}` };
}

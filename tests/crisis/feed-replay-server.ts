// A local HTTP server that replays recorded feed payloads: the crisis tests, the end-to-end crisis tests and the
// `crisis` benchmark all point Skylt's real HTTP client at it. Loopback only (127.0.0.1, port 0).
//
//   const server = await FeedReplayServer.start();
//   server.serveFixture('/api/v3/alerts', 'sr-vma-vara-alert.json');
//   server.failNext('/api/v3/alerts', { status: 429, headers: { 'retry-after': '120' } });
//   server.enableSse('/api/v3/subscribe');
//   server.pushEvent('/api/v3/subscribe', { data: fixture('sr-vma-vara-alert.json'), id: '1' });
//   ... config.vmaUrl = `${server.url}/api/v3`
//   await server.close();

import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build, type TestApp } from '../helper.ts';
import { waitFor } from '../signs/helpers.ts';

/** The recorded feed payloads kept in this repository (`tests/fixtures/feeds/`); nothing outside the repo is read. */
export const FEED_FIXTURES_DIR = fileURLToPath(new URL('../fixtures/feeds/', import.meta.url));

export function fixture(name: string): string {
  return readFileSync(`${FEED_FIXTURES_DIR.replace(/\/?$/, '/')}${name}`, 'utf8');
}

export interface ReplayResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Wait this long before answering. */
  delayMs?: number;
  /** Never answer: the client has to time out. */
  hang?: boolean;
  /** Send the headers and this start of a body, then stall: the client has to time out mid-body. */
  hangAfter?: string;
  /** Destroy the connection without an answer. */
  reset?: boolean;
  /** Answer 304 when the request's If-None-Match equals this. */
  etag?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  headers: IncomingMessage['headers'];
  at: number;
}

export interface SseMessage {
  event?: string;
  /** A string is sent as is (split into data: lines); anything else as JSON. */
  data: unknown;
  id?: string;
  retry?: number;
}

interface SseEndpoint {
  clients: Set<ServerResponse>;
  retryMs: number | null;
}

function contentTypeFor(name: string): string {
  if (name.endsWith('.json')) return 'application/json; charset=utf-8';
  if (name.endsWith('.atom')) return 'application/atom+xml; charset=utf-8';
  if (name.endsWith('.xml')) return 'application/cap+xml; charset=utf-8';
  return 'text/plain; charset=utf-8';
}

export function formatSse(message: SseMessage): string {
  const lines: string[] = [];
  if (message.event) lines.push(`event: ${message.event}`);
  if (message.id !== undefined) lines.push(`id: ${message.id}`);
  if (message.retry !== undefined) lines.push(`retry: ${message.retry}`);
  const data = typeof message.data === 'string' ? message.data : JSON.stringify(message.data);
  for (const line of data.split(/\r\n|\r|\n/)) lines.push(`data: ${line}`);
  return `${lines.join('\n')}\n\n`;
}

export class FeedReplayServer {
  readonly requests: RecordedRequest[] = [];
  private readonly routes = new Map<string, ReplayResponse>();
  private readonly queued = new Map<string, ReplayResponse[]>();
  private readonly sse = new Map<string, SseEndpoint>();
  private readonly pending = new Set<ServerResponse>();
  private readonly events = new EventEmitter();

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {
    this.events.setMaxListeners(100);
  }

  static async start(): Promise<FeedReplayServer> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const replay = new FeedReplayServer(server, `http://127.0.0.1:${port}`);
    server.on('request', (req, res) => replay.handle(req, res));
    return replay;
  }

  /** The default answer for `path` (query strings are ignored when matching). */
  serve(path: string, response: ReplayResponse): this {
    this.routes.set(path, response);
    return this;
  }

  serveFixture(path: string, name: string, extra: Omit<ReplayResponse, 'body'> = {}): this {
    return this.serve(path, {
      ...extra,
      body: fixture(name),
      headers: { 'content-type': contentTypeFor(name), ...extra.headers },
    });
  }

  serveJson(path: string, value: unknown, extra: Omit<ReplayResponse, 'body'> = {}): this {
    return this.serve(path, {
      ...extra,
      body: JSON.stringify(value),
      headers: { 'content-type': 'application/json; charset=utf-8', ...extra.headers },
    });
  }

  /** One-shot answers used, in order, before the default answer of `path` (also before an SSE endpoint). */
  failNext(path: string, ...responses: ReplayResponse[]): this {
    this.queued.set(path, [...(this.queued.get(path) ?? []), ...responses]);
    return this;
  }

  remove(path: string): this {
    this.routes.delete(path);
    this.queued.delete(path);
    return this;
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Resolves once `path` has been requested `count` times in total. */
  waitForRequests(path: string, count: number, timeoutMs = 5_000): Promise<RecordedRequest[]> {
    return this.waitFor(
      () => this.requestsTo(path).length >= count,
      () => this.requestsTo(path),
      timeoutMs,
      `${count} requests to ${path}`,
    );
  }

  /** Makes `path` an event stream; clients stay connected until dropped or the server closes. */
  enableSse(path: string, options: { retryMs?: number } = {}): this {
    this.sse.set(path, { clients: new Set(), retryMs: options.retryMs ?? null });
    return this;
  }

  /** Sends an event to every client connected to `path`; returns how many received it. */
  pushEvent(path: string, message: SseMessage): number {
    return this.writeSse(path, formatSse(message));
  }

  /** Sends raw bytes (split events, comments, CRLF) to every client of `path`. */
  pushRaw(path: string, text: string): number {
    return this.writeSse(path, text);
  }

  sseClientCount(path: string): number {
    return this.sse.get(path)?.clients.size ?? 0;
  }

  waitForSseClients(path: string, count: number, timeoutMs = 5_000): Promise<number> {
    return this.waitFor(
      () => this.sseClientCount(path) >= count,
      () => this.sseClientCount(path),
      timeoutMs,
      `${count} SSE clients on ${path}`,
    );
  }

  /** Ends every open stream on `path` (or all paths): the client sees the connection drop. */
  dropSseClients(path?: string): void {
    for (const [p, endpoint] of this.sse) {
      if (path !== undefined && p !== path) continue;
      for (const client of endpoint.clients) client.destroy();
      endpoint.clients.clear();
    }
  }

  async close(): Promise<void> {
    this.dropSseClients();
    for (const res of this.pending) res.destroy();
    this.pending.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private writeSse(path: string, text: string): number {
    const endpoint = this.sse.get(path);
    if (!endpoint) return 0;
    for (const client of endpoint.clients) client.write(text);
    return endpoint.clients.size;
  }

  private waitFor<T>(done: () => boolean, value: () => T, timeoutMs: number, what: string): Promise<T> {
    if (done()) return Promise.resolve(value());
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        if (!done()) return;
        clearTimeout(timer);
        this.events.off('change', check);
        resolve(value());
      };
      const timer = setTimeout(() => {
        this.events.off('change', check);
        reject(new Error(`FeedReplayServer: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      this.events.on('change', check);
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const parsed = new URL(req.url ?? '/', this.url);
    this.requests.push({
      method: req.method ?? 'GET',
      path: parsed.pathname,
      query: parsed.search,
      headers: req.headers,
      at: Date.now(),
    });
    const queue = this.queued.get(parsed.pathname);
    const response = queue?.shift() ?? (this.sse.has(parsed.pathname) ? null : this.routes.get(parsed.pathname));
    if (response === null) {
      this.openStream(parsed.pathname, res);
      this.events.emit('change');
      return;
    }
    this.events.emit('change');
    if (!response) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end(`no replay route for ${parsed.pathname}`);
      return;
    }
    this.answer(req, res, response);
  }

  private answer(req: IncomingMessage, res: ServerResponse, response: ReplayResponse): void {
    if (response.reset) {
      req.socket.destroy();
      return;
    }
    if (response.hang || response.hangAfter !== undefined) {
      if (response.hangAfter !== undefined) {
        res.writeHead(response.status ?? 200, { 'content-type': 'application/json', ...response.headers });
        res.write(response.hangAfter);
      }
      this.pending.add(res);
      res.on('close', () => this.pending.delete(res));
      return;
    }
    const send = () => {
      if (res.destroyed) return;
      if (response.etag !== undefined && req.headers['if-none-match'] === response.etag) {
        res.writeHead(304, { etag: response.etag }).end();
        return;
      }
      const headers: Record<string, string> = { ...response.headers };
      if (response.etag !== undefined) headers.etag = response.etag;
      res.writeHead(response.status ?? 200, headers).end(response.body ?? '');
    };
    if (response.delayMs) {
      this.pending.add(res);
      const timer = setTimeout(() => {
        this.pending.delete(res);
        send();
      }, response.delayMs);
      res.on('close', () => clearTimeout(timer));
    } else {
      send();
    }
  }

  private openStream(path: string, res: ServerResponse): void {
    const endpoint = this.sse.get(path);
    if (!endpoint) return;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.write(endpoint.retryMs !== null ? `retry: ${endpoint.retryMs}\n\n` : ': connected\n\n');
    endpoint.clients.add(res);
    res.on('close', () => {
      endpoint.clients.delete(res);
      this.events.emit('change');
    });
  }
}

/**
 * The running app polling local feeds fast (push off), once both sign links are up and the generic crisis slot is
 * on each sign. A VMA in the feed may take over before the first playlist page is up, so this waits for nothing
 * more: each test waits for what it expects.
 */
export async function startFeedApp(env: Record<string, string>, at: number): Promise<TestApp> {
  const app = await build({
    env: { SKYLT_FEED_POLL_SECONDS: '0.05', SKYLT_VMA_PUSH: 'off', ...env },
    start: at,
    listen: true,
  });
  await waitFor('links up and generic crisis slots ready', async () => {
    await app.runtime.tick();
    for (const s of app.runtime.signs.values()) {
      if (!s.controller.linkUp) return false;
      if ((await s.controller.readBack(1)).queryValid !== 1) return false;
    }
    return true;
  });
  return app;
}

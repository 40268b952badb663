// A server-sent-events client for SR's VMA push stream (`/api/v3/subscribe`), on fetch streaming so it shares the
// HTTP stack, timeouts and test server with the pollers. Parsing follows the WHATWG HTML "event stream" rules.

import type { Clock } from '../domain/clock.ts';
import type { AlertSource } from './alert.ts';
import { type FeedErrorKind, type FetchLike, SKYLT_USER_AGENT } from './feed-http.ts';
import {
  type BackoffConfig,
  backoffDelay,
  DEFAULT_BACKOFF,
  type FeedErrorInfo,
  type FeedHealth,
  type FeedLog,
  realTimers,
  silentLog,
  type Timers,
} from './feed-poller.ts';

export interface SseEvent {
  /** The `event:` field, "message" when absent. */
  event: string;
  data: string;
  /** The last event id in force when this event was dispatched. */
  id: string | null;
}

/** Incremental event-stream parser: feed it text chunks split anywhere, get whole events back. */
export class SseParser {
  private buffer = '';
  private eventType = '';
  private data: string[] = [];
  private hasData = false;
  private sawCr = false;
  lastEventId: string | null = null;
  /** The server's `retry:` reconnection time, if it sent one. */
  retryMs: number | null = null;

  push(chunk: string): SseEvent[] {
    let text = chunk;
    // A CRLF split across chunks: the LF belongs to the CR already handled.
    if (this.sawCr && text.startsWith('\n')) text = text.slice(1);
    this.sawCr = false;
    this.buffer += text;
    if (this.buffer.charCodeAt(0) === 0xfeff) this.buffer = this.buffer.slice(1);
    const events: SseEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      if (!match) break;
      // A lone CR at the very end might be the first half of CRLF: wait for more input unless it is not.
      if (match[0] === '\r' && match.index === this.buffer.length - 1) {
        this.sawCr = true;
      }
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  /** Drops a half-received event, as a reconnect must (the id survives). */
  reset(): void {
    this.buffer = '';
    this.eventType = '';
    this.data = [];
    this.hasData = false;
    this.sawCr = false;
  }

  private line(line: string): SseEvent | null {
    if (line === '') return this.dispatch();
    if (line.startsWith(':')) return null;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.eventType = value;
        break;
      case 'data':
        this.data.push(value);
        this.hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
    }
    return null;
  }

  private dispatch(): SseEvent | null {
    const event = this.hasData
      ? { event: this.eventType || 'message', data: this.data.join('\n'), id: this.lastEventId }
      : null;
    this.eventType = '';
    this.data = [];
    this.hasData = false;
    return event;
  }
}

export interface SseClientOptions {
  name: string;
  source: AlertSource;
  url: string;
  clock: Clock;
  onEvent(event: SseEvent): void;
  /** The stream is open (HTTP 200, text/event-stream). */
  onOpen?(): void;
  /** The stream is gone; a reconnect is scheduled. */
  onDown?(error: FeedErrorInfo | null): void;
  /** No byte for this long (comments count) means a dead connection: abort and reconnect. 0 disables. */
  idleTimeoutMs?: number;
  /** Time to get the response headers. */
  connectTimeoutMs?: number;
  /** Reconnect delay after a clean close, unless the server sent `retry:`. */
  reconnectMs?: number;
  backoff?: Partial<BackoffConfig>;
  fetch?: FetchLike;
  timers?: Timers;
  random?: () => number;
  log?: FeedLog;
}

/** Keeps one event stream open: reconnects with back-off and Last-Event-ID, never throws. */
export class SseClient {
  private readonly backoff: BackoffConfig;
  private readonly timers: Timers;
  private readonly fetch: FetchLike;
  private readonly log: FeedLog;
  private readonly parser = new SseParser();
  private running = false;
  private abort: AbortController | null = null;
  private reconnectTimer: unknown = null;
  private loop: Promise<void> | null = null;
  private readonly state = {
    lastOk: null as number | null,
    lastError: null as FeedErrorInfo | null,
    consecutiveFailures: 0,
    nextPollAt: null as number | null,
    lastAlertCount: 0,
    connected: false,
  };

  constructor(private readonly options: SseClientOptions) {
    this.backoff = { ...DEFAULT_BACKOFF, ...options.backoff };
    this.timers = options.timers ?? realTimers;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.log = options.log ?? silentLog;
  }

  get connected(): boolean {
    return this.state.connected;
  }

  get lastEventId(): string | null {
    return this.parser.lastEventId;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connectSoon(0);
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.reconnectTimer !== null) this.timers.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.state.nextPollAt = null;
    this.abort?.abort();
    await this.loop?.catch(() => {});
  }

  health(): FeedHealth {
    return {
      name: this.options.name,
      source: this.options.source,
      kind: 'push',
      url: this.options.url,
      ...this.state,
      lastError: this.state.lastError ? { ...this.state.lastError } : null,
    };
  }

  private connectSoon(delayMs: number): void {
    if (!this.running) return;
    this.state.nextPollAt = this.options.clock.now() + delayMs;
    this.reconnectTimer = this.timers.setTimeout(() => {
      this.reconnectTimer = null;
      this.loop = this.connectOnce().finally(() => {
        this.loop = null;
      });
    }, delayMs);
  }

  private fail(kind: FeedErrorKind, message: string, status: number | null = null): FeedErrorInfo {
    const error = { at: this.options.clock.now(), kind, message, status };
    this.state.lastError = error;
    this.state.consecutiveFailures += 1;
    return error;
  }

  private async connectOnce(): Promise<void> {
    const { url, name, clock } = this.options;
    const abort = new AbortController();
    this.abort = abort;
    let idleTimer: unknown = null;
    let idledOut = false;
    const idleMs = this.options.idleTimeoutMs ?? 120_000;
    const armIdle = (ms: number) => {
      if (idleTimer !== null) this.timers.clearTimeout(idleTimer);
      if (ms <= 0) return;
      idleTimer = this.timers.setTimeout(() => {
        idledOut = true;
        abort.abort();
      }, ms);
    };
    let error: FeedErrorInfo | null = null;
    let receivedSomething = false;
    this.state.nextPollAt = null;
    this.parser.reset();
    try {
      armIdle(this.options.connectTimeoutMs ?? 10_000);
      const headers: Record<string, string> = {
        accept: 'text/event-stream',
        'cache-control': 'no-cache',
        'user-agent': SKYLT_USER_AGENT,
      };
      if (this.parser.lastEventId) headers['last-event-id'] = this.parser.lastEventId;
      const response = await this.fetch(url, { headers, signal: abort.signal });
      const type = response.headers.get('content-type') ?? '';
      if (!response.ok || !response.body || !type.includes('text/event-stream')) {
        await response.body?.cancel().catch(() => {});
        error = response.ok
          ? this.fail('shape', `${url}: expected text/event-stream, got "${type}"`, response.status)
          : this.fail(
              response.status === 429 ? 'rate-limited' : 'http',
              `${url}: HTTP ${response.status}`,
              response.status,
            );
      } else {
        this.state.connected = true;
        this.state.lastOk = clock.now();
        this.log.info({ feed: name, lastEventId: this.parser.lastEventId }, 'crisis push stream connected');
        this.safely(() => this.options.onOpen?.());
        armIdle(idleMs);
        const reader = response.body.getReader();
        const decoder = new TextDecoder('utf-8');
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          armIdle(idleMs);
          receivedSomething = true;
          this.state.lastOk = clock.now();
          // The stream proved itself: later failures start the back-off from the beginning.
          this.state.consecutiveFailures = 0;
          for (const event of this.parser.push(decoder.decode(value, { stream: true }))) {
            this.state.lastAlertCount += 1;
            this.safely(() => this.options.onEvent(event));
          }
        }
        if (!receivedSomething) error = this.fail('network', `${url}: stream closed before any data`);
      }
    } catch (caught: unknown) {
      if (idledOut) {
        const waited = this.state.connected ? idleMs : (this.options.connectTimeoutMs ?? 10_000);
        error = this.fail('timeout', `${url}: nothing received for ${waited} ms`);
      } else if (this.running) {
        error = this.fail('network', `${url}: ${caught instanceof Error ? caught.message : String(caught)}`);
      }
    } finally {
      if (idleTimer !== null) this.timers.clearTimeout(idleTimer);
      if (this.abort === abort) this.abort = null;
    }
    const wasConnected = this.state.connected;
    this.state.connected = false;
    if (!this.running) return;
    const delay =
      this.state.consecutiveFailures > 0
        ? backoffDelay(this.state.consecutiveFailures, this.backoff, this.options.random)
        : (this.parser.retryMs ?? this.options.reconnectMs ?? 1_000);
    if (error) {
      this.log.warn(
        { feed: name, kind: error.kind, failures: this.state.consecutiveFailures, retryInMs: delay },
        `crisis push stream down: ${error.message}`,
      );
    } else {
      this.log.info({ feed: name, retryInMs: delay }, 'crisis push stream closed by the server');
    }
    if (wasConnected || error) this.safely(() => this.options.onDown?.(error));
    this.connectSoon(delay);
  }

  private safely(callback: () => void): void {
    try {
      callback();
    } catch (error: unknown) {
      this.log.error({ feed: this.options.name, err: error }, 'crisis push: handler failed');
    }
  }
}

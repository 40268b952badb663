import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SseClient, type SseClientOptions, type SseEvent, SseParser } from '../../src/crisis/sse-client.ts';
import { ManualClock } from '../../src/domain/clock.ts';
import { eventually } from './crisis-test-kit.ts';
import { FeedReplayServer, fixture } from './feed-replay-server.ts';

describe('SseParser', () => {
  const stream =
    '\uFEFF: comment\n' +
    'event: alert\nid: 7\ndata: {"a":\ndata: 1}\n\n' +
    'retry: 2500\r\n' +
    'data: second\r\n\r\n' +
    'event: nodata\n\n' +
    'data:no space\rid: 8\r\r' +
    'data: \n\n';

  const expected: SseEvent[] = [
    { event: 'alert', data: '{"a":\n1}', id: '7' },
    { event: 'message', data: 'second', id: '7' },
    { event: 'message', data: 'no space', id: '8' },
    { event: 'message', data: '', id: '8' },
  ];

  it('parses fields, multi-line data, comments, ids, retry and all three line endings', () => {
    const parser = new SseParser();
    expect(parser.push(stream)).toEqual(expected);
    expect(parser.retryMs).toBe(2500);
    expect(parser.lastEventId).toBe('8');
  });

  it('gives the same events however the bytes are split, including CRLF across chunks', () => {
    for (const size of [1, 2, 3, 5, 7, 13]) {
      const parser = new SseParser();
      const events: SseEvent[] = [];
      for (let i = 0; i < stream.length; i += size) events.push(...parser.push(stream.slice(i, i + size)));
      expect(events, `chunks of ${size}`).toEqual(expected);
    }
  });

  it('keeps the last event id across a reset, and drops the half-received event', () => {
    const parser = new SseParser();
    parser.push('id: 41\ndata: done\n\nid: 42\ndata: half');
    parser.reset();
    expect(parser.lastEventId).toBe('42');
    expect(parser.push('\n\n')).toEqual([]);
  });
});

describe('SseClient against a local event stream', () => {
  const PATH = '/api/v3/subscribe';
  let server: FeedReplayServer;
  let client: SseClient | null;
  let events: SseEvent[];
  let opened: number;
  let downs: number;

  beforeEach(async () => {
    server = await FeedReplayServer.start();
    server.enableSse(PATH);
    client = null;
    events = [];
    opened = 0;
    downs = 0;
  });

  afterEach(async () => {
    await client?.stop();
    await server.close();
  });

  function start(extra: Partial<SseClientOptions> = {}): SseClient {
    client = new SseClient({
      name: 'sr-vma:push',
      source: 'sr-vma',
      url: `${server.url}${PATH}`,
      clock: new ManualClock(Date.parse('2026-03-02T09:00:00Z')),
      backoff: { initialMs: 20, maxMs: 200, factor: 2, jitter: 0 },
      reconnectMs: 10,
      onEvent: (e) => events.push(e),
      onOpen: () => opened++,
      onDown: () => downs++,
      ...extra,
    });
    client.start();
    return client;
  }

  it('delivers a pushed VMA', async () => {
    const c = start();
    await server.waitForSseClients(PATH, 1);
    await eventually(() => c.connected, 2_000, 'connected');
    expect(server.pushEvent(PATH, { event: 'alert', id: 'a1', data: fixture('sr-vma-vara-alert.json') })).toBe(1);
    await eventually(() => events.length === 1, 2_000, 'the event');
    expect(JSON.parse(events[0]?.data ?? '').alerts[0].identifier).toBe('SRVMA20260302101200A');
    expect(events[0]).toMatchObject({ event: 'alert', id: 'a1' });
    expect(c.health()).toMatchObject({ kind: 'push', connected: true, consecutiveFailures: 0, nextPollAt: null });
    expect(server.requestsTo(PATH)[0]?.headers.accept).toBe('text/event-stream');
  });

  it('reconnects after a drop and sends Last-Event-ID', async () => {
    const c = start();
    await server.waitForSseClients(PATH, 1);
    server.pushEvent(PATH, { id: '41', data: '{"message":"x"}' });
    await eventually(() => events.length === 1, 2_000, 'the first event');
    server.dropSseClients(PATH);
    await server.waitForRequests(PATH, 2);
    await server.waitForSseClients(PATH, 1);
    expect(server.requestsTo(PATH)[1]?.headers['last-event-id']).toBe('41');
    server.pushEvent(PATH, { id: '42', data: 'after reconnect' });
    await eventually(() => events.length === 2, 2_000, 'the second event');
    expect(c.lastEventId).toBe('42');
    expect(opened).toBe(2);
    expect(downs).toBeGreaterThanOrEqual(1);
  });

  it('backs off while the stream is refused, then connects and resets the failure count', async () => {
    server.failNext(
      PATH,
      { status: 503 },
      { status: 503 },
      { status: 200, body: 'not a stream', headers: { 'content-type': 'text/html' } },
    );
    const c = start();
    await server.waitForSseClients(PATH, 1);
    expect(server.requestsTo(PATH)).toHaveLength(4);
    expect(c.health().lastError).toMatchObject({ kind: 'shape' });
    expect(downs).toBe(3);
    server.pushEvent(PATH, { data: 'hello' });
    await eventually(() => events.length === 1, 2_000, 'the event');
    expect(c.health().consecutiveFailures).toBe(0);
  });

  it('treats a silent stream as dead and reconnects', async () => {
    const c = start({ idleTimeoutMs: 100 });
    await server.waitForRequests(PATH, 2, 3_000);
    expect(c.health().lastError).toMatchObject({ kind: 'timeout' });
  });

  it('stop() closes the stream and schedules nothing', async () => {
    const c = start();
    await server.waitForSseClients(PATH, 1);
    await c.stop();
    await eventually(() => server.sseClientCount(PATH) === 0, 2_000, 'the stream to close');
    expect(c.health()).toMatchObject({ connected: false, nextPollAt: null });
    await new Promise((r) => setTimeout(r, 50));
    expect(server.requestsTo(PATH)).toHaveLength(1);
  });
});

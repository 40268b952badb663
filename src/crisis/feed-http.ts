// The one place feeds touch HTTP. Every failure becomes a FeedFetchError with a kind the poller can act on
// (429 -> honour Retry-After, everything else -> exponential back-off); nothing else is thrown.

export type FeedErrorKind =
  | 'timeout'
  | 'network'
  | 'http'
  | 'rate-limited'
  | 'too-large'
  | 'malformed'
  | 'shape'
  | 'aborted';

export class FeedFetchError extends Error {
  readonly feedFetch = true;
  constructor(
    readonly kind: FeedErrorKind,
    message: string,
    readonly status: number | null = null,
    /** From a Retry-After header (429 or 503), in ms from the time of the response. */
    readonly retryAfterMs: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FeedFetchError';
  }
}

export type FetchLike = (input: string | URL, init?: RequestInit) => Promise<Response>;

export const SKYLT_USER_AGENT = 'Skylt/0.1 (Vara E20 signs; +https://www.vara.se)';

/** Retry-After is either delta-seconds or an HTTP date (RFC 9110, 10.2.3). Returns ms from `now`, or null. */
export function parseRetryAfter(header: string | null, now: number): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, at - now) : null;
}

export interface FeedRequest {
  url: string;
  fetch: FetchLike;
  timeoutMs: number;
  /** Responses larger than this are refused: a feed is kilobytes, a runaway body must not fill the edge box. */
  maxBytes: number;
  accept: string;
  now: () => number;
  /** Aborts the request when the poller stops. */
  signal?: AbortSignal;
  etag?: string | null;
  lastModified?: string | null;
}

export type FeedResponse =
  | { notModified: true }
  | { notModified: false; body: string; etag: string | null; lastModified: string | null; contentType: string | null };

async function readLimited(response: Response, maxBytes: number, url: string): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => {});
    throw new FeedFetchError('too-large', `${url}: body of ${declared} bytes exceeds ${maxBytes}`, response.status);
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const decoder = new TextDecoder('utf-8');
  let text = '';
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
    if (bytes > maxBytes) {
      await reader.cancel().catch(() => {});
      throw new FeedFetchError('too-large', `${url}: body exceeds ${maxBytes} bytes`, response.status);
    }
    text += decoder.decode(value, { stream: true });
  }
  return text + decoder.decode();
}

/** GET a feed with a timeout that covers headers and body. Throws only FeedFetchError. */
export async function fetchFeed(request: FeedRequest): Promise<FeedResponse> {
  const { url, timeoutMs } = request;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = request.signal ? AbortSignal.any([timeout, request.signal]) : timeout;
  const headers: Record<string, string> = { accept: request.accept, 'user-agent': SKYLT_USER_AGENT };
  if (request.etag) headers['if-none-match'] = request.etag;
  if (request.lastModified) headers['if-modified-since'] = request.lastModified;
  try {
    const response = await request.fetch(url, { headers, signal, redirect: 'follow' });
    if (response.status === 304) {
      await response.body?.cancel().catch(() => {});
      return { notModified: true };
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => {});
      const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), request.now());
      const kind = response.status === 429 ? 'rate-limited' : 'http';
      const hint = retryAfterMs !== null ? ` (Retry-After ${Math.round(retryAfterMs / 1000)} s)` : '';
      throw new FeedFetchError(kind, `${url}: HTTP ${response.status}${hint}`, response.status, retryAfterMs);
    }
    const body = await readLimited(response, request.maxBytes, url);
    return {
      notModified: false,
      body,
      etag: response.headers.get('etag'),
      lastModified: response.headers.get('last-modified'),
      contentType: response.headers.get('content-type'),
    };
  } catch (error: unknown) {
    if (error instanceof FeedFetchError) throw error;
    if (timeout.aborted) {
      throw new FeedFetchError('timeout', `${url}: no complete answer within ${timeoutMs} ms`, null, null, {
        cause: error,
      });
    }
    if (request.signal?.aborted) {
      throw new FeedFetchError('aborted', `${url}: request aborted (stopping)`, null, null, { cause: error });
    }
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    const message = error instanceof Error ? error.message : String(error);
    throw new FeedFetchError('network', `${url}: ${message}${cause}`, null, null, { cause: error });
  }
}

/** A small HTTP caller for a Skylt whose address changes at every restart; a lost connection is its own error. */

export type Auth = { bearer: string } | { cookie: string; csrf: string } | null;

/** The request may or may not have reached the store: the connection died before the whole answer came back. */
export class ConnectionLostError extends Error {
  constructor(method: string, path: string, cause: unknown) {
    super(`${method} ${path}: connection lost (${cause instanceof Error ? cause.message : String(cause)})`);
    this.name = 'ConnectionLostError';
  }
}

// biome-ignore lint/suspicious/noExplicitAny: answers are JSON that each caller reads as it expects
export type Json = any;

export interface Answer {
  status: number;
  body: Json;
  headers: Headers;
}

export class Http {
  constructor(public base: string) {}

  async call(
    method: string,
    path: string,
    auth: Auth,
    body?: unknown,
    timeoutMs = 20_000,
    extraHeaders: Record<string, string> = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...extraHeaders };
    if (auth && 'bearer' in auth) headers.authorization = `Bearer ${auth.bearer}`;
    if (auth && 'cookie' in auth) {
      headers.cookie = auth.cookie;
      if (method !== 'GET') headers['x-csrf-token'] = auth.csrf;
    }
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      const res = await fetch(`${this.base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      const type = res.headers.get('content-type') ?? '';
      return {
        status: res.status,
        body: type.includes('json') && text ? JSON.parse(text) : text,
        headers: res.headers,
      };
    } catch (error: unknown) {
      throw new ConnectionLostError(method, path, error);
    }
  }

  get(path: string, auth: Auth): Promise<Answer> {
    return this.call('GET', path, auth);
  }
}

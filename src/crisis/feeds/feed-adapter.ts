import { z } from 'zod';
import { Alert, type AlertSource } from '../alert.ts';

/** Why a whole payload was rejected: not JSON/XML at all, or JSON/XML of the wrong shape. */
export type FeedParseReason = 'malformed' | 'shape';

/**
 * A payload an adapter cannot use. Adapters return it rather than throw, so a bad payload can never escape a
 * poller; callers test `error.feedParse`, not the message.
 */
export class FeedParseError extends Error {
  readonly feedParse = true;
  constructor(
    readonly source: AlertSource,
    readonly reason: FeedParseReason,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${source} feed: ${message}`, options);
    this.name = 'FeedParseError';
  }
}

/** One item of an otherwise usable payload that could not be normalised; the rest of the payload still counts. */
export interface FeedItemIssue {
  index: number;
  id: string | null;
  message: string;
}

/** An Atom/RSS entry that points at a CAP document instead of embedding it; the poller fetches it. */
export interface FollowLink {
  url: string;
  /** Entry `updated` (or id): a link is fetched again only when this changes. */
  version: string | null;
}

export type AdapterResult =
  | { ok: true; alerts: Alert[]; issues: FeedItemIssue[]; follow: FollowLink[] }
  | { ok: false; error: FeedParseError };

export interface AdapterOptions {
  /** Preferred language of CAP info blocks (prefix match on the `language` tag). Default 'sv'. */
  language?: string;
}

/** Turns a feed body into normalised alerts. Never throws. */
export interface FeedAdapter {
  readonly source: AlertSource;
  parse(body: string): AdapterResult;
}

export function failed(source: AlertSource, reason: FeedParseReason, message: string, cause?: unknown): AdapterResult {
  return { ok: false, error: new FeedParseError(source, reason, message, cause === undefined ? undefined : { cause }) };
}

export function parseJson(
  source: AlertSource,
  body: string,
): { ok: true; value: unknown } | { ok: false; result: AdapterResult } {
  try {
    return { ok: true, value: JSON.parse(body.replace(/^\uFEFF/, '')) };
  } catch (error: unknown) {
    const why = error instanceof Error ? error.message : String(error);
    return { ok: false, result: failed(source, 'malformed', `body is not JSON (${why})`, error) };
  }
}

/** Validates a built alert against the model; a failure becomes an item issue, never an exception. */
export function checkAlert(candidate: unknown): { ok: true; alert: Alert } | { ok: false; message: string } {
  const parsed = Alert.safeParse(candidate);
  return parsed.success ? { ok: true, alert: parsed.data } : { ok: false, message: z.prettifyError(parsed.error) };
}

export function describeError(error: unknown): string {
  if (error instanceof z.ZodError) return z.prettifyError(error);
  return error instanceof Error ? error.message : String(error);
}

/** Wraps a whole-payload parse so that even a bug in an adapter surfaces as a FeedParseError. */
export function guard(source: AlertSource, parse: () => AdapterResult): AdapterResult {
  try {
    return parse();
  } catch (error: unknown) {
    return failed(source, 'shape', `unexpected payload (${describeError(error)})`, error);
  }
}

// ---- small value helpers shared by the adapters ----

/** A text value from JSON or from fast-xml-parser (where an element with attributes is {'#text': ...}). */
export function textOf(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (value !== null && typeof value === 'object' && '#text' in value)
    return textOf((value as { '#text': unknown })['#text']);
  return null;
}

export function asArray(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Epoch ms of an ISO 8601 timestamp; null for anything else (no guessing at locale formats). */
export function parseTime(value: unknown): number | null {
  const text = textOf(value)?.trim();
  if (!text || !/^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i.test(text)) return null;
  const ms = Date.parse(text.replace(' ', 'T'));
  return Number.isFinite(ms) ? ms : null;
}

/** An http(s) link with entities decoded ("&amp;" appears in SR VMA `web`), or null. */
export function linkOf(value: unknown): string | null {
  const text = textOf(value)?.trim().replace(/&amp;/gi, '&');
  if (!text) return null;
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? text : null;
  } catch {
    return null;
  }
}

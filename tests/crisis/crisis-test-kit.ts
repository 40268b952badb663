import type { Alert } from '../../src/crisis/alert.ts';
import { SignLocation } from '../../src/crisis/area-match.ts';
import type { FeedLog, Timers } from '../../src/crisis/feed-poller.ts';
import type { FeedAdapter } from '../../src/crisis/feeds/feed-adapter.ts';

/** The two E20 signs at Vara, as the crisis feeds see them. */
export const VARA_SIGNS: SignLocation[] = [
  SignLocation.parse({
    id: 'E20-N',
    lat: 58.2676,
    lon: 12.9512,
    municipalityCode: '1470',
    countyCode: '14',
    municipalityName: 'Vara',
  }),
  SignLocation.parse({
    id: 'E20-S',
    lat: 58.2664,
    lon: 12.9487,
    municipalityCode: '1470',
    countyCode: '14',
    municipalityName: 'Vara',
  }),
];
export const VARA_SIGN_IDS = ['E20-N', 'E20-S'];

/** Alerts from an adapter, failing the test on a payload error. */
export function alertsOf(adapter: FeedAdapter, body: string): Alert[] {
  const result = adapter.parse(body);
  if (!result.ok) throw result.error;
  return result.alerts;
}

export function only<T>(items: readonly T[]): T {
  if (items.length !== 1) throw new Error(`expected exactly one item, got ${items.length}`);
  return items[0] as T;
}

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  obj: object;
  msg: string;
}

/** A FeedLog that keeps every line, for asserting that ignores are logged with their reason. */
export function recordingLog(): FeedLog & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const at = (level: LogLine['level']) => (obj: object, msg?: string) => {
    lines.push({ level, obj, msg: msg ?? '' });
  };
  return { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Timers that only record what was scheduled: the test decides when (and whether) anything runs. */
export class ManualTimers implements Timers {
  readonly scheduled: { id: number; ms: number; callback: () => void }[] = [];
  private nextId = 1;

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.scheduled.push({ id, ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    const i = this.scheduled.findIndex((t) => t.id === handle);
    if (i >= 0) this.scheduled.splice(i, 1);
  }

  /** Delays of the timers still pending. */
  get pendingDelays(): number[] {
    return this.scheduled.map((t) => t.ms);
  }
}

/** Resolves when `check` passes, polling every few ms; for events that cross the real HTTP stack. */
export async function eventually(check: () => boolean, timeoutMs = 5_000, what = 'condition'): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

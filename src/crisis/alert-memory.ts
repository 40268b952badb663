import { type Alert, type AlertSource, alertKey, referencedIds } from './alert.ts';
import type { CrisisAction } from './crisis-policy.ts';

/**
 * Sources that change an item in place under the same id (Krisinformation `Updated`, SMHI `published`) instead of
 * sending a CAP Update with a new id.
 */
const IN_PLACE_SOURCES: ReadonlySet<AlertSource> = new Set(['krisinformation', 'smhi']);

/** Krisinformation has been seen to rewrite an item's text and keep its `Updated`: compare the text as well. */
function shownText(alert: Alert): string {
  return JSON.stringify([alert.headline, alert.description, alert.instruction]);
}

interface Seen {
  sent: number;
  /** What a reader sees of it; an in-place source may change this without changing its time. */
  text: string | null;
  action: CrisisAction | null;
  lastSeenAt: number;
}

export type SeenVerdict =
  | { kind: 'new'; alert: Alert }
  | { kind: 'duplicate' }
  /** An in-place source changed an item we acted on: handle it as a CAP Update of itself. */
  | { kind: 'changed'; alert: Alert };

/**
 * Which alerts were already handled, by source + id + msgType: every poll returns the whole feed, and push and
 * poll deliver the same VMA. Entries not seen in any payload for `retentionMs` are forgotten.
 */
export class SeenAlerts {
  private readonly seen = new Map<string, Seen>();

  constructor(
    private readonly retentionMs = 7 * 24 * 3600_000,
    preload: Iterable<string> = [],
  ) {
    for (const key of preload)
      this.seen.set(key, { sent: Number.NaN, text: null, action: null, lastSeenAt: Number.POSITIVE_INFINITY });
  }

  check(alert: Alert, now: number): SeenVerdict {
    const key = alertKey(alert);
    const previous = this.seen.get(key);
    if (previous) previous.lastSeenAt = Math.max(previous.lastSeenAt, now);
    if (!previous) return { kind: 'new', alert };
    if (
      !IN_PLACE_SOURCES.has(alert.source) ||
      Number.isNaN(previous.sent) ||
      (previous.sent === alert.sent && previous.text === shownText(alert))
    ) {
      return { kind: 'duplicate' };
    }
    if (previous.action === null || previous.action === 'ignore' || previous.action === 'end') {
      return { kind: 'new', alert };
    }
    return {
      kind: 'changed',
      alert: { ...alert, msgType: 'Update', references: [{ id: alert.id, sender: alert.sender, sent: null }] },
    };
  }

  /** Records the decision for the alert as it arrived (its original msgType). */
  remember(alert: Alert, action: CrisisAction, now: number): void {
    this.seen.set(alertKey(alert), { sent: alert.sent, text: shownText(alert), action, lastSeenAt: now });
    if (this.seen.size > 1000) this.prune(now);
  }

  keys(): string[] {
    return [...this.seen.keys()];
  }

  private prune(now: number): void {
    for (const [key, entry] of this.seen) if (now - entry.lastSeenAt > this.retentionMs) this.seen.delete(key);
  }
}

interface ActiveGroup {
  ids: Set<string>;
  expires: number | null;
}

/**
 * The alerts this monitor started (takeover or propose) and has not seen end, grouped per crisis, so that an
 * Update or Cancel can be resolved even when it names only the latest Update or only the incident.
 */
export class ActiveAlerts {
  private groups: ActiveGroup[] = [];

  ids(now: number): Set<string> {
    this.groups = this.groups.filter((g) => g.expires === null || g.expires > now);
    return new Set(this.groups.flatMap((g) => [...g.ids]));
  }

  record(action: CrisisAction, alert: Alert): void {
    const linked = new Set([alert.id, ...alert.incidents, ...referencedIds(alert)]);
    const matching = this.groups.filter((g) => [...linked].some((id) => g.ids.has(id)));
    switch (action) {
      case 'takeover':
      case 'propose':
      case 'update': {
        // An Update's references join its group even when it was judged as new (its original was never seen),
        // so that a later Cancel naming the original still resolves.
        const group: ActiveGroup = { ids: new Set(linked), expires: alert.expires };
        for (const g of matching) for (const id of g.ids) group.ids.add(id);
        this.groups = [...this.groups.filter((g) => !matching.includes(g)), group];
        break;
      }
      case 'end':
        this.groups = this.groups.filter((g) => !matching.includes(g));
        break;
      case 'ignore':
        break;
    }
  }
}

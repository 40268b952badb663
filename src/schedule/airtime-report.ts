import { ORGANISATIONS, type Organisation } from '../domain/item-content.ts';
import type { PlayRecord } from '../store/play-log-repository.ts';

/**
 * Airtime from the proof of play (pages the signs confirmed by ACK): per organisation, item and
 * sign over a period, with the configured share against the delivered one. The shares are those of
 * the shared rotation (priority "scheduled"); overrides, crisis and the fallback loop are reported
 * beside it, not in it.
 */

export const PRIORITIES = ['crisis', 'override', 'scheduled', 'fallback'] as const;
export type ReportPriority = (typeof PRIORITIES)[number];

export interface OrganisationAirtime {
  readonly organisation: Organisation;
  /** Seconds in the shared rotation. */
  readonly seconds: number;
  readonly overrideSeconds: number;
  readonly plays: number;
  readonly configuredShare: number;
  /** Of the rotation's airtime in the period; null when the rotation had none. */
  readonly deliveredShare: number | null;
  /** Delivered minus configured, percentage points. */
  readonly differencePp: number | null;
}

export interface ItemAirtime {
  readonly itemId: string;
  readonly organisation: Organisation | null;
  readonly priority: ReportPriority;
  readonly seconds: number;
  readonly plays: number;
  readonly signs: string[];
}

export interface SignAirtime {
  readonly signId: string;
  readonly seconds: Readonly<Record<ReportPriority, number>>;
  readonly organisations: Array<{ organisation: Organisation; seconds: number; deliveredShare: number | null }>;
}

export interface AirtimeReport {
  readonly from: string;
  readonly to: string;
  readonly generatedAt: string;
  readonly configuredShares: Readonly<Record<Organisation, number>>;
  readonly organisations: OrganisationAirtime[];
  readonly items: ItemAirtime[];
  readonly signs: SignAirtime[];
}

const isPriority = (p: string): p is ReportPriority => (PRIORITIES as readonly string[]).includes(p);
const isOrg = (o: string | null): o is Organisation => o !== null && (ORGANISATIONS as readonly string[]).includes(o);

/** Seconds of a play inside [from, to); a play still running counts until `now`. */
export function secondsWithin(play: PlayRecord, from: number, to: number, now: number): number {
  const start = Math.max(Date.parse(play.startedAt), from);
  const end = Math.min(play.endedAt ? Date.parse(play.endedAt) : now, to);
  return end > start ? (end - start) / 1000 : 0;
}

export function airtimeReport(
  plays: readonly PlayRecord[],
  period: { from: number; to: number; now: number },
  configuredShares: Readonly<Record<Organisation, number>>,
  signIds: readonly string[],
): AirtimeReport {
  const { from, to, now } = period;
  const orgRotation: Record<Organisation, number> = { kommun: 0, konserthus: 0 };
  const orgOverride: Record<Organisation, number> = { kommun: 0, konserthus: 0 };
  const orgPlays: Record<Organisation, number> = { kommun: 0, konserthus: 0 };
  const items = new Map<
    string,
    {
      itemId: string;
      organisation: Organisation | null;
      priority: ReportPriority;
      seconds: number;
      plays: number;
      signs: Set<string>;
    }
  >();
  const signs = new Map<string, { seconds: Record<ReportPriority, number>; orgs: Record<Organisation, number> }>();
  const signOf = (id: string) => {
    let s = signs.get(id);
    if (!s) {
      s = { seconds: { crisis: 0, override: 0, scheduled: 0, fallback: 0 }, orgs: { kommun: 0, konserthus: 0 } };
      signs.set(id, s);
    }
    return s;
  };
  for (const id of signIds) signOf(id);

  for (const p of plays) {
    const seconds = secondsWithin(p, from, to, now);
    if (seconds <= 0 || !isPriority(p.priority)) continue;
    const sign = signOf(p.signId);
    sign.seconds[p.priority] += seconds;
    const org = isOrg(p.organisation) ? p.organisation : null;
    if (org && p.priority === 'scheduled') {
      orgRotation[org] += seconds;
      sign.orgs[org] += seconds;
      orgPlays[org]++;
    } else if (org && p.priority === 'override') {
      orgOverride[org] += seconds;
      orgPlays[org]++;
    }
    const itemId = p.itemId ?? '(none)';
    const key = `${p.priority}\u0000${itemId}`;
    let it = items.get(key);
    if (!it) {
      it = { itemId, organisation: org, priority: p.priority, seconds: 0, plays: 0, signs: new Set() };
      items.set(key, it);
    }
    it.seconds += seconds;
    it.plays++;
    it.signs.add(p.signId);
  }

  const rotationTotal = orgRotation.kommun + orgRotation.konserthus;
  const share = (n: number, total: number) => (total > 0 ? n / total : null);
  return {
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    generatedAt: new Date(now).toISOString(),
    configuredShares: { ...configuredShares },
    organisations: ORGANISATIONS.map((organisation) => {
      const delivered = share(orgRotation[organisation], rotationTotal);
      const configured = configuredShares[organisation];
      return {
        organisation,
        seconds: round(orgRotation[organisation]),
        overrideSeconds: round(orgOverride[organisation]),
        plays: orgPlays[organisation],
        configuredShare: configured,
        deliveredShare: delivered === null ? null : round(delivered, 4),
        differencePp: delivered === null ? null : round((delivered - configured) * 100, 2),
      };
    }),
    items: [...items.values()]
      .sort((a, b) => b.seconds - a.seconds || a.itemId.localeCompare(b.itemId))
      .map((i) => ({ ...i, seconds: round(i.seconds), signs: [...i.signs].sort() })),
    signs: [...signs.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([signId, s]) => {
        const total = s.orgs.kommun + s.orgs.konserthus;
        return {
          signId,
          seconds: {
            crisis: round(s.seconds.crisis),
            override: round(s.seconds.override),
            scheduled: round(s.seconds.scheduled),
            fallback: round(s.seconds.fallback),
          },
          organisations: ORGANISATIONS.map((organisation) => {
            const d = share(s.orgs[organisation], total);
            return {
              organisation,
              seconds: round(s.orgs[organisation]),
              deliveredShare: d === null ? null : round(d, 4),
            };
          }),
        };
      }),
  };
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

const CSV_HEADER = [
  'section',
  'sign_id',
  'organisation',
  'item_id',
  'priority',
  'seconds',
  'plays',
  'configured_share',
  'delivered_share',
];

/** One CSV for the whole report: a `section` column says which table a row belongs to (organisation, item, sign). */
export function airtimeReportCsv(r: AirtimeReport): string {
  const rows: Array<Array<string | number | null>> = [CSV_HEADER];
  for (const o of r.organisations) {
    rows.push([
      'organisation',
      '',
      o.organisation,
      '',
      'scheduled',
      o.seconds,
      o.plays,
      o.configuredShare,
      o.deliveredShare,
    ]);
    if (o.overrideSeconds > 0)
      rows.push(['organisation', '', o.organisation, '', 'override', o.overrideSeconds, null, null, null]);
  }
  for (const i of r.items)
    rows.push(['item', i.signs.join(' '), i.organisation, i.itemId, i.priority, i.seconds, i.plays, null, null]);
  for (const s of r.signs) {
    for (const p of PRIORITIES) rows.push(['sign', s.signId, '', '', p, s.seconds[p], null, null, null]);
    for (const o of s.organisations)
      rows.push([
        'sign',
        s.signId,
        o.organisation,
        '',
        'scheduled',
        o.seconds,
        null,
        r.configuredShares[o.organisation],
        o.deliveredShare,
      ]);
  }
  return `${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** The proof of play itself, row by row. */
export function playsCsv(plays: readonly PlayRecord[]): string {
  const rows: Array<Array<string | number | null>> = [
    ['sign_id', 'priority', 'item_id', 'organisation', 'slot', 'crc32', 'started_at', 'ended_at'],
  ];
  for (const p of plays)
    rows.push([
      p.signId,
      p.priority,
      p.itemId,
      p.organisation,
      p.slot,
      (p.crc32 >>> 0).toString(16).padStart(8, '0'),
      p.startedAt,
      p.endedAt,
    ]);
  return `${rows.map((row) => row.map(csvCell).join(',')).join('\r\n')}\r\n`;
}

/** RFC 4180 quoting; a leading = + - @ is defused so a spreadsheet never runs a cell as a formula. */
function csvCell(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const s = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../domain/clock.ts';
import { addDays, localTime, startOfLocalDay } from '../domain/local-time.ts';
import { airtimeReport, airtimeReportCsv, playsCsv } from '../schedule/airtime-report.ts';
import type { Scheduling } from '../schedule/scheduling.ts';
import type { Db } from '../store/database.ts';
import { proofOfPlayRepository } from '../store/proof-of-play-repository.ts';
import { HttpError } from './error-handler.ts';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MAX_PERIOD_DAYS = 400;

const Instant = z.string().refine((v) => DATE.test(v) || z.iso.datetime({ offset: true }).safeParse(v).success, {
  message: 'a local date "YYYY-MM-DD" (midnight in Vara) or an ISO 8601 time with offset',
});

const Period = z.object({
  from: Instant.optional().describe(
    'start, inclusive: "2026-12-01" (local midnight) or an ISO time; today when absent',
  ),
  to: Instant.optional().describe('end, exclusive: "2026-12-08" or an ISO time; the day after `from` when absent'),
  sign: z.string().optional().describe('one sign id; every sign when absent'),
  format: z.enum(['json', 'csv']).optional().describe('json (default) or csv; "Accept: text/csv" also gives csv'),
});

const OrganisationRow = z.object({
  organisation: z.string(),
  seconds: z.number().describe('seconds in the shared rotation'),
  overrideSeconds: z.number(),
  plays: z.int(),
  configuredShare: z.number(),
  deliveredShare: z.number().nullable(),
  differencePp: z.number().nullable().describe('delivered minus configured, percentage points'),
});

const AirtimeReportView = z.object({
  from: z.string(),
  to: z.string(),
  generatedAt: z.string(),
  configuredShares: z.record(z.string(), z.number()),
  organisations: z.array(OrganisationRow),
  items: z.array(
    z.object({
      itemId: z.string(),
      organisation: z.string().nullable(),
      priority: z.string(),
      seconds: z.number(),
      plays: z.int(),
      signs: z.array(z.string()),
    }),
  ),
  signs: z.array(
    z.object({
      signId: z.string(),
      seconds: z.record(z.string(), z.number()),
      organisations: z.array(
        z.object({ organisation: z.string(), seconds: z.number(), deliveredShare: z.number().nullable() }),
      ),
    }),
  ),
});

const PlayRow = z.object({
  signId: z.string(),
  priority: z.string(),
  itemId: z.string().nullable(),
  organisation: z.string().nullable(),
  slot: z.int(),
  crc32: z.int(),
  startedAt: z.string(),
  endedAt: z.string().nullable(),
});

function instant(v: string): number {
  return DATE.test(v) ? startOfLocalDay(v) : Date.parse(v);
}

function period(q: { from?: string | undefined; to?: string | undefined }, now: number): { from: number; to: number } {
  const from = q.from ? instant(q.from) : startOfLocalDay(localTime(now).date);
  const to = q.to ? instant(q.to) : startOfLocalDay(addDays(localTime(from).date, 1));
  if (!(to > from)) throw new HttpError(400, '`to` must be after `from`', [{ field: 'to', message: 'not after from' }]);
  if (to - from > MAX_PERIOD_DAYS * 86_400_000) {
    throw new HttpError(400, `a report covers at most ${MAX_PERIOD_DAYS} days`, [
      { field: 'to', message: 'period too long' },
    ]);
  }
  return { from, to };
}

function wantsCsv(format: string | undefined, accept: string | undefined): boolean {
  return format === 'csv' || (format === undefined && /\btext\/csv\b/.test(accept ?? ''));
}

/**
 * Proof of play and airtime, from the pages the signs confirmed: GET /api/reports/airtime (per
 * organisation, item and sign, configured against delivered share) and GET /api/reports/plays
 * (every confirmed page), each as JSON or CSV.
 */
/** What the reports read: the proof of play in the store, the signs, the configured shares. */
export interface ReportParts {
  readonly db: Db;
  readonly clock: Clock;
  readonly signs: ReadonlyMap<string, unknown>;
  readonly scheduling: Pick<Scheduling, 'schedule'>;
}

export function reportRoutes(runtime: ReportParts): FastifyPluginAsyncZod {
  const plays = proofOfPlayRepository(runtime.db);
  return async (app) => {
    app.get(
      '/api/reports/airtime',
      {
        schema: {
          tags: ['reports'],
          summary: 'Airtime per organisation, item and sign over a period, with configured vs delivered share',
          description:
            'From the proof of play: only pages the signs confirmed (ACK). Shares are of the shared rotation (priority "scheduled"); overrides, crisis and the fallback loop are reported beside it. The configured share is the live one.',
          querystring: Period,
          response: { 200: AirtimeReportView },
        },
      },
      async (request, reply) => {
        const now = runtime.clock.now();
        const q = request.query;
        const { from, to } = period(q, now);
        if (q.sign && !runtime.signs.has(q.sign))
          throw new HttpError(404, `no sign "${q.sign}"; signs are ${[...runtime.signs.keys()].join(', ')}`);
        const rows = plays.overlapping(new Date(from).toISOString(), new Date(to).toISOString(), q.sign ?? null);
        const signIds = q.sign ? [q.sign] : [...runtime.signs.keys()];
        const report = airtimeReport(rows, { from, to, now }, runtime.scheduling.schedule().settings.shares, signIds);
        if (wantsCsv(q.format, request.headers.accept)) {
          const name = `airtime-${localTime(from).date}-${localTime(to - 1).date}.csv`;
          return reply
            .type('text/csv; charset=utf-8')
            .header('Content-Disposition', `attachment; filename="${name}"`)
            .send(airtimeReportCsv(report) as never);
        }
        return report;
      },
    );

    app.get(
      '/api/reports/plays',
      {
        schema: {
          tags: ['reports'],
          summary: 'Proof of play: every page a sign confirmed, with its start and end',
          querystring: Period,
          response: { 200: z.object({ from: z.string(), to: z.string(), plays: z.array(PlayRow) }) },
        },
      },
      async (request, reply) => {
        const now = runtime.clock.now();
        const q = request.query;
        const { from, to } = period(q, now);
        const rows = plays.overlapping(new Date(from).toISOString(), new Date(to).toISOString(), q.sign ?? null);
        if (wantsCsv(q.format, request.headers.accept)) {
          return reply
            .type('text/csv; charset=utf-8')
            .header('Content-Disposition', `attachment; filename="plays-${localTime(from).date}.csv"`)
            .send(playsCsv(rows) as never);
        }
        return {
          from: new Date(from).toISOString(),
          to: new Date(to).toISOString(),
          plays: rows.map((r) => ({ ...r, crc32: r.crc32 >>> 0 })),
        };
      },
    );
  };
}

import { z } from 'zod';
import { type Alert, AlertSeverity, type AlertSource, isExpired, referencedIds, WarningLevel } from './alert.ts';
import { describeAreas, matchAlertArea, type SignLocation, shapeCovers } from './area-match.ts';
import { namesPlace } from './sign-text.ts';

/**
 * What the crisis state should do with an alert:
 * - takeover: show it on `signIds` now, no person involved (SR VMA default);
 * - propose: offer it to a communicator, who approves with one click;
 * - update: replace the running text of the crisis the alert references;
 * - end: end the crisis the alert references (Cancel), signs return to the schedule;
 * - ignore: log `reason`, show nothing.
 */
export const CrisisAction = z.enum(['takeover', 'propose', 'update', 'end', 'ignore']);
export type CrisisAction = z.infer<typeof CrisisAction>;

export interface CrisisDecision {
  action: CrisisAction;
  alert: Alert;
  /** Signs the action applies to; for 'update'/'end' the crisis state resolves the crisis by `referencedIds(alert)`. */
  signIds: string[];
  reason: string;
}

function sourcePolicy(
  onAlert: 'takeover' | 'propose' | 'ignore',
  extra: { minLevel?: WarningLevel; maxAgeMinutes?: number; onCountyOnly?: 'takeover' | 'propose' | 'ignore' } = {},
) {
  return z
    .object({
      enabled: z.boolean().default(true),
      /** What an in-area, current, Actual alert from this source does. */
      onAlert: z.enum(['takeover', 'propose', 'ignore']).default(onAlert),
      /**
       * What it does on a sign it reaches only through a whole county (Län 14, NUTS3 SE232, "Västra Götalands län")
       * when its text does not name the sign's municipality: a VMA for Uddevalla carries county 14 too. The less
       * forceful of this and `onAlert` applies, so it can only hold an alert back, never push one further. Default
       * 'propose' for SR VMA (issue 12.5); 'takeover' (no effect) for the sources that propose anyway, so that
       * SKYLT_CAP_POLICY=takeover keeps meaning what it says.
       */
      onCountyOnly: z.enum(['takeover', 'propose', 'ignore']).default(extra.onCountyOnly ?? 'takeover'),
      /** CAP severity at or above which alerts count; below it they are ignored. Unset: any severity. */
      minSeverity: AlertSeverity.optional(),
      /** SMHI warning level at or above which alerts count. Unset: any level. */
      minLevel:
        extra.minLevel === undefined ? WarningLevel.optional() : WarningLevel.optional().default(extra.minLevel),
      /** Alerts without an expiry older than this (by `sent`) are stale. Null: no limit. */
      maxAgeMinutes: z
        .number()
        .positive()
        .nullable()
        .default(extra.maxAgeMinutes ?? null),
    })
    .prefault({});
}

export const CrisisPolicyConfig = z
  .object({
    sources: z
      .object({
        'sr-vma': sourcePolicy('takeover', { onCountyOnly: 'propose' }),
        krisinformation: sourcePolicy('propose', { maxAgeMinutes: 24 * 60 }),
        smhi: sourcePolicy('propose', { minLevel: 'ORANGE' }),
        cap: sourcePolicy('propose'),
      })
      .prefault({}),
    /** Ignore the quarterly outdoor-siren test ("Hesa Fredrik") even when a sender marks it Actual. */
    ignoreSirenTests: z.boolean().default(true),
  })
  .prefault({});
export type CrisisPolicyConfig = z.infer<typeof CrisisPolicyConfig>;
export type CrisisPolicyConfigInput = z.input<typeof CrisisPolicyConfig>;
export type SourcePolicy = CrisisPolicyConfig['sources'][AlertSource];

export const DEFAULT_CRISIS_POLICY: CrisisPolicyConfig = CrisisPolicyConfig.parse(undefined);

/** What the crisis state knows is running (or proposed): alert ids and incident ids, to resolve Update/Cancel. */
export interface PolicyContext {
  activeAlertIds?: ReadonlySet<string>;
}

const SEVERITY_RANK: Record<AlertSeverity, number> = { Unknown: 0, Minor: 1, Moderate: 2, Severe: 3, Extreme: 4 };
const LEVEL_RANK: Record<WarningLevel, number> = { MESSAGE: 0, YELLOW: 1, ORANGE: 2, RED: 3 };

/**
 * The quarterly test of the outdoor warning signal (first non-holiday Monday of March, June, September and
 * December at 15.00) is published as a VMA. It is recognised by its words, never by the clock alone: a real VMA
 * can happen at 15.00 on a test Monday.
 */
export function isSirenTest(alert: Pick<Alert, 'event' | 'headline'>): boolean {
  const text = `${alert.event ?? ''} ${alert.headline ?? ''}`;
  return /test/i.test(text) && /(signal|siren|hesa fredrik|utomhuslarm|tyfon)/i.test(text);
}

function referencesActive(alert: Alert, active: ReadonlySet<string>): boolean {
  return referencedIds(alert).some((id) => active.has(id)) || alert.incidents.some((id) => active.has(id));
}

/** Why the alert is under the source's level/severity threshold, or null when it is not. */
function belowThreshold(alert: Alert, policy: SourcePolicy): string | null {
  if (policy.minLevel !== undefined && alert.level !== null && LEVEL_RANK[alert.level] < LEVEL_RANK[policy.minLevel]) {
    return `level ${alert.level} is below ${policy.minLevel}`;
  }
  if (policy.minSeverity !== undefined && SEVERITY_RANK[alert.severity] < SEVERITY_RANK[policy.minSeverity]) {
    return `severity ${alert.severity} is below ${policy.minSeverity}`;
  }
  return null;
}

function ignore(alert: Alert, reason: string): CrisisDecision {
  return { action: 'ignore', alert, signIds: [], reason };
}

function label(alert: Alert): string {
  return `${alert.source} ${alert.status} ${alert.msgType} ${alert.id}`;
}

/**
 * The takeover policy: a pure function of the alert, the signs, the time and the configuration. `context` lets it
 * resolve Updates against what is actually running; without it an Update is an 'update'. A Cancel is always an
 * 'end': the crisis state ends whatever crisis its references (or incidents) name, and nothing otherwise.
 */
export function decideCrisis(
  alert: Alert,
  signs: readonly SignLocation[],
  now: number,
  config: CrisisPolicyConfig = DEFAULT_CRISIS_POLICY,
  context: PolicyContext = {},
): CrisisDecision {
  const policy = config.sources[alert.source];
  const what = label(alert);
  if (!policy.enabled) return ignore(alert, `${what}: source ${alert.source} is disabled`);
  if (alert.status !== 'Actual') return ignore(alert, `${what}: status ${alert.status} is never shown`);
  if (alert.msgType === 'Ack' || alert.msgType === 'Error') {
    return ignore(alert, `${what}: ${alert.msgType} carries no warning`);
  }
  if (config.ignoreSirenTests && isSirenTest(alert)) {
    return ignore(alert, `${what}: test of the outdoor warning signal ("${alert.headline ?? alert.event}")`);
  }

  const allSignIds = signs.map((s) => s.id);
  const active = context.activeAlertIds;

  if (alert.msgType === 'Cancel') {
    // Always 'end': the crisis state resolves the references against what it holds. Ignoring a Cancel because this
    // process does not know the crisis (e.g. after a restart) would leave a finished warning on the road.
    const refs = referencedIds(alert).join(', ') || '(no references)';
    const known = active === undefined || referencesActive(alert, active) ? '' : ' (none known to be active here)';
    return { action: 'end', alert, signIds: allSignIds, reason: `${what}: cancels ${refs}${known}` };
  }

  if (isExpired(alert, now)) {
    return ignore(alert, `${what}: expired at ${new Date(alert.expires ?? 0).toISOString()}`);
  }
  if (alert.expires === null && policy.maxAgeMinutes !== null && now - alert.sent > policy.maxAgeMinutes * 60_000) {
    return ignore(alert, `${what}: sent ${new Date(alert.sent).toISOString()}, older than ${policy.maxAgeMinutes} min`);
  }

  const area = matchAlertArea(alert, signs);
  const covers = area.matches.map((m) => `${m.signId} by ${m.by}`).join(', ');

  if (alert.msgType === 'Update') {
    const refs = referencedIds(alert).join(', ') || '(no references)';
    const isActive = active === undefined || referencesActive(alert, active);
    if (isActive) {
      if (alert.areas.length === 0) {
        return { action: 'update', alert, signIds: allSignIds, reason: `${what}: updates ${refs}` };
      }
      if (area.signIds.length > 0) {
        const below = belowThreshold(alert, policy);
        if (below !== null) {
          return { action: 'end', alert, signIds: allSignIds, reason: `${what}: updates ${refs}; ${below}` };
        }
        return { action: 'update', alert, signIds: area.signIds, reason: `${what}: updates ${refs}; covers ${covers}` };
      }
      if (active !== undefined) {
        return {
          action: 'end',
          alert,
          signIds: allSignIds,
          reason: `${what}: updates ${refs} to an area without signs (${describeAreas(alert)})`,
        };
      }
      return ignore(alert, `${what}: out of area (${describeAreas(alert)})`);
    }
    // An update of something we never showed (missed while down, or ignored at the time) is judged as new.
  }

  if (alert.areas.length === 0) return ignore(alert, `${what}: names no area`);
  if (area.signIds.length === 0) return ignore(alert, `${what}: out of area (${describeAreas(alert)})`);

  const below = belowThreshold(alert, policy);
  if (below !== null) return ignore(alert, `${what}: ${below}`);
  if (policy.onAlert === 'ignore') {
    return ignore(alert, `${what}: policy for ${alert.source} is to ignore; covers ${covers}`);
  }

  const asNew = alert.msgType === 'Update' ? ' (update of an alert not active here, judged as new)' : '';
  const reach = signReach(alert, signs, area.signIds);
  const countyAction = weaker(policy.onAlert, policy.onCountyOnly);
  if (reach.countyOnly.length === 0 || countyAction === policy.onAlert) {
    const why = reach.countyOnly.length === 0 ? reach.covers : covers;
    return { action: policy.onAlert, alert, signIds: area.signIds, reason: `${what}: covers ${why}${asNew}` };
  }
  if (reach.direct.length > 0) {
    return {
      action: policy.onAlert,
      alert,
      signIds: reach.direct,
      reason: `${what}: covers ${reach.covers}; not ${reach.countyOnly.join(', ')} (county only)${asNew}`,
    };
  }
  const why = `county only (${covers}), and its text does not name ${reach.places}`;
  if (countyAction === 'ignore') {
    return ignore(alert, `${what}: ${why}; county-only policy for ${alert.source} is ignore`);
  }
  return { action: countyAction, alert, signIds: reach.countyOnly, reason: `${what}: ${why}${asNew}` };
}

/** Shapes that cover a whole county: reaching a sign through one of these alone does not say the sign's place. */
const COUNTY_WIDE = new Set<string>(['county', 'nuts3', 'countyName']);

/** Why a shape finer than a county (or the whole country) covers the sign, or null. */
function preciseCover(alert: Alert, sign: SignLocation): string | null {
  for (const area of alert.areas) {
    for (const shape of area.shapes) {
      if (COUNTY_WIDE.has(shape.kind)) continue;
      const why = shapeCovers(shape, sign);
      if (why !== null)
        return area.description && !why.includes(area.description) ? `${why} (${area.description})` : why;
    }
  }
  return null;
}

/**
 * Splits the covered signs into those the alert reaches directly (municipality, polygon, circle, the whole country,
 * or a county whose place the text names) and those it reaches only through their county.
 */
function signReach(alert: Alert, signs: readonly SignLocation[], covered: readonly string[]) {
  const text = [alert.headline, alert.description, alert.instruction, ...alert.areas.map((a) => a.description)]
    .filter((t): t is string => !!t)
    .join('\n');
  const direct: string[] = [];
  const countyOnly: string[] = [];
  const unnamed = new Set<string>();
  // Per sign, the shape the decision rests on (its kommun rather than the county listed first), for the log.
  const by: string[] = [];
  for (const sign of signs) {
    if (!covered.includes(sign.id)) continue;
    const precise = preciseCover(alert, sign);
    const place = sign.municipalityName;
    if (precise !== null) {
      direct.push(sign.id);
      by.push(`${sign.id} by ${precise}`);
    } else if (place !== undefined && namesPlace(text, place)) {
      direct.push(sign.id);
      by.push(`${sign.id} by county ${sign.countyCode}, and the text names ${place}`);
    } else {
      countyOnly.push(sign.id);
      unnamed.add(place ?? `kommun ${sign.municipalityCode} (no municipalityName configured)`);
    }
  }
  return { direct, countyOnly, covers: by.join(', '), places: [...unnamed].join(', ') };
}

const FORCE: Record<'takeover' | 'propose' | 'ignore', number> = { ignore: 0, propose: 1, takeover: 2 };
function weaker<T extends 'takeover' | 'propose' | 'ignore'>(a: T, b: T): T {
  return FORCE[a] <= FORCE[b] ? a : b;
}

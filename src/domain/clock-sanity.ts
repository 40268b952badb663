/**
 * Is the system clock believable? An edge box whose RTC battery died boots in 1970 or 2000, and
 * one that never reached NTP may drift anywhere. Windows, days and times of day, the sun's position
 * and proof-of-play timestamps all depend on the clock, so Skylt refuses to guess: with an
 * implausible clock nothing time-based is scheduled (the fallback loop, which only counts dwell,
 * keeps the signs alive) and /api/health says why.
 */

/**
 * This build's date: no real clock can be earlier. Update it when cutting a release (the CI may
 * stamp it); a stale value only makes the check looser, never wrong.
 */
export const BUILD_DATE = '2026-11-29T00:00:00Z';

/** A clock this far past the build is as implausible as one before it (a box would be updated long before). */
export const MAX_CLOCK_AHEAD_YEARS = 20;

export interface ClockSanity {
  readonly ok: boolean;
  /** Why the clock is not believed, in English for logs and the API; null when it is. */
  readonly problem: string | null;
  readonly notBefore: string;
  readonly notAfter: string;
}

export function clockSanity(now: number, buildDate: string = BUILD_DATE): ClockSanity {
  const notBefore = Date.parse(buildDate);
  const after = new Date(notBefore);
  after.setUTCFullYear(after.getUTCFullYear() + MAX_CLOCK_AHEAD_YEARS);
  const notAfter = after.getTime();
  const bounds = { notBefore: new Date(notBefore).toISOString(), notAfter: new Date(notAfter).toISOString() };
  if (!Number.isFinite(now)) return { ok: false, problem: 'the system clock does not give a time', ...bounds };
  if (now < notBefore) {
    return {
      ok: false,
      problem: `the system clock says ${new Date(now).toISOString()}, before this build (${bounds.notBefore}): check NTP and the RTC battery`,
      ...bounds,
    };
  }
  if (now > notAfter) {
    return {
      ok: false,
      problem: `the system clock says ${new Date(now).toISOString()}, more than ${MAX_CLOCK_AHEAD_YEARS} years after this build: check NTP`,
      ...bounds,
    };
  }
  return { ok: true, problem: null, ...bounds };
}

import { z } from 'zod';
import { CrisisPolicyConfig } from './crisis-policy.ts';

export const SR_VMA_DEFAULT_URL = 'https://vmaapi.sr.se/api/v3';

const httpUrl = z.url({ protocol: /^https?$/ });

/** What the crisis feeds need, in code terms. The lead merges this into the app config. */
export const CrisisFeedConfig = z.object({
  /**
   * SR VMA API v3 base; polled at `${vmaUrl}/alerts`, unfiltered: `?geocode=<kommun>` leaves out county-wide and
   * nationwide alerts, so Skylt matches the areas itself. Null turns VMA off.
   */
  vmaUrl: httpUrl.nullable().default(SR_VMA_DEFAULT_URL),
  /** Also listen to `${vmaUrl}/subscribe` (server-sent events); polling covers the gaps. */
  vmaPush: z.boolean().default(true),
  /** Krisinformation API v3 base, e.g. https://api.krisinformation.se/v3; polled at `/news?counties=<län>`. */
  krisinfoUrl: httpUrl.nullable().default(null),
  /** SMHI IBW base, e.g. https://opendata-download-warnings.smhi.se/ibww/api/version/1 (or the full warning.json URL). */
  smhiUrl: httpUrl.nullable().default(null),
  /** CAP 1.2 XML, Atom or RSS feed URLs, polled as given. */
  capUrls: z.array(httpUrl).default([]),
  pollIntervalMs: z.number().positive().default(30_000),
  /** VMA polling while the push stream is up, as a safety net. 0: no polling while pushed. */
  pushSafetyPollMs: z.number().nonnegative().default(300_000),
  timeoutMs: z.number().positive().default(10_000),
  /** Push stream silence (no event, no comment) after which it is considered dead and reopened. */
  pushIdleTimeoutMs: z.number().nonnegative().default(120_000),
  backoff: z
    .object({
      initialMs: z.number().positive().default(10_000),
      maxMs: z.number().positive().default(300_000),
      factor: z.number().min(1).default(2),
      jitter: z.number().min(0).max(1).default(0.1),
    })
    .prefault({}),
  maxRetryAfterMs: z
    .number()
    .positive()
    .default(15 * 60_000),
  /** Preferred CAP info language. */
  language: z.string().min(2).default('sv'),
  policy: CrisisPolicyConfig,
});
export type CrisisFeedConfig = z.infer<typeof CrisisFeedConfig>;
export type CrisisFeedConfigInput = z.input<typeof CrisisFeedConfig>;

const onOff = z
  .enum(['on', 'off', 'true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'on' || v === 'true' || v === '1' || v === 'yes');

const optionalUrl = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(httpUrl.optional())
  .optional();

/** The SKYLT_* environment variables of the crisis feeds, as zod, for the lead to merge into src/config.ts. */
export const CrisisFeedEnv = z.object({
  /** SR VMA API v3 base URL; "off" disables VMA. */
  SKYLT_VMA_URL: z
    .string()
    .trim()
    .default(SR_VMA_DEFAULT_URL)
    .pipe(z.union([z.literal('off'), httpUrl])),
  /** on|off: SR VMA push stream (SSE) with polling as fallback. Default on. */
  SKYLT_VMA_PUSH: onOff.default(true),
  SKYLT_KRISINFO_URL: optionalUrl,
  SKYLT_SMHI_URL: optionalUrl,
  /** Comma-separated CAP/Atom feed URLs. */
  SKYLT_CAP_URLS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    )
    .pipe(z.array(httpUrl)),
  SKYLT_FEED_POLL_SECONDS: z.coerce.number().positive().default(30),
  SKYLT_FEED_TIMEOUT_SECONDS: z.coerce.number().positive().default(10),
  /** What an in-area CAP alert does: takeover, propose (default) or ignore. */
  SKYLT_CAP_POLICY: z.enum(['takeover', 'propose', 'ignore']).default('propose'),
  /**
   * What a VMA that reaches a sign only through its county (and does not name the sign's kommun) does: propose
   * (default), takeover or ignore. A VMA for the kommun, a polygon over the sign, or the whole country takes over.
   */
  SKYLT_VMA_COUNTY_POLICY: z.enum(['takeover', 'propose', 'ignore']).default('propose'),
});
export type CrisisFeedEnv = z.infer<typeof CrisisFeedEnv>;

/** Feed config from already-validated env values. */
export function crisisFeedConfigFromEnvValues(env: CrisisFeedEnv): CrisisFeedConfig {
  return CrisisFeedConfig.parse({
    vmaUrl: env.SKYLT_VMA_URL === 'off' ? null : env.SKYLT_VMA_URL,
    vmaPush: env.SKYLT_VMA_PUSH,
    krisinfoUrl: env.SKYLT_KRISINFO_URL ?? null,
    smhiUrl: env.SKYLT_SMHI_URL ?? null,
    capUrls: env.SKYLT_CAP_URLS,
    pollIntervalMs: env.SKYLT_FEED_POLL_SECONDS * 1000,
    timeoutMs: env.SKYLT_FEED_TIMEOUT_SECONDS * 1000,
    policy: {
      sources: {
        cap: { onAlert: env.SKYLT_CAP_POLICY },
        'sr-vma': { onCountyOnly: env.SKYLT_VMA_COUNTY_POLICY },
      },
    },
  } satisfies CrisisFeedConfigInput);
}

/** Feed config straight from `process.env` (or any string map). Throws a ZodError naming the bad variable. */
export function crisisFeedConfigFromEnv(env: Record<string, string | undefined>): CrisisFeedConfig {
  return crisisFeedConfigFromEnvValues(CrisisFeedEnv.parse(env));
}

function join(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path}`;
}

/** The URLs the feeds hit, derived from the config and where the signs stand. */
export function feedUrls(config: CrisisFeedConfig, place: { municipalityCodes: string[]; countyCodes: string[] }) {
  const vma = config.vmaUrl;
  return {
    // One unfiltered poll for every sign: `?geocode=1470` answers only alerts that list that kommun, and SR's
    // county-wide (Län 14) and nationwide ("Sverige"/"00") VMAs do not. The policy matches areas per sign.
    vmaAlerts: vma ? [{ code: 'alerts', url: join(vma, 'alerts') }] : [],
    vmaSubscribe: vma && config.vmaPush ? join(vma, 'subscribe') : null,
    krisinformation: config.krisinfoUrl
      ? join(config.krisinfoUrl, `news?counties=${place.countyCodes.map(encodeURIComponent).join(',')}`)
      : null,
    smhi: config.smhiUrl
      ? /\.json(\?|$)/.test(config.smhiUrl)
        ? config.smhiUrl
        : join(config.smhiUrl, 'warning.json')
      : null,
    cap: config.capUrls,
  };
}

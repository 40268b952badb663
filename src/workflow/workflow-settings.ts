import { z } from 'zod';
import type { AccountSettings } from '../auth/accounts.ts';
import { DEFAULT_LOG2_N, MIN_PASSWORD_LENGTH } from '../auth/password.ts';
import { ConfigError, describeIssues } from '../domain/config-error.ts';
import { DEFAULT_CONTENT_RULES } from '../domain/content-rules.ts';

const blankAsAbsent = (v: unknown) => (v === '' ? undefined : v);

/** The content workflow's settings, from the environment (SKYLT_*); every one has a default. */
export const WorkflowEnv = z.object({
  SKYLT_ADMIN_PASSWORD: z.preprocess(
    blankAsAbsent,
    z.string().min(MIN_PASSWORD_LENGTH, `at least ${MIN_PASSWORD_LENGTH} characters`).max(256).optional(),
  ),
  SKYLT_COOKIE_SECURE: z.preprocess(
    blankAsAbsent,
    z
      .enum(['auto', 'always', 'never'])
      .default('auto')
      .describe('"auto": Secure when the request came over https; "always" behind a TLS-terminating proxy'),
  ),
  SKYLT_SESSION_HOURS: z.preprocess(blankAsAbsent, z.coerce.number().positive().max(720).default(12)),
  SKYLT_LOGIN_RATE_LIMIT: z.preprocess(
    blankAsAbsent,
    z.coerce.number().int().min(1).max(10_000).default(10).describe('login attempts per minute per client address'),
  ),
  SKYLT_LOGIN_LOCKOUT: z.preprocess(
    blankAsAbsent,
    z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(5)
      .describe('failed logins in a row that lock an account for 15 minutes'),
  ),
  SKYLT_SCRYPT_LOG2N: z.preprocess(
    blankAsAbsent,
    z.coerce
      .number()
      .int()
      .min(10)
      .max(20)
      .default(DEFAULT_LOG2_N)
      .describe('scrypt cost of new password hashes (N = 2^value); raise it on faster hardware, tests lower it'),
  ),
  SKYLT_ALLOWED_LINK_HOSTS: z.preprocess(
    blankAsAbsent,
    z
      .string()
      .default(DEFAULT_CONTENT_RULES.allowedLinkHosts.join(','))
      .transform((s) =>
        s
          .split(',')
          .map((h) => h.trim().toLowerCase())
          .filter(Boolean),
      )
      .refine((hosts) => hosts.length > 0, 'give at least one host')
      .refine((hosts) => hosts.every((h) => DEFAULT_CONTENT_RULES.allowedLinkHosts.includes(h)), {
        message: `may narrow the default hosts (${DEFAULT_CONTENT_RULES.allowedLinkHosts.join(', ')}), not add to them: vara.se is the municipality's primary channel, and widening the list is a change to the playlist schema`,
      }),
  ),
});

export interface WorkflowSettings extends AccountSettings {
  adminPassword: string | null;
  cookieSecure: 'auto' | 'always' | 'never';
  sessionMs: number;
  loginRatePerMinute: number;
  lockoutFailures: number;
  lockoutMs: number;
  allowedLinkHosts: string[];
  scryptLog2N: number;
}

export const LOCKOUT_MS = 15 * 60_000;

export function workflowSettings(env: NodeJS.ProcessEnv | Record<string, string | undefined>): WorkflowSettings {
  const parsed = WorkflowEnv.safeParse(env);
  if (!parsed.success) throw new ConfigError('environment', describeIssues(parsed.error));
  const e = parsed.data;
  return {
    adminPassword: e.SKYLT_ADMIN_PASSWORD ?? null,
    cookieSecure: e.SKYLT_COOKIE_SECURE,
    sessionMs: Math.round(e.SKYLT_SESSION_HOURS * 3_600_000),
    loginRatePerMinute: e.SKYLT_LOGIN_RATE_LIMIT,
    lockoutFailures: e.SKYLT_LOGIN_LOCKOUT,
    lockoutMs: LOCKOUT_MS,
    allowedLinkHosts: e.SKYLT_ALLOWED_LINK_HOSTS,
    scryptLog2N: e.SKYLT_SCRYPT_LOG2N,
  };
}

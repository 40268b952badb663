import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { type CrisisFeedConfig, CrisisFeedEnv, crisisFeedConfigFromEnvValues } from './crisis/feed-config.ts';
import { ConfigError, describeIssues } from './domain/config-error.ts';
import { DEFAULT_SIGNS, SignConfig } from './signs/sign-config.ts';
import { type WorkflowSettings, workflowSettings } from './workflow/workflow-settings.ts';

export { ConfigError, describeIssues, SignConfig };

/**
 * Skylt's configuration: environment variables (SKYLT_*) plus an optional JSON file (SKYLT_CONFIG)
 * that describes the signs. Everything has an embedded default, so `npm start` runs with none.
 */

export const ConfigFile = z
  .object({
    signs: z
      .array(SignConfig)
      .min(1)
      .refine((signs) => new Set(signs.map((s) => s.id)).size === signs.length, 'sign ids must be unique'),
  })
  .strict();

const port = z.coerce.number().int().min(0).max(65535);

export const EnvConfig = z.object({
  SKYLT_HOST: z.string().min(1).default('127.0.0.1'),
  SKYLT_PORT: port.default(8080),
  SKYLT_DATA_DIR: z.string().min(1).default('./data'),
  SKYLT_CONFIG: z.string().min(1).optional(),
  SKYLT_PLAYLIST: z.string().min(1).default('./playlists/default.json'),
  SKYLT_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export interface SkyltConfig {
  host: string;
  port: number;
  dataDir: string;
  playlistPath: string;
  logLevel: string;
  configPath: string | null;
  signs: SignConfig[];
  /** Crisis feeds (SR VMA on by default; Krisinformation, SMHI, CAP when given a URL). */
  crisisFeeds: CrisisFeedConfig;
  /** Users, items and playlist: admin password, link hosts, session cookie, scrypt cost. */
  workflow: WorkflowSettings;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): SkyltConfig {
  const parsedEnv = EnvConfig.safeParse(env);
  if (!parsedEnv.success) throw new ConfigError('environment', describeIssues(parsedEnv.error));
  const e = parsedEnv.data;
  let signsInput: unknown = { signs: DEFAULT_SIGNS };
  let configPath: string | null = null;
  if (e.SKYLT_CONFIG) {
    configPath = resolve(e.SKYLT_CONFIG);
    let text: string;
    try {
      text = readFileSync(configPath, 'utf8');
    } catch (error: unknown) {
      throw new ConfigError('SKYLT_CONFIG', [`cannot read ${configPath}: ${(error as Error).message}`]);
    }
    try {
      signsInput = JSON.parse(text);
    } catch (error: unknown) {
      throw new ConfigError(configPath, [`not valid JSON: ${(error as Error).message}`]);
    }
  }
  const feeds = CrisisFeedEnv.safeParse(env);
  if (!feeds.success) throw new ConfigError('environment', describeIssues(feeds.error));
  const file = ConfigFile.safeParse(signsInput);
  if (!file.success) throw new ConfigError(configPath ?? 'the embedded defaults', describeIssues(file.error));
  return {
    host: e.SKYLT_HOST,
    port: e.SKYLT_PORT,
    dataDir: resolve(e.SKYLT_DATA_DIR),
    playlistPath: resolve(e.SKYLT_PLAYLIST),
    logLevel: e.SKYLT_LOG_LEVEL,
    configPath,
    signs: file.data.signs,
    crisisFeeds: crisisFeedConfigFromEnvValues(feeds.data),
    workflow: workflowSettings(env),
  };
}

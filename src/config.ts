import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ConfigError, describeIssues } from './config-error.ts';
import { type CrisisFeedConfig, CrisisFeedEnv, crisisFeedConfigFromEnvValues } from './crisis/feed-config.ts';
import { PIXEL_FORMATS } from './render/frame.ts';
import { parseLinkAddress } from './signs/sign-link.ts';
import { type WorkflowSettings, workflowSettings } from './workflow/workflow-settings.ts';

export { ConfigError, describeIssues };

/**
 * Skylt's configuration: environment variables (SKYLT_*) plus an optional JSON file (SKYLT_CONFIG)
 * that describes the signs. Everything has an embedded default, so `npm start` runs with none.
 */

const LINK_HINT =
  'use "virtual", "tcp://HOST:PORT", "serial:/dev/serial/by-id/...?baud=115200" or "ddp://HOST[:PORT]" (tcp and serial also take "pace=BYTES_PER_SECOND" to slow writes to a line rate)';

/** One parser decides what a link address means, here and where the transport is made (sign-link.ts). */
export const SignLink = z.string().superRefine((v, ctx) => {
  try {
    parseLinkAddress(v);
  } catch (error: unknown) {
    ctx.addIssue({
      code: 'custom',
      message: `${error instanceof Error ? error.message.replace(/^sign link "[^"]*": /, '') : String(error)}; ${LINK_HINT}`,
    });
  }
});

export const SignConfig = z.object({
  id: z.string().regex(/^[A-Z0-9][A-Za-z0-9-]{0,31}$/, 'an id of letters, digits and "-", e.g. "E20-N"'),
  name: z.string().min(1),
  direction: z.enum(['northbound', 'southbound', 'eastbound', 'westbound']),
  facing: z.string().min(1).describe('where the traffic that reads it is heading, e.g. "towards Skara/Örebro"'),
  lat: z.number().min(-90).max(90),
  lon: z.number().min(-180).max(180),
  municipalityCode: z
    .string()
    .regex(/^\d{4}$/, 'a four-digit Swedish kommun code, e.g. "1470"')
    .default('1470'),
  countyCode: z
    .string()
    .regex(/^\d{2}$/, 'a two-digit county code, e.g. "14"')
    .default('14'),
  width: z.int().min(8).max(4096),
  height: z.int().min(8).max(4096),
  pixelPitchMm: z.number().positive().max(100),
  pixelFormat: z.enum(PIXEL_FORMATS),
  /** The lit colour of a mono panel (amber by default). */
  monoColour: z
    .tuple([z.int().min(0).max(255), z.int().min(0).max(255), z.int().min(0).max(255)])
    .default([255, 176, 0]),
  /** IRIS's freeway figure: ~380 mm character height for reading at motorway speed. */
  minCharHeightMm: z.number().positive().default(380),
  link: SignLink,
  /** Slot memory of a virtual sign (real signs announce their own in HELLO_REPLY). */
  slotCount: z.int().min(3).max(255).default(16),
});
export type SignConfig = z.infer<typeof SignConfig>;

export const DEFAULT_SIGNS: z.input<typeof SignConfig>[] = [
  {
    id: 'E20-N',
    name: 'E20 norrgående',
    direction: 'northbound',
    facing: 'towards Skara/Örebro',
    lat: 58.2672,
    lon: 12.9489,
    width: 384,
    height: 192,
    pixelPitchMm: 16,
    pixelFormat: 'rgb888',
    link: 'virtual',
  },
  {
    id: 'E20-S',
    name: 'E20 södergående',
    direction: 'southbound',
    facing: 'towards Vårgårda/Göteborg',
    lat: 58.2668,
    lon: 12.9511,
    width: 384,
    height: 192,
    pixelPitchMm: 16,
    pixelFormat: 'rgb888',
    link: 'virtual',
  },
];

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

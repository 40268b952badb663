import { z } from 'zod';
import { PIXEL_FORMATS } from '../render/frame.ts';
import { parseLinkAddress } from './link-address.ts';

/** What a sign is and how it is reached, as the sign file (SKYLT_CONFIG) describes it; the embedded defaults. */

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
  /**
   * The kommun's name as feeds write it ("Vara"). A crisis alert that reaches the sign only through its county takes
   * over when its text names this place; without it such an alert is only proposed.
   */
  municipalityName: z.string().trim().min(1).optional(),
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
    municipalityName: 'Vara',
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
    municipalityName: 'Vara',
    width: 384,
    height: 192,
    pixelPitchMm: 16,
    pixelFormat: 'rgb888',
    link: 'virtual',
  },
];

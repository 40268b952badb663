import { z } from 'zod';
import { DEFAULT_CONTENT_RULES } from '../domain/content-rules.ts';
import { PIXEL_FORMATS, type PixelFormat, type Rgb } from './frame.ts';

/** The drawing surface of one sign: what the renderer needs to know about the panel. */
export interface SignSurface {
  readonly width: number;
  readonly height: number;
  readonly format: PixelFormat;
  /** Smallest cap height in pixels that reads at ~380 mm physical height on this panel (may be fractional). */
  readonly minCharPixels: number;
}

/**
 * Everything the renderer and the content lint need about one sign. The config layer maps its sign
 * entries onto this with `signProfile(...)`.
 */
export interface SignProfile extends SignSurface {
  readonly id: string;
  /** Centre-to-centre LED distance in millimetres. */
  readonly pixelPitchMm: number;
  /** Minimum physical cap height in millimetres (default 380, IRIS's freeway figure). */
  readonly minCharHeightMm: number;
  /** Lit colour of a mono panel (amber by default); also used for its previews. */
  readonly monoColour: Rgb;
}

const rgb = z.tuple([
  z.number().int().min(0).max(255),
  z.number().int().min(0).max(255),
  z.number().int().min(0).max(255),
]);

export const SignProfileInput = z.object({
  id: z.string().min(1),
  width: z.number().int().min(16).max(4096),
  height: z.number().int().min(8).max(4096),
  format: z.enum(PIXEL_FORMATS).default('rgb888'),
  pixelPitchMm: z.number().positive().max(100),
  minCharHeightMm: z.number().positive().max(2000).default(DEFAULT_CONTENT_RULES.minCharHeightMm),
  monoColour: rgb.default([255, 176, 0]),
});
export type SignProfileInput = Omit<z.input<typeof SignProfileInput>, 'monoColour'> & { readonly monoColour?: Rgb };

/** Amber, the usual colour of single-colour LED signs (and frame.ts's preview default). */
export const DEFAULT_MONO_COLOUR: Rgb = [255, 176, 0];

/**
 * 16 mm is a common pitch for roadside full-colour LED billboards of this size (a 384x192 panel is then
 * 6.1 m x 3.1 m). At 16 mm, 380 mm characters are 23.75 px tall: four to five lines of about twenty
 * characters, which is what the eight-word rule asks for anyway.
 */
export const DEFAULT_PIXEL_PITCH_MM = 16;

export function signProfile(input: SignProfileInput): SignProfile {
  const p = SignProfileInput.parse({ ...input, ...(input.monoColour ? { monoColour: [...input.monoColour] } : {}) });
  return {
    id: p.id,
    width: p.width,
    height: p.height,
    format: p.format,
    pixelPitchMm: p.pixelPitchMm,
    minCharHeightMm: p.minCharHeightMm,
    monoColour: p.monoColour,
    minCharPixels: p.minCharHeightMm / p.pixelPitchMm,
  };
}

/** The two E20 signs at Vara, as the embedded defaults describe them. */
export const DEFAULT_SIGN_PROFILES: readonly SignProfile[] = [
  signProfile({ id: 'E20-N', width: 384, height: 192, format: 'rgb888', pixelPitchMm: DEFAULT_PIXEL_PITCH_MM }),
  signProfile({ id: 'E20-S', width: 384, height: 192, format: 'rgb888', pixelPitchMm: DEFAULT_PIXEL_PITCH_MM }),
];

/** A readable name for messages: "E20-N (384x192)". */
export function signLabel(sign: SignSurface): string {
  const id = (sign as Partial<SignProfile>).id;
  return `${id ? `${id} ` : ''}(${sign.width}x${sign.height})`;
}

/** The sign entries of Skylt's config (src/config.ts SignConfig), structurally: what the renderer reads. */
export interface SignConfigLike {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  readonly pixelFormat: PixelFormat;
  readonly pixelPitchMm: number;
  readonly minCharHeightMm?: number;
  readonly monoColour?: Rgb;
}

/** Maps a configured sign onto the renderer's profile. */
export function signProfileFromConfig(sign: SignConfigLike): SignProfile {
  return signProfile({
    id: sign.id,
    width: sign.width,
    height: sign.height,
    format: sign.pixelFormat,
    pixelPitchMm: sign.pixelPitchMm,
    ...(sign.minCharHeightMm !== undefined ? { minCharHeightMm: sign.minCharHeightMm } : {}),
    ...(sign.monoColour ? { monoColour: sign.monoColour } : {}),
  });
}

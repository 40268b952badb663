import type { Organisation } from '../domain/item-content.ts';
import type { Rgb } from './frame.ts';

/**
 * Colours of Skylt's pages. Light text on a dark ground (black is "LED off": no glare at night), in colours
 * that no road sign uses as a ground; every text colour is at least 12:1 against black (rule: 7:1).
 */
export interface SignTheme {
  readonly background: Rgb;
  /** Titles, headlines, info lines, captions. */
  readonly primary: Rgb;
  /** Dates, places, instructions: warm white-amber, told apart from the title at a glance. */
  readonly secondary: Rgb;
  /** The crisis header is the one inverted element: dark text on a white band. */
  readonly crisisBand: Rgb;
  readonly crisisBandText: Rgb;
  /** The organiser's mark: a stripe along the left edge and its wordmark. */
  readonly organisers: Readonly<Record<Organisation, { readonly stripe: Rgb; readonly text: Rgb }>>;
}

export const DEFAULT_THEME: SignTheme = {
  background: [0, 0, 0],
  primary: [255, 255, 255],
  secondary: [255, 196, 92],
  crisisBand: [255, 255, 255],
  crisisBandText: [0, 0, 0],
  organisers: {
    // Placeholders until the organisations' own colours are configured: chosen away from every road-sign
    // ground colour (no sign blue, green, yellow, red, brown or orange).
    kommun: { stripe: [0, 170, 180], text: [150, 230, 235] },
    konserthus: { stripe: [176, 70, 200], text: [226, 180, 240] },
  },
};

export function resolveTheme(overrides?: Partial<SignTheme>): SignTheme {
  return overrides ? { ...DEFAULT_THEME, ...overrides } : DEFAULT_THEME;
}

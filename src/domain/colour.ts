/** Colour arithmetic for the content rules: contrast and "does this look like a road sign". */

/** An RGB colour, each channel 0..255 (the same shape as render/frame.ts's Rgb). */
export type Rgb = readonly [number, number, number];

function linear(channel: number): number {
  const c = channel / 255;
  return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG 2.x relative luminance, 0 (black) .. 1 (white). */
export function relativeLuminance([r, g, b]: Rgb): number {
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}

/** WCAG 2.x contrast ratio, 1..21, symmetric in its arguments. */
export function contrastRatio(a: Rgb, b: Rgb): number {
  const la = relativeLuminance(a);
  const lb = relativeLuminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** CIE L*a*b* (D65) of an sRGB colour. */
export function rgbToLab(rgb: Rgb): [number, number, number] {
  const [r, g, b] = [linear(rgb[0]), linear(rgb[1]), linear(rgb[2])];
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : (t * 24389) / 27 / 116 + 16 / 116);
  const [fx, fy, fz] = [f(x), f(y), f(z)];
  return [116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)];
}

/** CIE76 colour difference: about 2.3 is just noticeable; above ~25 colours read as different. */
export function deltaE(a: Rgb, b: Rgb): number {
  const [l1, a1, b1] = rgbToLab(a);
  const [l2, a2, b2] = rgbToLab(b);
  return Math.hypot(l1 - l2, a1 - a2, b1 - b2);
}

export interface RoadSignColour {
  readonly name: string;
  readonly nameSv: string;
  readonly rgb: Rgb;
  /** What in the road-sign system uses it, for the reviewer. */
  readonly usedFor: string;
}

/**
 * Ground colours of Swedish road signs (Vägmärkesförordningen 2007:90 and Transportstyrelsen's sign drawings;
 * the same scheme as the 1968 Vienna Convention on Road Signs and Signals, Annex 1), as sRGB approximations
 * of the retroreflective sheeting colours. A large area of one of these reads as "road sign" at a glance.
 */
export const ROAD_SIGN_COLOURS: readonly RoadSignColour[] = [
  { name: 'warning yellow', nameSv: 'varningsgult', rgb: [252, 209, 22], usedFor: 'warning signs (varningsmärken)' },
  {
    name: 'signal red',
    nameSv: 'signalrött',
    rgb: [200, 16, 46],
    usedFor: 'prohibitory and stop signs, warning borders',
  },
  { name: 'sign blue', nameSv: 'vägmärksblått', rgb: [0, 82, 147], usedFor: 'motorway, direction and mandatory signs' },
  { name: 'sign green', nameSv: 'vägmärksgrönt', rgb: [0, 122, 61], usedFor: 'European route numbers (E20)' },
  { name: 'tourist brown', nameSv: 'turistbrunt', rgb: [122, 74, 40], usedFor: 'tourist and service direction signs' },
  { name: 'works orange', nameSv: 'vägarbetsorange', rgb: [240, 120, 0], usedFor: 'temporary signs at road works' },
];

/** Distance within which a colour counts as that road-sign colour (CIE76; "same colour name" territory). */
export const ROAD_SIGN_COLOUR_DELTA_E = 22;

export function matchRoadSignColour(rgb: Rgb, maxDeltaE = ROAD_SIGN_COLOUR_DELTA_E): RoadSignColour | null {
  let best: RoadSignColour | null = null;
  let bestD = maxDeltaE;
  for (const c of ROAD_SIGN_COLOURS) {
    const d = deltaE(rgb, c.rgb);
    if (d <= bestD) {
      best = c;
      bestD = d;
    }
  }
  return best;
}

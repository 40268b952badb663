import { z } from 'zod';

/**
 * Road-safety thresholds for what the signs show. These are configuration: an admin may tighten them;
 * loosening is reported by `loosenedRules` so the caller can log it and ask for a confirmation, never silently.
 * Each default names the source of its figure.
 */
export const ContentRules = z.object({
  // Dudek, "Changeable Message Sign Operation and Messaging Handbook", FHWA-OP-03-070 (2004): at most 8 words
  // can be read at 55 mph (7 at 65 mph; an admin may tighten to 7 for the 100-110 km/h E20).
  maxWordsPerPage: z.number().int().min(1).max(20).default(8),
  // NCHRP Report 600, Human Factors Guidelines for Road Systems, "Changeable Message Signs: Determining
  // Appropriate Message Length" (after Dudek): no more than 4 information units per message read at >= 35 mph.
  // One unit answers one question a driver has (what, who, when, where).
  maxUnitsPerMessage: z.number().int().min(1).max(10).default(4),
  // DESIGN.md Content rules; Trafikverket ("Mer information om reklam intill allmän väg"): image changes
  // distract, and a glance of 2 s or more raises the crash risk, so pages change rarely and instantly;
  // 10 s is the common minimum hold in the Australian and Danish roadside digital-sign rules.
  minDwellSeconds: z.number().min(1).max(3600).default(10),
  // IRIS (MnDOT), "Fonts": "text on freeway signs should be about 380 mm tall (15 in)". Cap height.
  minCharHeightMm: z.number().positive().max(2000).default(380),
  // WCAG 2.x success criterion 1.4.6 (Contrast, enhanced): 7:1 relative-luminance ratio. Drivers read at the
  // limit of their acuity, in glare and at night, which is the low-vision case WCAG's AAA level is made for.
  minContrastRatio: z.number().min(1).max(21).default(7),
  // Share of the page in one road-sign colour from which it may be taken for a road sign at a glance
  // (colours of Vägmärkesförordningen 2007:90; Finland's ELY centres refuse roadside notices that use "colour
  // schemes used in road signs"). A warning, not an error: a judgement for the reviewer.
  roadSignPaletteShare: z.number().min(0.01).max(1).default(0.2),
  // Vara kommun: vara.se is the primary channel, so every item links to it (or to Vara Konserthus).
  // Subdomains of these hosts are allowed; only https.
  allowedLinkHosts: z.array(z.string().min(1)).min(1).default(['vara.se', 'varakonserthus.se']),
});
export type ContentRules = z.infer<typeof ContentRules>;

export const DEFAULT_CONTENT_RULES: ContentRules = ContentRules.parse({});

/** Full rules from partial overrides (validated). */
export function contentRules(overrides: Partial<ContentRules> = {}): ContentRules {
  return ContentRules.parse({ ...DEFAULT_CONTENT_RULES, ...overrides });
}

export interface LoosenedRule {
  readonly rule: keyof ContentRules;
  readonly value: unknown;
  readonly default: unknown;
}

/** The rules that are looser than the road-safety defaults: for the config layer to log and confirm. */
export function loosenedRules(rules: ContentRules): LoosenedRule[] {
  const d = DEFAULT_CONTENT_RULES;
  const out: LoosenedRule[] = [];
  const more = (k: 'maxWordsPerPage' | 'maxUnitsPerMessage' | 'roadSignPaletteShare') => {
    if (rules[k] > d[k]) out.push({ rule: k, value: rules[k], default: d[k] });
  };
  const less = (k: 'minDwellSeconds' | 'minCharHeightMm' | 'minContrastRatio') => {
    if (rules[k] < d[k]) out.push({ rule: k, value: rules[k], default: d[k] });
  };
  more('maxWordsPerPage');
  more('maxUnitsPerMessage');
  more('roadSignPaletteShare');
  less('minDwellSeconds');
  less('minCharHeightMm');
  less('minContrastRatio');
  const extra = rules.allowedLinkHosts.filter((h) => !d.allowedLinkHosts.includes(h.toLowerCase()));
  if (extra.length > 0) out.push({ rule: 'allowedLinkHosts', value: extra, default: d.allowedLinkHosts });
  return out;
}

import { callToActionIn } from './call-to-action.ts';
import { contrastRatio, matchRoadSignColour, type Rgb } from './colour.ts';
import { type ContentRules, contentRules } from './content-rules.ts';
import type { ItemContent } from './item-content.ts';
import { countReadingWords, fieldNameSv, type PageField, pageText, pageUnitCount, pageWordCount } from './page-text.ts';
import { formatOffset, isoOffsetMinutes, stockholmTime } from './swedish-date.ts';

/**
 * Road-safety lint: runs on every item at submit and at approval. Errors block approval, warnings are shown.
 * Pure: what only drawing can tell (sizes, colours as the sign shows them) comes in as `rendered` facts,
 * which render/lint-render.ts produces; without them those rules are skipped.
 */

export type LintRule =
  | 'words-per-page'
  | 'units-per-message'
  | 'min-dwell'
  | 'min-char-height'
  | 'contrast'
  | 'road-sign-palette'
  | 'info-link'
  | 'unsupported-character'
  | 'event-time-offset'
  | 'call-to-action'
  | 'picture-text';

export interface LintFinding {
  readonly rule: LintRule;
  readonly severity: 'error' | 'warning';
  readonly field?: string;
  /** English, for logs and the API. */
  readonly message: string;
  /** Plain Swedish, for the UI. */
  readonly messageSv: string;
}

/** What the renderer found when it drew the item for one sign. */
export interface RenderFacts {
  /** Smallest cap height drawn, in pixels; null when the page has no text. */
  readonly minCapHeightPx: number | null;
  /** Each text colour against its ground, as the sign shows them (after quantisation to its pixel format). */
  readonly colourPairs: readonly { readonly field: string; readonly fg: Rgb; readonly bg: Rgb }[];
  /** Share of the page's area per colour, largest first (may be cut to the main colours). */
  readonly palette: readonly { readonly rgb: Rgb; readonly share: number }[];
  /** Set when the text does not fit at the minimum character height. */
  readonly tooLong?: {
    readonly field?: string;
    readonly charsOver: number;
    readonly wordsOver: number;
    readonly message: string;
    readonly messageSv: string;
  };
  /** Characters the sign font cannot draw. */
  readonly unsupportedCharacters?: readonly { readonly field: string; readonly chars: string }[];
}

export interface LintContext {
  /** The sign's geometry; its minimum character height may be stricter than the rules', never looser. */
  readonly sign?: { readonly id?: string; readonly pixelPitchMm: number; readonly minCharHeightMm?: number };
  readonly dwellSeconds?: number;
  readonly infoLink?: string | null;
  readonly showInfoLink?: boolean;
  readonly rules?: Partial<ContentRules>;
  readonly rendered?: RenderFacts;
}

const err = (rule: LintRule, message: string, messageSv: string, field?: string): LintFinding =>
  field === undefined
    ? { rule, severity: 'error', message, messageSv }
    : { rule, severity: 'error', field, message, messageSv };
const warn = (rule: LintRule, message: string, messageSv: string, field?: string): LintFinding => ({
  ...err(rule, message, messageSv, field),
  severity: 'warning',
});

const fmt = (n: number, digits = 1) => n.toFixed(digits).replace(/\.0+$/, '');
const fmtSv = (n: number, digits = 1) => fmt(n, digits).replace('.', ',');

export function lintItem(content: ItemContent, context: LintContext = {}): LintFinding[] {
  const rules = contentRules(context.rules);
  const page = pageText(content, { infoLink: context.infoLink ?? null, showInfoLink: context.showInfoLink ?? false });
  return [
    ...wordsPerPage(page, rules),
    ...unitsPerMessage(page, rules),
    ...minDwell(content, context, rules),
    ...minCharHeight(context, rules),
    ...contrast(context, rules),
    ...roadSignPalette(content, context, rules),
    ...infoLink(content, context, rules),
    ...unsupportedCharacters(context),
    ...eventTimeOffset(content),
    ...callToAction(page),
    ...pictureText(content, context, rules),
  ];
}

export function hasLintErrors(findings: readonly LintFinding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}

// Figure: ContentRules.maxWordsPerPage (Dudek, FHWA-OP-03-070: 8 words at 55 mph, 7 at 65 mph). A date or time
// phrase ("lör 19 dec kl 18.00") counts as one word, as FHWA/NCHRP count it as one unit of information.
function wordsPerPage(page: readonly PageField[], rules: ContentRules): LintFinding[] {
  const words = pageWordCount(page);
  if (words <= rules.maxWordsPerPage) return [];
  const over = words - rules.maxWordsPerPage;
  // Point at the longest field the submitter can shorten (not the date line or the fixed header).
  const longest = page
    .filter((p) => p.words && p.field !== 'startsAt' && p.role !== 'header')
    .sort((a, b) => countReadingWords(b.text) - countReadingWords(a.text))[0];
  const field = longest?.field;
  return [
    err(
      'words-per-page',
      `the page has ${words} words (a date or time counts as one); at most ${rules.maxWordsPerPage} can be read in one glance at motorway speed: remove at least ${over}${field ? `, e.g. from ${field}` : ''}`,
      `Sidan har ${words} ord (datum och tid räknas som ett). Högst ${rules.maxWordsPerPage} ord hinner läsas i en blick i motorvägsfart – ${field ? `korta ${fieldNameSv(field)} med minst ${over} ord` : `ta bort minst ${over} ord`}.`,
      field,
    ),
  ];
}

/**
 * The unit a submitter can most easily leave out: the link on the sign, else an optional detail (the performer, an
 * image caption), else the last line.
 */
function unitToLeaveOut(page: readonly PageField[]): string | undefined {
  const units = page.filter((p) => p.unit);
  if (units.some((p) => p.role === 'link')) return 'showLink';
  return (
    units.find((p) => p.field === 'performer' || p.field === 'caption')?.field ??
    units.filter((p) => p.role === 'line').at(-1)?.field
  );
}

// Figure: ContentRules.maxUnitsPerMessage (NCHRP Report 600, after Dudek: 4 units at >= 35 mph).
function unitsPerMessage(page: readonly PageField[], rules: ContentRules): LintFinding[] {
  const units = pageUnitCount(page);
  if (units <= rules.maxUnitsPerMessage) return [];
  const names = page.filter((p) => p.unit).map((p) => p.field);
  const leaveOut = unitToLeaveOut(page);
  const what = (n: number) => (n === 1 ? 'en' : String(n));
  const sv =
    leaveOut === 'showLink'
      ? 'visa inte länken på skylten'
      : leaveOut
        ? `ta bort ${fieldNameSv(leaveOut)}`
        : `ta bort ${what(units - rules.maxUnitsPerMessage)}`;
  return [
    err(
      'units-per-message',
      `the message has ${units} units of information (${names.join(', ')}); at most ${rules.maxUnitsPerMessage}: leave out ${units - rules.maxUnitsPerMessage}${leaveOut ? `, e.g. ${leaveOut === 'showLink' ? 'the link on the sign' : leaveOut}` : ''}`,
      `Meddelandet har ${units} uppgifter (${names.map(fieldNameSv).join(', ')}). Högst ${rules.maxUnitsPerMessage} hinner uppfattas – ${sv}.`,
      leaveOut,
    ),
  ];
}

// Figure: ContentRules.minDwellSeconds (DESIGN.md; Trafikverket on changing roadside images; 10 s).
function minDwell(content: ItemContent, context: LintContext, rules: ContentRules): LintFinding[] {
  // A crisis message stays up until it is ended: it has no dwell.
  if (content.kind === 'crisis' || context.dwellSeconds === undefined) return [];
  if (context.dwellSeconds >= rules.minDwellSeconds) return [];
  return [
    err(
      'min-dwell',
      `the page is shown for ${fmt(context.dwellSeconds)} s; it must stay at least ${fmt(rules.minDwellSeconds)} s so that the sign does not change while a driver passes`,
      `Sidan visas i ${fmtSv(context.dwellSeconds)} s. Den måste visas minst ${fmtSv(rules.minDwellSeconds)} s så att skylten inte byter medan en förare passerar.`,
      'dwellSeconds',
    ),
  ];
}

// Figure: ContentRules.minCharHeightMm (IRIS: about 380 mm on freeway signs).
function minCharHeight(context: LintContext, rules: ContentRules): LintFinding[] {
  const out: LintFinding[] = [];
  const sign = context.sign;
  const requiredMm = Math.max(rules.minCharHeightMm, sign?.minCharHeightMm ?? 0);
  if (sign?.minCharHeightMm !== undefined && sign.minCharHeightMm < rules.minCharHeightMm) {
    out.push(
      err(
        'min-char-height',
        `sign ${sign.id ?? ''} is configured for ${fmt(sign.minCharHeightMm)} mm characters, below the ${fmt(rules.minCharHeightMm)} mm rule: raise the sign's minimum character height`.replace(
          '  ',
          ' ',
        ),
        `Skylten ${sign.id ?? ''} är inställd på ${fmtSv(sign.minCharHeightMm)} mm teckenhöjd, lägre än regelns ${fmtSv(rules.minCharHeightMm)} mm. Höj skyltens minsta teckenhöjd.`.replace(
          '  ',
          ' ',
        ),
      ),
    );
  }
  const facts = context.rendered;
  if (facts?.tooLong) {
    out.push(err('min-char-height', facts.tooLong.message, facts.tooLong.messageSv, facts.tooLong.field));
  } else if (facts && sign && facts.minCapHeightPx !== null) {
    const drawnMm = facts.minCapHeightPx * sign.pixelPitchMm;
    // Half a pixel of tolerance: sizes are whole font pixels, heights are measured in fractions of one.
    if (drawnMm + sign.pixelPitchMm / 2 < requiredMm) {
      out.push(
        err(
          'min-char-height',
          `the smallest text is ${fmt(drawnMm, 0)} mm tall on the sign; it must be at least ${fmt(requiredMm, 0)} mm: use fewer words so the text can be larger`,
          `Den minsta texten blir ${fmtSv(drawnMm, 0)} mm hög på skylten men måste vara minst ${fmtSv(requiredMm, 0)} mm. Använd färre ord så att texten kan bli större.`,
        ),
      );
    }
  }
  return out;
}

// Figure: ContentRules.minContrastRatio (WCAG 2.x SC 1.4.6, 7:1).
function contrast(context: LintContext, rules: ContentRules): LintFinding[] {
  const out: LintFinding[] = [];
  for (const pair of context.rendered?.colourPairs ?? []) {
    const ratio = contrastRatio(pair.fg, pair.bg);
    if (ratio + 1e-9 < rules.minContrastRatio) {
      out.push(
        err(
          'contrast',
          `the ${pair.field} text has a contrast ratio of ${fmt(ratio)}:1 against its ground; at least ${fmt(rules.minContrastRatio)}:1 is needed: use light text on a dark ground`,
          `Texten i ${fieldNameSv(pair.field)} har kontrasten ${fmtSv(ratio)}:1 mot bakgrunden. Minst ${fmtSv(rules.minContrastRatio)}:1 behövs – använd ljus text på mörk bakgrund.`,
          pair.field,
        ),
      );
    }
  }
  return out;
}

// Figure: ContentRules.roadSignPaletteShare (Vägmärkesförordningen colours; a reviewer's judgement).
function roadSignPalette(content: ItemContent, context: LintContext, rules: ContentRules): LintFinding[] {
  const shares = new Map<string, { share: number; nameEn: string; nameSv: string; usedFor: string }>();
  for (const { rgb, share } of context.rendered?.palette ?? []) {
    const match = matchRoadSignColour(rgb);
    if (!match) continue;
    const prev = shares.get(match.name);
    shares.set(match.name, {
      share: (prev?.share ?? 0) + share,
      nameEn: match.name,
      nameSv: match.nameSv,
      usedFor: match.usedFor,
    });
  }
  const out: LintFinding[] = [];
  for (const s of shares.values()) {
    if (s.share < rules.roadSignPaletteShare) continue;
    const pct = Math.round(s.share * 100);
    out.push(
      warn(
        'road-sign-palette',
        `${pct}% of the page is ${s.nameEn}, the colour of ${s.usedFor}: at a glance it may be taken for a road sign; prefer light text on a dark ground`,
        `${pct} % av sidan är ${s.nameSv}, samma färg som vägmärken har. I förbifarten kan sidan tas för ett vägmärke – välj hellre ljus text på mörk bakgrund.`,
        content.kind === 'image' ? 'image' : undefined,
      ),
    );
  }
  return out;
}

/** Whether `url` is an https link on one of `hosts` or a subdomain of one. */
export function isAllowedInfoLink(url: string, hosts: readonly string[]): boolean {
  return infoLinkProblem(url, hosts) === null;
}

function infoLinkProblem(url: string, hosts: readonly string[]): 'invalid' | 'not-https' | 'host' | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return 'invalid';
  }
  if (parsed.protocol !== 'https:') return parsed.protocol === 'http:' ? 'not-https' : 'invalid';
  if (parsed.username || parsed.password) return 'host';
  const host = parsed.hostname.toLowerCase().replace(/\.$/, '');
  const ok = hosts.some((h) => {
    const allowed = h.toLowerCase().replace(/^\.+|\.$/g, '');
    return host === allowed || host.endsWith(`.${allowed}`);
  });
  return ok ? null : 'host';
}

// Figure: ContentRules.allowedLinkHosts (Vara kommun: vara.se is the primary channel).
function infoLink(content: ItemContent, context: LintContext, rules: ContentRules): LintFinding[] {
  // Crisis messages come from the authorities (VMA, Krisinformation), not from the shared playlist.
  if (content.kind === 'crisis') return [];
  const hostsEn = rules.allowedLinkHosts.join(' or ');
  const hostsSv = rules.allowedLinkHosts.join(' eller ');
  const url = context.infoLink?.trim();
  if (!url) {
    return [
      err(
        'info-link',
        `the item has no information link: add an https link on ${hostsEn}, where the same information is published`,
        `Länk till mer information saknas. Lägg till en https-länk på ${hostsSv} där samma information finns.`,
        'infoLink',
      ),
    ];
  }
  const problem = infoLinkProblem(url, rules.allowedLinkHosts);
  if (problem === null) return [];
  const [en, sv] =
    problem === 'invalid'
      ? [`"${url}" is not a web address`, `"${url}" är inte en webbadress`]
      : problem === 'not-https'
        ? [`"${url}" is not https`, `"${url}" är inte en https-länk`]
        : [`"${url}" is not on ${hostsEn}`, `"${url}" ligger inte på ${hostsSv}`];
  return [
    err(
      'info-link',
      `${en}: link to the page on ${hostsEn} (https) that has this information`,
      `${sv}. Länka till sidan på ${hostsSv} (https) där informationen finns.`,
      'infoLink',
    ),
  ];
}

function unsupportedCharacters(context: LintContext): LintFinding[] {
  return (context.rendered?.unsupportedCharacters ?? []).map(({ field, chars }) =>
    err(
      'unsupported-character',
      `the sign font cannot draw ${[...chars].map((c) => `"${c}"`).join(', ')} in ${field}: remove or replace them`,
      `Skyltens typsnitt saknar tecknen ${[...chars].map((c) => `"${c}"`).join(', ')} i ${fieldNameSv(field)}. Ta bort eller ersätt dem.`,
      field,
    ),
  );
}

// Figure: ContentRules.minCharHeightMm, for text drawn inside an uploaded picture. Skylt does not read pictures
// (no OCR): it says so plainly, and gives the height such text needs on this sign.
function pictureText(content: ItemContent, context: LintContext, rules: ContentRules): LintFinding[] {
  if (content.kind !== 'image') return [];
  const sign = context.sign;
  const requiredMm = Math.max(rules.minCharHeightMm, sign?.minCharHeightMm ?? 0);
  const px = sign ? Math.ceil(requiredMm / sign.pixelPitchMm) : null;
  const height = px === null ? `${fmt(requiredMm, 0)} mm` : `${px} pixels (${fmt(requiredMm, 0)} mm) on the sign`;
  const heightSv =
    px === null ? `${fmtSv(requiredMm, 0)} mm` : `${px} bildpunkter hög på skylten (${fmtSv(requiredMm, 0)} mm)`;
  return [
    warn(
      'picture-text',
      `Skylt cannot read text inside a picture: if the picture has text, each letter must be at least ${height} as the picture is drawn, and its words count towards the ${rules.maxWordsPerPage}; otherwise put the text in the caption, where it is checked`,
      `Skylt kan inte läsa text som finns i bilden. Har bilden text måste varje bokstav vara minst ${heightSv} som bilden visas, och orden räknas in i de ${rules.maxWordsPerPage} orden – skriv annars texten i bildtexten, där den kontrolleras.`,
      'image',
    ),
  ];
}

// An event submitted as "19:00+01:00" in July is 20.00 in Vara: the sign shows Stockholm time, so say so.
function eventTimeOffset(content: ItemContent): LintFinding[] {
  if (content.kind !== 'event') return [];
  const given = isoOffsetMinutes(content.startsAt);
  const t = stockholmTime(content.startsAt);
  if (given === null || given === t.offsetMinutes) return [];
  const hhmm = `${String(t.hour).padStart(2, '0')}.${String(t.minute).padStart(2, '0')}`;
  return [
    warn(
      'event-time-offset',
      `the start time is given with offset ${formatOffset(given)}, but Vara is at ${formatOffset(t.offsetMinutes)} on that date: the sign will show kl ${hhmm}; check the time`,
      `Starttiden har tidszonen ${formatOffset(given)}, men i Vara gäller ${formatOffset(t.offsetMinutes)} det datumet. Skylten visar kl ${hhmm} – kontrollera tiden.`,
      'startsAt',
    ),
  ];
}

/** No calls to action (call-to-action.ts says how text is read, so lookalikes and separators do not hide one). */
function callToAction(page: readonly PageField[]): LintFinding[] {
  const out: LintFinding[] = [];
  for (const p of page) {
    if (p.role === 'link') continue;
    const hit = callToActionIn(p.text);
    if (!hit) continue;
    out.push(
      err(
        'call-to-action',
        `${p.field} asks drivers for action (${hit.en}): leave it out; the information link leads to the details`,
        `Texten i ${fieldNameSv(p.field)} uppmanar förare att göra något (${hit.sv}). Ta bort det – länken leder till mer information.`,
        p.field,
      ),
    );
  }
  return out;
}

/**
 * /skicka as the user types: the form checked by the API (POST /api/items/check), each problem once under the field it
 * concerns, the rest beside the preview, and the page drawn for each chosen sign (POST /api/items/preview.png).
 */
import { ApiError, api, post } from '../../shared/api.js';
import { $, $$, debounce, h, replace } from '../../shared/dom.js';
import { showError } from '../../shared/layout.js';
import {
  addFieldMessage,
  clearFieldMessages,
  formField,
  groupFindings,
  inputFor,
  lintHeadline,
  lintList,
  problemText,
} from '../../shared/lint-list.js';
import { allSigns } from '../../shared/signs.js';
import { bodyOf, chosenSigns } from './form-body.js';
import { form, message, state } from './state.js';

const PREVIEW_DELAY_MS = 400;
const previewBox = $('#previews');
const lintBox = $('#lint-summary');
let previewSeq = 0;
const previewUrls = new Map();

/**
 * The API's field problems (not shown for a field the user has not left yet, until a save) and the lint, under their
 * fields. Returns the lint problems that have no field on the form.
 */
export function renderFieldMessages(inputIssues, lint) {
  clearFieldMessages(form);
  for (const issue of inputIssues) {
    const target = inputFor(form, issue.field);
    if (target && !state.showAll && !state.touched.has(target.dataset.field ?? issue.field)) continue;
    addFieldMessage(form, issue.field, issue.message, 'error');
  }
  const loose = [];
  for (const g of groupFindings(lint?.findings)) {
    const field = formField(g.field);
    const text = problemText(g, chosenSigns());
    if (!field || !addFieldMessage(form, field, text, g.severity === 'error' ? 'error' : 'warning')) loose.push(g);
  }
  return loose;
}

function renderLintSummary(lint, inputIssues, loose) {
  if (!lint) {
    replace(
      lintBox,
      h(
        'p',
        { class: 'muted small' },
        inputIssues.length
          ? 'Fyll i de obligatoriska fälten, så kontrolleras sidan mot trafiksäkerhetsreglerna.'
          : 'Kontrolleras medan du skriver.',
      ),
    );
    return;
  }
  const groups = groupFindings(lint.findings);
  const placed = groups.length - loose.length;
  replace(
    lintBox,
    lintHeadline(groups, {
      whenErrors: 'måste rättas innan posten kan godkännas.',
      whenWarnings: 'Läs tipsen.',
      whenOk: 'Inga problem – sidan följer trafiksäkerhetsreglerna.',
    }),
    placed ? h('p', { class: 'small' }, 'Meddelandena står vid fälten de gäller.') : null,
    loose.length ? lintList(loose, chosenSigns()) : null,
  );
}

export function buildPreviewFigures() {
  replace(
    previewBox,
    allSigns().map((s) =>
      h(
        'figure',
        { dataset: { previewSign: s.id } },
        h('img', {
          class: 'sign-frame',
          width: s.width,
          height: s.height,
          alt: `Förhandsvisning på ${s.name}`,
          hidden: true,
        }),
        h('div', { class: 'preview-error' }, 'Fyll i formuläret för att se sidan.'),
        h('figcaption', {}, s.name),
      ),
    ),
  );
}

function setPreview(signId, { blob = null, text = null } = {}) {
  const fig = $(`[data-preview-sign="${CSS.escape(signId)}"]`, previewBox);
  if (!fig) return;
  const img = $('img', fig);
  const note = $('.preview-error', fig);
  if (blob) {
    const old = previewUrls.get(signId);
    const url = URL.createObjectURL(blob);
    previewUrls.set(signId, url);
    img.src = url;
    img.hidden = false;
    note.hidden = true;
    if (old) setTimeout(() => URL.revokeObjectURL(old), 1000);
  } else {
    img.hidden = true;
    note.hidden = false;
    note.textContent = text;
  }
}

export const schedulePreview = debounce(() => void refreshPreview(), PREVIEW_DELAY_MS);

/** The lint of a form body, or the API's field problems when the body is not valid yet. */
async function checkBody(body) {
  try {
    return { lint: await post('/api/items/check', body), issues: [] };
  } catch (e) {
    if (e instanceof ApiError && e.status === 400) return { lint: null, issues: e.fieldErrors };
    throw e;
  }
}

/** Fields that do not change what the page looks like (the link only when it is not shown). */
const offPage = (field, body) =>
  field === 'dwellSeconds' ||
  field.startsWith('window') ||
  field.startsWith('signs') ||
  (field === 'infoLink' && !body.showLink);

/**
 * A body that draws the same page, with stand-ins for fields that are still wrong but do not show on the sign:
 * the preview and the lint need not wait for a correct link or period.
 */
function withStandIns(body, issues) {
  const b = { ...body };
  if (issues.some((i) => i.field === 'infoLink')) b.infoLink = 'https://vara.se/';
  if (issues.some((i) => i.field === 'dwellSeconds')) b.dwellSeconds = 10;
  if (issues.some((i) => i.field.startsWith('window'))) delete b.window;
  if (issues.some((i) => i.field.startsWith('signs'))) delete b.signs;
  return b;
}

export async function refreshPreview() {
  const seq = ++previewSeq;
  let body = bodyOf();
  const chosen = chosenSigns();
  for (const fig of $$('[data-preview-sign]', previewBox)) fig.hidden = !chosen.includes(fig.dataset.previewSign);
  let lint = null;
  let issues = [];
  try {
    ({ lint, issues } = await checkBody(body));
    if (!lint && issues.length && issues.every((i) => offPage(i.field, body))) {
      body = withStandIns(body, issues);
      ({ lint } = await checkBody(body));
    }
  } catch (e) {
    if (seq === previewSeq) showError(message, e);
    return;
  }
  if (seq !== previewSeq) return;
  state.lastLint = lint;
  state.lastIssues = issues;
  if (chosen.length === 0) issues.push({ field: 'signs', message: 'Välj minst en skylt.' });
  const loose = renderFieldMessages(issues, lint);
  renderLintSummary(lint, issues, loose);
  if (!lint) {
    for (const id of chosen) setPreview(id, { text: 'Fyll i de obligatoriska fälten för att se sidan.' });
    return;
  }
  await Promise.all(
    chosen.map(async (id) => {
      try {
        const res = await api('POST', `/api/items/preview.png?sign=${encodeURIComponent(id)}`, body, { raw: true });
        const blob = await res.blob();
        if (seq === previewSeq) setPreview(id, { blob });
      } catch (e) {
        if (seq !== previewSeq) return;
        const tooLong = lint.findings.find((f) => f.severity === 'error' && f.signs.includes(id));
        setPreview(id, {
          text:
            e instanceof ApiError && e.status === 422
              ? `Sidan kan inte ritas. ${tooLong?.messageSv ?? 'Texten får inte plats i den storlek som krävs. Korta texten.'}`
              : e.message,
        });
      }
    }),
  );
}

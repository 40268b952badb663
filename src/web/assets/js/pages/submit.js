/**
 * /skicka (and /skicka?id=… to edit): one form per item kind, a live preview of the page on each sign as the
 * user types, the road-safety lint in plain Swedish next to the field it concerns, picture upload, draft or submit.
 * Uses GET /api/signs, POST /api/items/check, POST /api/items/preview.png?sign=, POST /api/images,
 * GET /api/images/:id, POST /api/items, GET|PATCH /api/items/:id, POST /api/items/:id/submit.
 */
import { ApiError, api, fieldLabel, get, patch, post } from '../shared/api.js';
import { $, $$, busy, debounce, h, notify, replace } from '../shared/dom.js';
import { isoToLocalInput, localInputToIso, STATE_LABELS, WEEKDAY_LABELS } from '../shared/format.js';
import { initPage, showError } from '../shared/layout.js';
import { pictureProblem, uploadPicture } from '../shared/upload.js';

const PREVIEW_DELAY_MS = 400;
const form = $('#item-form');
const message = $('#form-message');
const previewBox = $('#previews');
const lintBox = $('#lint-summary');

let user = null;
let signs = [];
/** The item being edited (ItemView), or null for a new one. */
let editing = null;
let imageId = null;
/** Field errors are shown for fields the user has left, and for all after a save. */
const touched = new Set();
let showAll = false;
let previewSeq = 0;
const previewUrls = new Map();
let lastLint = null;
/** Field problems the API found in the form at the last check. */
let lastIssues = [];

// --- reading the form

const kind = () => form.elements.kind.value;
const val = (id) => $(`#${id}`).value.trim();
const optional = (id) => val(id) || undefined;

function contentOf(k) {
  switch (k) {
    case 'event':
      return {
        kind: k,
        title: val('event-title'),
        performer: optional('event-performer'),
        startsAt: localInputToIso($('#event-starts').value) ?? '',
        venue: val('event-venue'),
        organiser: editing?.organisation ?? user.organisation,
      };
    case 'exhibition':
    case 'excursion':
      return { kind: k, title: val('place-title'), where: val('place-where'), when: val('place-when') };
    case 'info': {
      const lines = [0, 1, 2, 3].map((i) => val(`info-line-${i}`));
      while (lines.length > 1 && !lines.at(-1)) lines.pop();
      return { kind: k, lines };
    }
    case 'image':
      return { kind: k, image: imageId ?? '', caption: optional('image-caption'), fit: form.elements.fit.value };
    default:
      throw new Error(`unknown kind ${k}`);
  }
}

/** Nothing typed into the kind's own fields yet (the kind, organiser and picture fit are always set). */
const blankContent = (content) =>
  Object.entries(content).every(
    ([k, v]) => ['kind', 'organiser', 'fit'].includes(k) || !(Array.isArray(v) ? v.join('') : v),
  );

const chosenSigns = () => $$('input[name=sign]:checked').map((i) => i.value);

/** "2026-12-24" -> the start of the next day in Swedish time: an end date includes its whole day. */
function endOfDayIso(date) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date ?? '');
  if (!m) return null;
  const next = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1));
  return localInputToIso(`${next.toISOString().slice(0, 10)}T00:00`);
}

function windowOf() {
  const w = {};
  const from = localInputToIso($('#window-from').value);
  // An information item's own end date, else the period's "Visas till".
  const infoUntil = kind() === 'info' ? endOfDayIso($('#info-until').value) : null;
  const until = infoUntil ?? localInputToIso($('#window-until').value);
  if (from) w.from = from;
  if (until) w.until = until;
  const days = $$('input[name=day]:checked').map((i) => i.value);
  if (days.length > 0 && days.length < 7) w.days = days;
  const tf = $('#time-from').value;
  const tu = $('#time-until').value;
  if (tf && tu) w.times = [{ from: tf, until: tu }];
  return Object.keys(w).length ? w : null;
}

/** The form as the API's ItemInput (without id/submit). */
function bodyOf() {
  const chosen = chosenSigns();
  const body = {
    content: contentOf(kind()),
    dwellSeconds: Number($('#dwell').value) || 0,
    infoLink: val('info-link'),
    showLink: $('#show-link').checked,
  };
  if (chosen.length && chosen.length < signs.length) body.signs = chosen;
  const w = windowOf();
  if (w) body.window = w;
  return body;
}

// --- showing messages next to fields

/** The input (or group) a field name from the API belongs to: "content.lines.2", "signs.0", "window.times.0.until". */
function inputFor(field) {
  let f = field;
  while (f) {
    const el = $$(`[data-field="${CSS.escape(f)}"]`).find((e) => !e.closest('fieldset[disabled]'));
    if (el) return el;
    const cut = f.lastIndexOf('.');
    if (cut < 0) break;
    f = f.slice(0, cut);
  }
  return null;
}

/** Lint findings name content fields without the "content." prefix; the others (link, dwell, window) as they are. */
const lintField = (f) =>
  !f
    ? null
    : f === 'dwellSeconds' || f === 'infoLink' || f === 'showLink' || f.startsWith('window')
      ? f
      : `content.${f}`;

function clearFieldMessages() {
  for (const el of $$('.field-msg')) el.remove();
  for (const el of $$('[aria-invalid]', form)) el.removeAttribute('aria-invalid');
  for (const el of $$('[data-described]', form)) {
    el.setAttribute('aria-describedby', el.dataset.described);
  }
}

function addFieldMessage(field, text, kind) {
  const target = inputFor(field);
  if (!target) return false;
  const key = target.dataset.field ?? field;
  if (!showAll && kind === 'error-input' && !touched.has(key)) return true;
  const id = `msg-${key.replaceAll('.', '-')}-${$$('.field-msg').length}`;
  const span = h('span', { class: `field-msg ${kind === 'warning' ? 'field-warning' : 'field-error'}`, id }, text);
  if (target.tagName === 'FIELDSET') target.append(span);
  else {
    const holder = target.closest('.field') ?? target.parentElement;
    holder.append(span);
    if (kind !== 'warning') target.setAttribute('aria-invalid', 'true');
    if (!target.dataset.described) target.dataset.described = target.getAttribute('aria-describedby') ?? '';
    target.setAttribute('aria-describedby', `${target.getAttribute('aria-describedby') ?? ''} ${id}`.trim());
  }
  return true;
}

function renderFieldMessages(inputIssues, lint) {
  clearFieldMessages();
  for (const issue of inputIssues) addFieldMessage(issue.field, issue.message, 'error-input');
  for (const f of lint?.findings ?? []) {
    const field = lintField(f.field);
    if (field) addFieldMessage(field, f.messageSv, f.severity === 'error' ? 'error' : 'warning');
  }
}

function renderLintSummary(lint, inputIssues) {
  if (!lint) {
    const missing = inputIssues.length;
    replace(
      lintBox,
      h(
        'p',
        { class: 'muted small' },
        missing
          ? 'Fyll i de obligatoriska fälten, så kontrolleras sidan mot trafiksäkerhetsreglerna.'
          : 'Kontrolleras medan du skriver.',
      ),
    );
    return;
  }
  const signName = (id) => signs.find((s) => s.id === id)?.name ?? id;
  const allSigns = (list) => list.length >= chosenSigns().length;
  if (lint.findings.length === 0) {
    replace(
      lintBox,
      h(
        'p',
        { class: 'notice notice--ok', dataset: { lint: 'ok' } },
        'Inga problem – sidan följer trafiksäkerhetsreglerna.',
      ),
    );
    return;
  }
  replace(
    lintBox,
    h(
      'p',
      {
        class: lint.errors ? 'notice notice--error' : 'notice notice--warn',
        dataset: { lint: lint.errors ? 'errors' : 'warnings' },
      },
      lint.errors
        ? `${lint.errors === 1 ? 'Ett fel' : `${lint.errors} fel`} måste rättas innan posten kan godkännas.`
        : 'Inga fel, men läs tipsen nedan.',
    ),
    h(
      'ul',
      { class: 'lint-list' },
      lint.findings.map((f) =>
        h(
          'li',
          { class: f.severity === 'error' ? 'lint-error' : 'lint-warning' },
          h('strong', {}, f.severity === 'error' ? 'Fel: ' : 'Tips: '),
          f.messageSv,
          allSigns(f.signs) ? '' : ` (gäller ${f.signs.map(signName).join(', ')})`,
        ),
      ),
    ),
  );
}

// --- live preview

function buildPreviewFigures() {
  replace(
    previewBox,
    signs.map((s) =>
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

const schedulePreview = debounce(() => void refreshPreview(), PREVIEW_DELAY_MS);

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

async function refreshPreview() {
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
  lastLint = lint;
  lastIssues = issues;
  if (chosen.length === 0) issues.push({ field: 'signs', message: 'Välj minst en skylt.' });
  renderFieldMessages(issues, lint);
  renderLintSummary(lint, issues);
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

// --- kinds, choices, image

function showKind(k) {
  for (const fs of $$('fieldset[data-kinds]', form)) {
    const on = fs.dataset.kinds.split(' ').includes(k);
    fs.hidden = !on;
    fs.disabled = !on;
  }
  $('#place-legend').textContent = k === 'excursion' ? 'Utflykten' : 'Utställningen';
  $('#window-hint').textContent =
    k === 'event'
      ? 'Utan period visas evenemanget från början av dagen 14 dagar före, fram till att det börjar.'
      : 'Utan period visas posten tills den tas bort.';
}

function buildChoices() {
  replace(
    $('#sign-choices'),
    signs.map((s) =>
      h(
        'label',
        { class: 'choice' },
        h('input', { type: 'checkbox', name: 'sign', value: s.id, checked: true }),
        s.name,
      ),
    ),
  );
  replace(
    $('#day-choices'),
    Object.entries(WEEKDAY_LABELS).map(([value, label]) =>
      h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'day', value }), label),
    ),
  );
}

function uploadError(e) {
  if (!(e instanceof ApiError)) return 'Bilden kunde inte laddas upp.';
  // The real reason (too large, too many pixels, not a picture, ...), from the server, in Swedish.
  return e.fieldErrors[0]?.message ?? e.message;
}

async function uploadImage(file) {
  const status = $('#image-status');
  const progress = $('#image-progress');
  const local = $('#image-local');
  imageId = null;
  status.className = 'hint';
  const problem = await pictureProblem(file);
  if (problem) {
    status.className = 'field-error';
    status.textContent = problem;
    local.hidden = true;
    schedulePreview();
    return;
  }
  local.src = URL.createObjectURL(file);
  local.hidden = false;
  status.textContent = 'Laddar upp …';
  progress.value = 0;
  progress.hidden = false;
  try {
    const image = await uploadPicture(file, {
      onProgress: (share) => {
        progress.value = Math.round(share * 100);
        status.textContent = `Laddar upp … ${Math.round(share * 100)} %`;
      },
    });
    imageId = image.id;
    status.textContent = `Uppladdad: ${image.width}×${image.height} bildpunkter.`;
    touched.add('content.image');
  } catch (e) {
    status.className = 'field-error';
    status.textContent = uploadError(e);
  } finally {
    progress.hidden = true;
  }
  schedulePreview();
}

// --- loading an item to edit

function fill(item) {
  const c = item.content;
  form.elements.kind.value = c.kind;
  showKind(c.kind);
  const set = (id, v) => {
    $(`#${id}`).value = v ?? '';
  };
  if (c.kind === 'event') {
    set('event-title', c.title);
    set('event-performer', c.performer);
    set('event-starts', isoToLocalInput(c.startsAt));
    set('event-venue', c.venue);
  } else if (c.kind === 'exhibition' || c.kind === 'excursion') {
    set('place-title', c.title);
    set('place-where', c.where);
    set('place-when', c.when);
  } else if (c.kind === 'info') {
    for (const i of [0, 1, 2, 3]) set(`info-line-${i}`, c.lines[i]);
  } else if (c.kind === 'image') {
    imageId = c.image;
    set('image-caption', c.caption);
    form.elements.fit.value = c.fit ?? 'contain';
    const local = $('#image-local');
    local.src = `/api/images/${encodeURIComponent(c.image)}`;
    local.hidden = false;
    $('#image-status').textContent = 'Den uppladdade bilden. Välj en ny fil för att byta.';
  }
  set('info-link', item.infoLink);
  $('#show-link').checked = item.showLink;
  set('dwell', item.dwellSeconds);
  for (const box of $$('input[name=sign]')) box.checked = item.signs.includes(box.value);
  const w = item.window ?? {};
  set('window-from', isoToLocalInput(w.from));
  // An information item ending at midnight shows its end date (the day before) next to its lines.
  const untilLocal = isoToLocalInput(w.until);
  if (c.kind === 'info' && untilLocal.endsWith('T00:00')) {
    const last = new Date(Date.parse(`${untilLocal.slice(0, 10)}T00:00:00Z`) - 86_400_000);
    set('info-until', last.toISOString().slice(0, 10));
    set('window-until', '');
  } else set('window-until', untilLocal);
  for (const box of $$('input[name=day]')) box.checked = Boolean(w.days?.includes(box.value));
  set('time-from', w.times?.[0]?.from);
  set('time-until', w.times?.[0]?.until);
  if (item.window && (item.window.from || item.window.days || item.window.times || $('#window-until').value))
    $('#window-details').open = true;
}

function describeEditing(item) {
  $('#form-title').textContent = 'Ändra post';
  document.title = 'Ändra post – Skylt';
  const state = STATE_LABELS[item.state] ?? item.state;
  const submit = $('#submit-button');
  const draft = $('#draft-button');
  if (item.state === 'rejected') {
    notify(
      message,
      `Avslagen: ”${item.rejectionReason ?? 'ingen motivering'}”. Rätta posten och skicka in den igen.`,
      'warn',
    );
    draft.textContent = 'Spara utan att skicka in';
  } else if (item.state === 'approved') {
    notify(message, 'Posten är godkänd. Om du ändrar den måste den granskas igen innan den visas.', 'info');
    submit.textContent = 'Spara och skicka för granskning';
    draft.hidden = true;
  } else if (item.state === 'pending') {
    notify(message, 'Posten väntar på granskning. Du kan fortfarande ändra den.', 'info');
    submit.textContent = 'Spara ändringarna';
    draft.hidden = true;
  } else if (item.state === 'archived') {
    notify(message, 'Posten är arkiverad och kan inte ändras. Skicka in en ny i stället.', 'warn');
    submit.disabled = true;
    draft.disabled = true;
  } else {
    notify(message, `Status: ${state}.`, 'info');
  }
}

// --- saving

async function save(submitIt) {
  showAll = true;
  // Check what is in the form now, not what the last (debounced) preview saw.
  await refreshPreview();
  const body = bodyOf();
  if (chosenSigns().length === 0) {
    renderFieldMessages([{ field: 'signs', message: 'Välj minst en skylt.' }], lastLint);
    notify(message, 'Välj minst en skylt.', 'error');
    return;
  }
  if (lastIssues.length) {
    // Problems without a field of their own on the form are spelled out here.
    const loose = lastIssues.filter((i) => !inputFor(i.field)).map((i) => `${fieldLabel(i.field)}: ${i.message}`);
    notify(message, ['Något i formuläret behöver rättas – se de markerade fälten.', ...loose].join(' '), 'error');
    $('[aria-invalid=true]', form)?.focus();
    return;
  }
  if (submitIt && lastLint?.errors) {
    notify(
      message,
      'Rätta felen som är markerade först – en post med fel kan inte godkännas. Du kan spara den som utkast så länge.',
      'error',
    );
    $('[aria-invalid=true]', form)?.focus();
    return;
  }
  try {
    let result;
    if (!editing) {
      result = await post('/api/items', { ...body, submit: submitIt });
    } else {
      result = await patch(`/api/items/${encodeURIComponent(editing.id)}`, {
        ...body,
        window: body.window ?? null,
        signs: body.signs ?? null,
        expectedRevision: editing.revision,
      });
      if (submitIt && (result.item.state === 'draft' || result.item.state === 'rejected')) {
        result = await post(`/api/items/${encodeURIComponent(editing.id)}/submit`);
      }
    }
    const item = result.item;
    if (submitIt || item.state === 'pending') {
      location.assign(`/mina-poster?sparad=${encodeURIComponent(item.id)}`);
      return;
    }
    editing = item;
    history.replaceState(null, '', `/skicka?id=${encodeURIComponent(item.id)}`);
    describeEditing(item);
    notify(
      message,
      item.state === 'draft'
        ? 'Utkastet är sparat. Du hittar det under Mina poster.'
        : 'Ändringarna är sparade. Skicka in posten igen när du är klar.',
      'ok',
    );
  } catch (e) {
    if (e instanceof ApiError && e.status === 400 && e.fieldErrors.length) {
      renderFieldMessages(e.fieldErrors, lastLint);
      notify(message, e.message, 'error');
      $('[aria-invalid=true]', form)?.focus();
    } else if (e instanceof ApiError && e.status === 409) {
      notify(
        message,
        'Posten har ändrats av någon annan sedan du öppnade den. Ladda om sidan och gör ändringen igen.',
        'error',
      );
    } else showError(message, e);
  }
}

// --- start

async function main() {
  try {
    signs = await get('/api/signs');
  } catch (e) {
    showError(message, e);
    return;
  }
  buildChoices();
  buildPreviewFigures();
  $('#info-link').value = user.organisation === 'konserthus' ? 'https://varakonserthus.se/' : 'https://vara.se/';
  const id = new URLSearchParams(location.search).get('id');
  if (id) {
    try {
      const { item } = await get(`/api/items/${encodeURIComponent(id)}`);
      editing = item;
      fill(item);
      describeEditing(item);
      showAll = true;
    } catch (e) {
      showError(message, e);
    }
  } else showKind(kind());

  $('#kind-picker').addEventListener('change', () => {
    showKind(kind());
    schedulePreview();
  });
  form.addEventListener('input', (event) => {
    if (event.target.dataset.field) touched.add(event.target.dataset.field);
    if (event.target.id !== 'image-file') schedulePreview();
  });
  form.addEventListener('focusout', (event) => {
    if (event.target.dataset?.field && event.target.value) touched.add(event.target.dataset.field);
  });
  $('#image-file').addEventListener('change', (event) => {
    const file = event.target.files?.[0];
    if (file) void uploadImage(file);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy($('#submit-button'), () =>
      save(!editing || editing.state === 'draft' || editing.state === 'rejected' || editing.state === 'expired'),
    );
  });
  $('#draft-button').addEventListener('click', (event) => busy(event.currentTarget, () => save(false)));
  // An empty new form has nothing to check yet: asking would only earn a 400 (and a console error) on every visit.
  if (editing || !blankContent(bodyOf().content)) await refreshPreview();
}

user = await initPage({ path: '/skicka' });
if (user) await main();

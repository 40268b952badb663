/**
 * /skicka (and /skicka?id=… to edit): one form per item kind, a live preview of the page on each sign as the
 * user types, the road-safety lint in plain Swedish next to the field it concerns, picture upload, draft or submit.
 * Uses GET /api/signs, POST /api/items/check, POST /api/items/preview.png?sign=, POST /api/images,
 * GET /api/images/:id, POST /api/items, GET|PATCH /api/items/:id, POST /api/items/:id/submit.
 */
import { ApiError, fieldLabel, get, patch, post } from '../shared/api.js';
import { $, busy, h, notify, replace } from '../shared/dom.js';
import { keepForm, RESTORED_TEXT, readFields, writeFields } from '../shared/form-draft.js';
import { STATE_LABELS, WEEKDAY_LABELS } from '../shared/format.js';
import { initPage, showError } from '../shared/layout.js';
import { inputFor } from '../shared/lint-list.js';
import { loadSigns, signCheckboxes } from '../shared/signs.js';
import { buildPreviewFigures, refreshPreview, renderFieldMessages, schedulePreview } from './submit/check.js';
import { bodyOf, chosenSigns, fill, kind, showKind } from './submit/form-body.js';
import { uploadImage } from './submit/picture.js';
import { form, message, state } from './submit/state.js';

function buildChoices() {
  replace($('#sign-choices'), signCheckboxes('sign'));
  replace(
    $('#day-choices'),
    Object.entries(WEEKDAY_LABELS).map(([value, label]) =>
      h('label', { class: 'choice' }, h('input', { type: 'checkbox', name: 'day', value }), label),
    ),
  );
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

/** The form kept in this browser if the session ends before it is saved (shared/form-draft.js). */
let kept = null;

/** Puts back a form kept when the session ended: its fields, and the picture already uploaded. */
function restoreKept(fields) {
  const { imageId, ...rest } = fields;
  const k = Object.entries(rest)
    .find(([key, on]) => key.startsWith('kind=') && on)?.[0]
    .slice('kind='.length);
  if (k) {
    form.elements.kind.value = k;
    showKind(k);
  }
  writeFields(form, rest);
  if (imageId) {
    state.imageId = imageId;
    const local = $('#image-local');
    local.src = `/api/images/${encodeURIComponent(imageId)}`;
    local.hidden = false;
    $('#image-status').textContent = 'Den uppladdade bilden. Välj en ny fil för att byta.';
  }
  state.showAll = true;
  notify(message, RESTORED_TEXT, 'info');
}

/** Nothing typed into the kind's own fields yet (the kind, organiser and picture fit are always set). */
const blankContent = (content) =>
  Object.entries(content).every(
    ([k, v]) => ['kind', 'organiser', 'fit'].includes(k) || !(Array.isArray(v) ? v.join('') : v),
  );

// --- saving

async function save(submitIt) {
  state.showAll = true;
  // Check what is in the form now, not what the last (debounced) preview saw.
  await refreshPreview();
  const body = bodyOf();
  if (chosenSigns().length === 0) {
    renderFieldMessages([{ field: 'signs', message: 'Välj minst en skylt.' }], state.lastLint);
    notify(message, 'Välj minst en skylt.', 'error');
    return;
  }
  if (state.lastIssues.length) {
    // Problems without a field of their own on the form are spelled out here.
    const loose = state.lastIssues
      .filter((i) => !inputFor(form, i.field))
      .map((i) => `${fieldLabel(i.field)}: ${i.message}`);
    notify(message, ['Något i formuläret behöver rättas – se de markerade fälten.', ...loose].join(' '), 'error');
    $('[aria-invalid=true]', form)?.focus();
    return;
  }
  if (submitIt && state.lastLint?.errors) {
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
    if (!state.editing) {
      result = await post('/api/items', { ...body, submit: submitIt });
    } else {
      result = await patch(`/api/items/${encodeURIComponent(state.editing.id)}`, {
        ...body,
        window: body.window ?? null,
        signs: body.signs ?? null,
        expectedRevision: state.editing.revision,
      });
      if (submitIt && (result.item.state === 'draft' || result.item.state === 'rejected')) {
        result = await post(`/api/items/${encodeURIComponent(state.editing.id)}/submit`);
      }
    }
    const item = result.item;
    kept?.forget();
    if (submitIt || item.state === 'pending') {
      location.assign(`/mina-poster?sparad=${encodeURIComponent(item.id)}`);
      return;
    }
    state.editing = item;
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
      renderFieldMessages(e.fieldErrors, state.lastLint);
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
    await loadSigns();
  } catch (e) {
    showError(message, e);
    return;
  }
  buildChoices();
  buildPreviewFigures();
  $('#info-link').value = state.user.organisation === 'konserthus' ? 'https://varakonserthus.se/' : 'https://vara.se/';
  const id = new URLSearchParams(location.search).get('id');
  if (id) {
    try {
      const { item } = await get(`/api/items/${encodeURIComponent(id)}`);
      state.editing = item;
      fill(item);
      describeEditing(item);
      state.showAll = true;
    } catch (e) {
      showError(message, e);
    }
  } else showKind(kind());

  $('#kind-picker').addEventListener('change', () => {
    showKind(kind());
    schedulePreview();
  });
  form.addEventListener('input', (event) => {
    if (event.target.dataset.field) state.touched.add(event.target.dataset.field);
    if (event.target.id !== 'image-file') schedulePreview();
  });
  form.addEventListener('focusout', (event) => {
    if (event.target.dataset?.field && event.target.value) state.touched.add(event.target.dataset.field);
  });
  $('#image-file').addEventListener('change', (event) => {
    const file = event.target.files?.[0];
    if (file) void uploadImage(file);
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy($('#submit-button'), () =>
      save(
        !state.editing ||
          state.editing.state === 'draft' ||
          state.editing.state === 'rejected' ||
          state.editing.state === 'expired',
      ),
    );
  });
  $('#draft-button').addEventListener('click', (event) => busy(event.currentTarget, () => save(false)));
  kept = keepForm(state.user, { root: form, read: () => ({ ...readFields(form), imageId: state.imageId }) });
  const saved = kept.restore();
  if (saved) restoreKept(saved);
  // An empty new form has nothing to check yet: asking would only earn a 400 (and a console error) on every visit.
  if (state.editing || saved || !blankContent(bodyOf().content)) await refreshPreview();
}

state.user = await initPage({ path: '/skicka' });
if (state.user) await main();

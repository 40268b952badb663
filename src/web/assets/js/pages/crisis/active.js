/**
 * /kris: the crisis on the signs now: its text, source and times, each sign's confirmation and how long it took, the
 * all-clear (POST /api/crisis/:id/end) and a new text (PUT /api/crisis/:id/text).
 */
import { post, put } from '../../shared/api.js';
import { $, busy, h, notify, replace, technicalDetail } from '../../shared/dom.js';
import { formatDateTime, formatMs } from '../../shared/format.js';
import { showError } from '../../shared/layout.js';
import { signName } from '../../shared/signs.js';
import { crisis, message, SOURCE_LABELS } from './state.js';

export const confirmationDone = (c) => Boolean(c && (c.specificMs !== null || c.error));

let renderedKey = null;

export function renderState(state) {
  const box = $('#crisis-state');
  const c = state.active ? state.crisis : null;
  box.classList.toggle('crisis-state--active', Boolean(c));
  const key = c ? `${c.id}|${c.headline}|${c.instruction}|${c.expiresAt}` : 'none';
  // Rebuilt only when the crisis or its text changes, so a half-typed edit or an open question survives polling.
  if (key !== renderedKey) {
    renderedKey = key;
    if (!c) {
      replace(
        box,
        h('h2', { id: 'crisis-state-title' }, 'Inget krismeddelande visas'),
        h('p', { dataset: { crisisActive: 'false' } }, 'Skyltarna visar det vanliga innehållet från spellistan.'),
      );
      return;
    }
    buildActive(box, c);
  }
  if (c) updateConfirmations(c);
}

function updateConfirmations(c) {
  const rows = c.signIds.map((id) => {
    const conf = c.confirmations?.[id];
    const done = (ms) => ms !== null && ms !== undefined;
    return h(
      'tr',
      { dataset: { confirmSign: id, confirmed: String(confirmationDone(conf) && !conf?.error) } },
      h('th', { scope: 'row' }, signName(id)),
      h('td', {}, done(conf?.genericMs) ? `Bekräftad, ${formatMs(conf.genericMs)}` : 'Väntar …'),
      h(
        'td',
        {},
        conf?.error
          ? h(
              'div',
              {},
              h('span', { class: 'field-error' }, 'Skylten har inte bekräftat texten'),
              technicalDetail(conf.error),
            )
          : done(conf?.specificMs)
            ? `Bekräftad, ${formatMs(conf.specificMs)}`
            : 'Väntar …',
      ),
    );
  });
  replace($('#confirmations'), rows);
  $('#takeover').textContent = c.takeoverMs !== null ? `efter ${formatMs(c.takeoverMs)}` : 'Väntar …';
}

function buildActive(box, c) {
  const endButton = h(
    'button',
    { type: 'button', class: 'btn btn--success btn--big', id: 'end-crisis' },
    'Avsluta – faran är över',
  );
  const confirmEnd = h(
    'div',
    {
      class: 'notice notice--warn',
      hidden: true,
      id: 'end-confirm',
      role: 'alertdialog',
      'aria-labelledby': 'end-confirm-text',
    },
    h('p', { id: 'end-confirm-text' }, 'Avsluta krismeddelandet? Skyltarna går direkt tillbaka till spellistan.'),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'btn btn--success', id: 'end-yes' }, 'Ja, avsluta nu'),
      h('button', { type: 'button', class: 'btn btn--secondary', id: 'end-no' }, 'Nej'),
    ),
  );
  endButton.addEventListener('click', () => {
    confirmEnd.hidden = false;
    $('#end-yes', confirmEnd).focus();
  });
  $('#end-no', confirmEnd).addEventListener('click', () => {
    confirmEnd.hidden = true;
    endButton.focus();
  });
  $('#end-yes', confirmEnd).addEventListener('click', (event) =>
    busy(event.currentTarget, async () => {
      try {
        await post(`/api/crisis/${encodeURIComponent(c.id)}/end`, { reason: 'all-clear' });
        notify(message, 'Krismeddelandet är avslutat. Skyltarna går tillbaka till spellistan.', 'ok');
        await crisis.reload();
        $('#start-form button[type=submit]')?.focus();
      } catch (e) {
        showError(message, e);
      }
    }),
  );
  replace(
    box,
    h('h2', { id: 'crisis-state-title' }, 'Krismeddelande visas'),
    h(
      'p',
      { class: 'crisis-text', dataset: { crisisActive: 'true' } },
      h('strong', {}, c.headline),
      ' – ',
      c.instruction,
    ),
    h(
      'dl',
      { class: 'facts' },
      h('dt', {}, 'Källa'),
      h('dd', {}, SOURCE_LABELS[c.source] ?? c.source, c.createdBy ? ` (${c.createdBy})` : ''),
      h('dt', {}, 'Sedan'),
      h('dd', {}, formatDateTime(c.activatedAt ?? c.createdAt)),
      h('dt', {}, 'Upphör'),
      h('dd', {}, c.expiresAt ? formatDateTime(c.expiresAt) : 'När det avslutas'),
      h('dt', {}, 'Alla skyltar bekräftade'),
      h('dd', { id: 'takeover' }, 'Väntar …'),
    ),
    h(
      'div',
      { class: 'table-wrap' },
      h(
        'table',
        {},
        h('caption', { class: 'visually-hidden' }, 'Bekräftelse från varje skylt'),
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Skylt'),
            h('th', { scope: 'col' }, 'Krisbild'),
            h('th', { scope: 'col' }, 'Texten'),
          ),
        ),
        h('tbody', { id: 'confirmations' }),
      ),
    ),
    h('div', { class: 'actions' }, endButton),
    confirmEnd,
    editTextForm(c),
  );
}

function editTextForm(c) {
  const headline = h('input', { id: 'edit-headline', type: 'text', maxlength: 80, value: c.headline, required: true });
  const instruction = h('input', {
    id: 'edit-instruction',
    type: 'text',
    maxlength: 120,
    value: c.instruction,
    required: true,
  });
  const save = h('button', { type: 'submit', class: 'btn btn--secondary' }, 'Byt text på skyltarna');
  const form = h(
    'form',
    { novalidate: true },
    h('div', { class: 'field' }, h('label', { for: 'edit-headline' }, 'Rubrik'), headline),
    h('div', { class: 'field' }, h('label', { for: 'edit-instruction' }, 'Vad ska trafikanterna göra?'), instruction),
    h('div', { class: 'actions' }, save),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!headline.value.trim() || !instruction.value.trim()) {
      notify(message, 'Fyll i både rubrik och instruktion.', 'error');
      return;
    }
    void busy(save, async () => {
      try {
        await put(`/api/crisis/${encodeURIComponent(c.id)}/text`, {
          headline: headline.value.trim(),
          instruction: instruction.value.trim(),
        });
        notify(message, 'Texten är bytt på skyltarna.', 'ok');
        await crisis.reload();
      } catch (e) {
        showError(message, e);
      }
    });
  });
  return h('details', {}, h('summary', {}, 'Ändra texten'), form);
}

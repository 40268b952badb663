/**
 * /kris: starting a crisis: a template or free text, the signs and how long; then the exact page for each sign
 * (POST /api/crisis/preview.png) to confirm before it goes up (POST /api/crisis).
 */
import { api, post } from '../../shared/api.js';
import { $, $$, busy, h, notify, replace } from '../../shared/dom.js';
import { showError } from '../../shared/layout.js';
import { allSigns, signById, signCheckboxes, signNames } from '../../shared/signs.js';
import { crisis, message } from './state.js';

export function renderStartForm() {
  const box = $('#templates');
  const options = [
    ...crisis.templates.map((t) => ({ value: t.id, label: t.label, detail: `${t.headline} – ${t.instruction}` })),
    { value: '', label: 'Egen text', detail: 'Skriv rubrik och instruktion själv' },
  ];
  replace(
    box,
    options.map((o, i) =>
      h(
        'label',
        {},
        h('input', { type: 'radio', name: 'template', value: o.value, checked: i === 0 }),
        ' ',
        h('strong', {}, o.label),
        h('span', { class: 'small muted' }, o.detail),
      ),
    ),
  );
  box.addEventListener('change', () => {
    $('#free-text').hidden = chosenTemplate() !== null;
  });
  replace($('#crisis-signs'), signCheckboxes('sign'));
  $('#start-form').addEventListener('submit', (event) => {
    event.preventDefault();
    showConfirm();
  });
  $('#confirm-cancel').addEventListener('click', () => {
    crisis.pending = null;
    $('#confirm').hidden = true;
    $('#start').hidden = Boolean(crisis.current);
    $('#start-form button[type=submit]').focus();
  });
  $('#confirm-start').addEventListener('click', (event) => busy(event.currentTarget, startCrisis));
}

function chosenTemplate() {
  const value = $('input[name=template]:checked')?.value ?? '';
  return crisis.templates.find((t) => t.id === value) ?? null;
}

function setFieldError(id, text) {
  const el = $(`#${id}-error`);
  const input = $(`#${id}`);
  el.hidden = !text;
  el.textContent = text ?? '';
  if (input) input.toggleAttribute('aria-invalid', Boolean(text));
}

function showConfirm() {
  const template = chosenTemplate();
  const headline = template ? template.headline : $('#headline').value.trim();
  const instruction = template ? template.instruction : $('#instruction').value.trim();
  setFieldError('headline', !template && !headline ? 'Skriv en rubrik.' : null);
  setFieldError('instruction', !template && !instruction ? 'Skriv vad trafikanterna ska göra.' : null);
  const chosen = $$('input[name=sign]:checked').map((i) => i.value);
  setFieldError('signs', chosen.length === 0 ? 'Välj minst en skylt.' : null);
  if ((!template && (!headline || !instruction)) || chosen.length === 0) {
    ($('[aria-invalid]') ?? $('#crisis-signs input'))?.focus();
    return;
  }
  const minutes = $('#duration').value ? Number($('#duration').value) : null;
  crisis.pending = { template, headline, instruction, signs: chosen, minutes };
  replace(
    $('#confirm-summary'),
    h('strong', {}, `”${headline} – ${instruction}”`),
    ` visas på ${signNames(chosen)} `,
    minutes ? `i ${$('#duration').selectedOptions[0].textContent}.` : 'tills du avslutar det.',
  );
  replace(
    $('#confirm-preview'),
    chosen.map((id) => {
      const sign = signById(id);
      return h('figure', {}, crisisPreview(sign, headline, instruction), h('figcaption', {}, sign.name));
    }),
  );
  $('#start').hidden = true;
  $('#confirm').hidden = false;
  $('#confirm').focus();
}

async function startCrisis() {
  if (!crisis.pending) return;
  const body = crisis.pending.template
    ? { template: crisis.pending.template.id }
    : { headline: crisis.pending.headline, instruction: crisis.pending.instruction };
  if (crisis.pending.signs.length < allSigns().length) body.signs = crisis.pending.signs;
  if (crisis.pending.minutes) body.durationMinutes = crisis.pending.minutes;
  try {
    await post('/api/crisis', body);
    crisis.pending = null;
    $('#confirm').hidden = true;
    notify(message, 'Krismeddelandet är startat. Se skyltarnas bekräftelse nedan.', 'ok');
    await crisis.reload();
    $('#crisis-state').scrollIntoView({ block: 'start' });
  } catch (e) {
    showError(message, e);
  }
}

/**
 * The exact crisis page for one sign, rendered by Skylt from the same bytes the sign would get
 * (POST /api/crisis/preview.png). A text that does not fit shows Skylt's reason instead.
 */
function crisisPreview(sign, headline, instruction) {
  const figure = h('div', { class: 'sign-frame-box' }, 'Hämtar förhandsvisning …');
  api('POST', `/api/crisis/preview.png?sign=${encodeURIComponent(sign.id)}`, { headline, instruction }, { raw: true })
    .then((res) => res.blob())
    .then((blob) =>
      replace(
        figure,
        h('img', {
          src: URL.createObjectURL(blob),
          class: 'sign-frame',
          width: sign.width,
          height: sign.height,
          alt: `Förhandsvisning på ${sign.name}: VIKTIGT MEDDELANDE. ${headline}. ${instruction}.`,
        }),
      ),
    )
    .catch((e) => replace(figure, h('p', { class: 'field-error', role: 'alert' }, `Kan inte visas: ${e.message}`)));
  return figure;
}

/**
 * /kris: the crisis console, made for a phone. Start from a template or free text, preview, confirm; see each
 * sign confirm and how long it took; end with an all-clear; approve or dismiss the feeds' proposals.
 * Uses GET /api/crisis, GET /api/crisis/templates, POST /api/crisis, PUT /api/crisis/:id/text,
 * POST /api/crisis/:id/end|approve|dismiss, GET /api/signs, GET /api/signs/:id/frame.png.
 */
import { api, get, post, put } from '../shared/api.js';
import { $, $$, busy, h, notify, replace } from '../shared/dom.js';
import { formatDateTime, formatMs } from '../shared/format.js';
import { initPage, showError } from '../shared/layout.js';
import { signMirror } from '../shared/sign-mirror.js';

const SOURCE_LABELS = {
  manual: 'Startat manuellt',
  'sr-vma': 'VMA från Sveriges Radio',
  krisinformation: 'Krisinformation.se',
  smhi: 'SMHI:s varningar',
  cap: 'Externt CAP-flöde',
};

const FAST_MS = 1000;
const SLOW_MS = 5000;

const message = $('#crisis-message');
let signs = [];
let templates = [];
let current = null;
let pollTimer = null;
let pending = null;

async function main() {
  try {
    [signs, templates] = await Promise.all([get('/api/signs'), get('/api/crisis/templates')]);
  } catch (e) {
    showError(message, e);
    return;
  }
  renderStartForm();
  const mirrors = $('#mirrors');
  for (const sign of signs) {
    const m = signMirror(sign, { small: true });
    mirrors.append(h('figure', {}, m.element, h('figcaption', {}, sign.name)));
  }
  await refresh();
}

async function refresh() {
  clearTimeout(pollTimer);
  try {
    const state = await get('/api/crisis');
    current = state.active ? state.crisis : null;
    renderState(state);
    renderProposals(state.proposals ?? []);
    $('#start').hidden = Boolean(current) || pending !== null;
    renderFeeds((await get('/api/health')).feeds ?? []);
  } catch (e) {
    showError(message, e);
  }
  // While a sign has yet to confirm, look every second; otherwise every few seconds (feeds may propose).
  const waiting = current?.signIds.some((id) => !confirmationDone(current.confirmations?.[id]));
  pollTimer = setTimeout(refresh, waiting ? FAST_MS : SLOW_MS);
}

const confirmationDone = (c) => Boolean(c && (c.specificMs !== null || c.error));
const signName = (id) => signs.find((s) => s.id === id)?.name ?? id;

let renderedKey = null;

function renderState(state) {
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
          ? h('span', { class: 'field-error' }, `Fel: ${conf.error}`)
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
        await refresh();
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
        await refresh();
      } catch (e) {
        showError(message, e);
      }
    });
  });
  return h('details', {}, h('summary', {}, 'Ändra texten'), form);
}

const FEED_ERRORS = {
  network: 'nätverksfel',
  timeout: 'svarar inte',
  http: 'felsvar från servern',
  'rate-limited': 'för många anrop, väntar',
  'too-large': 'för stort svar',
  malformed: 'oläsbart svar',
  shape: 'oväntat innehåll',
  aborted: 'avbrutet',
};

/** Each configured feed: working, or failing since when (a failing feed never ends a running crisis). */
function renderFeeds(feeds) {
  const list = $('#feeds');
  if (feeds.length === 0) {
    replace(list, h('li', { class: 'muted' }, 'Inga krisflöden är påslagna.'));
    return;
  }
  replace(
    list,
    feeds.map((f) => {
      const name = SOURCE_LABELS[f.source] ?? f.name;
      const answering = !f.lastError || (f.lastOk && f.lastOk > f.lastError.at);
      if (answering && f.status === 'degraded' && f.lastPoll) {
        // It answers, but nothing in it can warn anyone (e.g. every link leads to a web page, not CAP).
        return h(
          'li',
          { class: 'lint-error' },
          h('strong', {}, name),
          `: svarar men ger inga användbara larm (${f.lastPoll.items} poster, ${f.lastPoll.alerts} larm)`,
        );
      }
      if (answering) {
        return h(
          'li',
          {},
          h('strong', {}, name),
          ': fungerar',
          f.lastOk ? `, senast hämtat ${formatDateTime(new Date(f.lastOk).toISOString())}` : '',
        );
      }
      return h(
        'li',
        { class: 'lint-error' },
        h('strong', {}, name),
        `: ${FEED_ERRORS[f.lastError.kind] ?? f.lastError.kind} (${f.consecutiveFailures} försök i rad)`,
        f.nextPollAt ? `, nytt försök ${formatDateTime(new Date(f.nextPollAt).toISOString())}` : '',
      );
    }),
  );
}

let proposalKey = '';

function renderProposals(proposals) {
  const section = $('#proposals');
  const list = $('#proposal-list');
  section.hidden = proposals.length === 0;
  const key = proposals.map((p) => p.id).join(',');
  if (key === proposalKey) return;
  proposalKey = key;
  replace(
    list,
    proposals.map((p) => {
      const approve = h('button', { type: 'button', class: 'btn btn--danger' }, 'Godkänn – visa på skyltarna');
      const dismiss = h('button', { type: 'button', class: 'btn btn--secondary' }, 'Avfärda');
      approve.addEventListener('click', () =>
        busy(approve, async () => {
          try {
            await post(`/api/crisis/${encodeURIComponent(p.id)}/approve`);
            notify(message, 'Förslaget är godkänt och visas nu på skyltarna.', 'ok');
          } catch (e) {
            showError(message, e);
          }
          await refresh();
        }),
      );
      dismiss.addEventListener('click', () =>
        busy(dismiss, async () => {
          try {
            await post(`/api/crisis/${encodeURIComponent(p.id)}/dismiss`);
            notify(message, 'Förslaget är avfärdat och visas inte.', 'ok');
          } catch (e) {
            showError(message, e);
          }
          await refresh();
        }),
      );
      return h(
        'li',
        { class: 'card', dataset: { proposal: p.id } },
        h('h3', {}, p.headline),
        h('p', {}, p.instruction),
        h(
          'p',
          { class: 'muted small' },
          `${SOURCE_LABELS[p.source] ?? p.source} · ${formatDateTime(p.createdAt)}${p.reason ? ` · ${p.reason}` : ''}`,
        ),
        h('div', { class: 'actions' }, approve, dismiss),
      );
    }),
  );
}

// --- starting a crisis

function renderStartForm() {
  const box = $('#templates');
  const options = [
    ...templates.map((t) => ({ value: t.id, label: t.label, detail: `${t.headline} – ${t.instruction}` })),
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
  replace(
    $('#crisis-signs'),
    signs.map((s) =>
      h(
        'label',
        { class: 'choice' },
        h('input', { type: 'checkbox', name: 'sign', value: s.id, checked: true }),
        s.name,
      ),
    ),
  );
  $('#start-form').addEventListener('submit', (event) => {
    event.preventDefault();
    showConfirm();
  });
  $('#confirm-cancel').addEventListener('click', () => {
    pending = null;
    $('#confirm').hidden = true;
    $('#start').hidden = Boolean(current);
    $('#start-form button[type=submit]').focus();
  });
  $('#confirm-start').addEventListener('click', (event) => busy(event.currentTarget, startCrisis));
}

function chosenTemplate() {
  const value = $('input[name=template]:checked')?.value ?? '';
  return templates.find((t) => t.id === value) ?? null;
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
  pending = { template, headline, instruction, signs: chosen, minutes };
  replace(
    $('#confirm-summary'),
    h('strong', {}, `”${headline} – ${instruction}”`),
    ` visas på ${chosen.map(signName).join(' och ')} `,
    minutes ? `i ${$('#duration').selectedOptions[0].textContent}.` : 'tills du avslutar det.',
  );
  replace(
    $('#confirm-preview'),
    chosen.map((id) => {
      const sign = signs.find((s) => s.id === id);
      return h('figure', {}, crisisPreview(sign, headline, instruction), h('figcaption', {}, sign.name));
    }),
  );
  $('#start').hidden = true;
  $('#confirm').hidden = false;
  $('#confirm').focus();
}

async function startCrisis() {
  if (!pending) return;
  const body = pending.template
    ? { template: pending.template.id }
    : { headline: pending.headline, instruction: pending.instruction };
  if (pending.signs.length < signs.length) body.signs = pending.signs;
  if (pending.minutes) body.durationMinutes = pending.minutes;
  try {
    await post('/api/crisis', body);
    pending = null;
    $('#confirm').hidden = true;
    notify(message, 'Krismeddelandet är startat. Se skyltarnas bekräftelse nedan.', 'ok');
    await refresh();
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

const user = await initPage({ path: '/kris', audience: 'reviewer' });
if (user) await main();

/**
 * /mina-poster: the organisation's items with their status and rejection reason; edit, submit, withdraw.
 * Uses GET /api/items?organisation=, GET /api/items/:id/signs/:sign/preview.png, POST /api/items/:id/submit|archive.
 */
import { ApiError, get, post } from '../shared/api.js';
import { $, busy, h, notify, replace } from '../shared/dom.js';
import { formatDateTime, itemTitle, KIND_LABELS, ORG_LABELS, STATE_LABELS } from '../shared/format.js';
import { initPage, showError } from '../shared/layout.js';
import { signPicture } from '../shared/sign-mirror.js';
import { loadSigns, signName } from '../shared/signs.js';

const message = $('#items-message');
const list = $('#item-list');
const filter = $('#state-filter');
let user = null;

const STATE_HELP = {
  draft: 'Inte inskickad än. Bara din organisation ser den.',
  pending: 'Väntar på att en kommunikatör på Vara kommun granskar den.',
  approved: 'Godkänd. Den visas när den finns i den publicerade spellistan och dess period pågår.',
  rejected: 'Avslagen. Rätta det som står i motiveringen och skicka in igen.',
  expired: 'Perioden är slut. Ändra perioden om den ska visas igen.',
  archived: 'Borttagen. Visas inte längre.',
};

async function load() {
  const state = filter.value;
  const params = new URLSearchParams({ organisation: user.organisation, limit: '200' });
  if (state) params.set('state', state);
  try {
    const res = await get(`/api/items?${params}`);
    const items = state ? res.items : res.items.filter((i) => i.state !== 'archived');
    if (items.length === 0) {
      replace(
        list,
        h(
          'li',
          { class: 'card' },
          state ? 'Inga poster med den statusen.' : 'Inga poster än. ',
          h('a', { href: '/skicka' }, 'Skicka in den första.'),
        ),
      );
      return;
    }
    replace(list, items.map(card));
  } catch (e) {
    showError(message, e);
  }
}

function card(item) {
  const title = itemTitle(item.content);
  const actions = [];
  if (item.state !== 'archived')
    actions.push(h('a', { class: 'btn btn--secondary', href: `/skicka?id=${encodeURIComponent(item.id)}` }, 'Ändra'));
  if (item.actions.includes('submit')) {
    const b = h(
      'button',
      { type: 'button', class: 'btn' },
      item.state === 'rejected' ? 'Skicka in igen' : 'Skicka för granskning',
    );
    b.addEventListener('click', () =>
      busy(b, async () => {
        try {
          await post(`/api/items/${encodeURIComponent(item.id)}/submit`);
          notify(message, `”${title}” är inskickad för granskning.`, 'ok');
          await load();
        } catch (e) {
          showError(
            message,
            e instanceof ApiError && e.status === 400
              ? new Error(`”${title}” kan inte skickas in: ${e.fieldErrors.map((f) => f.message).join(' ')}`)
              : e,
          );
        }
      }),
    );
    actions.push(b);
  }
  if (item.actions.includes('archive')) {
    const b = h('button', { type: 'button', class: 'btn btn--secondary' }, 'Ta bort');
    b.addEventListener('click', () => {
      if (!confirm(`Ta bort ”${title}”? Den visas inte längre och kan inte ändras.`)) return;
      void busy(b, async () => {
        try {
          await post(`/api/items/${encodeURIComponent(item.id)}/archive`);
          notify(message, `”${title}” är borttagen.`, 'ok');
          await load();
        } catch (e) {
          showError(message, e);
        }
      });
    });
    actions.push(b);
  }
  const w = item.effectiveWindow ?? {};
  return h(
    'li',
    { class: 'card', dataset: { itemId: item.id, state: item.state } },
    h(
      'div',
      { class: 'item-card__head' },
      h('h2', {}, title),
      h('span', { class: `status status--${item.state}` }, STATE_LABELS[item.state] ?? item.state),
    ),
    h(
      'p',
      { class: 'muted small' },
      `${KIND_LABELS[item.content.kind] ?? item.content.kind} · ${ORG_LABELS[item.organisation] ?? item.organisation} · ändrad ${formatDateTime(item.updatedAt)} av ${item.updatedBy}`,
    ),
    item.state === 'rejected'
      ? h(
          'div',
          { class: 'reason', dataset: { rejectionReason: '' } },
          h('strong', {}, 'Motivering: '),
          item.rejectionReason ?? '(ingen motivering)',
          item.decidedBy ? ` – ${item.decidedBy}` : '',
        )
      : h('p', { class: 'small' }, STATE_HELP[item.state] ?? ''),
    h(
      'p',
      { class: 'small' },
      'Visas ',
      w.from ? `från ${formatDateTime(w.from)} ` : 'från nu ',
      w.until ? `till ${formatDateTime(w.until)}` : 'tills vidare',
      '.',
    ),
    h(
      'div',
      { class: 'thumbs' },
      Object.entries(item.previews ?? {}).map(([sign, url]) =>
        h(
          'figure',
          {},
          signPicture(url, `${title} på ${signName(sign)}`, { small: true }),
          h('figcaption', {}, signName(sign)),
        ),
      ),
    ),
    h('div', { class: 'actions' }, actions),
  );
}

async function main() {
  const params = new URLSearchParams(location.search);
  if (params.has('sparad')) notify(message, 'Posten är sparad och inskickad för granskning. Du ser status här.', 'ok');
  await loadSigns().catch(() => []);
  filter.addEventListener('change', () => void load());
  await load();
}

user = await initPage({ path: '/mina-poster' });
if (user) await main();

/** /spellista: the draft's entries (order, signs, remove, add) and the published revisions (roll back). */
import { post } from '../../shared/api.js';
import { $, busy, h, notify, replace } from '../../shared/dom.js';
import { formatDateTime, itemTitle, KIND_LABELS, ORG_LABELS, STATE_LABELS } from '../../shared/format.js';
import { showError } from '../../shared/layout.js';
import { allSigns, signName } from '../../shared/signs.js';
import { change, ops } from './draft-changes.js';
import { message, state, titleOf } from './state.js';

export function renderEntries() {
  const table = $('#entries');
  const move = (itemId, by) => {
    // Focus follows the moved row: the same button if it can still move that way, else the other one.
    const row = () => $(`[data-entry="${CSS.escape(itemId)}"]`);
    const same = by < 0 ? 'Flytta upp' : 'Flytta ner';
    const other = by < 0 ? 'Flytta ner' : 'Flytta upp';
    return change(ops.move(itemId, by), () => {
      const b = row()?.querySelector(`button[aria-label^="${same}"]`);
      return b && !b.disabled ? b : row()?.querySelector(`button[aria-label^="${other}"]`);
    });
  };
  const rows = state.draft.entries.map((e, i) => {
    const item = state.items.get(e.itemId);
    const title = titleOf(e.itemId);
    const targets = item?.signs ?? allSigns().map((s) => s.id);
    const signBoxes = targets.map((sid) => {
      const box = h('input', {
        type: 'checkbox',
        checked: !e.signs || e.signs.includes(sid),
        'aria-label': `${title} på ${signName(sid)}`,
      });
      box.addEventListener('change', () => {
        const chosen = targets.filter((t) => (t === sid ? box.checked : !e.signs || e.signs.includes(t)));
        if (chosen.length === 0) {
          box.checked = true;
          notify(message, 'En post måste visas på minst en skylt. Ta bort den ur utkastet i stället.', 'error');
          return;
        }
        void change(ops.signs(e.itemId, chosen.length === targets.length ? undefined : chosen));
      });
      return h('label', { class: 'choice' }, box, signName(sid));
    });
    const up = h(
      'button',
      { type: 'button', class: 'btn btn--secondary icon-btn', disabled: i === 0, 'aria-label': `Flytta upp ${title}` },
      '↑',
    );
    const down = h(
      'button',
      {
        type: 'button',
        class: 'btn btn--secondary icon-btn',
        disabled: i === state.draft.entries.length - 1,
        'aria-label': `Flytta ner ${title}`,
      },
      '↓',
    );
    const remove = h(
      'button',
      { type: 'button', class: 'btn btn--secondary icon-btn', 'aria-label': `Ta bort ${title} ur utkastet` },
      'Ta bort',
    );
    up.addEventListener('click', () => move(e.itemId, -1));
    down.addEventListener('click', () => move(e.itemId, 1));
    remove.addEventListener('click', () => change(ops.remove(e.itemId), () => $('#add-item')));
    return h(
      'tr',
      { dataset: { entry: e.itemId } },
      h('td', { class: 'num' }, String(i + 1)),
      h(
        'td',
        {},
        h('strong', {}, title),
        h('br'),
        h('span', { class: 'small muted' }, KIND_LABELS[item?.content.kind ?? e.item?.kind] ?? ''),
      ),
      h(
        'td',
        {},
        h(
          'span',
          { class: `org org--${item?.organisation ?? e.item?.organisation}` },
          ORG_LABELS[item?.organisation ?? e.item?.organisation] ?? '',
        ),
      ),
      h(
        'td',
        {},
        e.problem
          ? h('span', { class: 'status status--rejected' }, STATE_LABELS[e.item?.state] ?? 'Saknas')
          : h('span', { class: 'status status--approved' }, 'Godkänd'),
      ),
      h('td', {}, h('div', { class: 'choices-inline' }, signBoxes)),
      h('td', {}, h('div', { class: 'row' }, up, down, remove)),
    );
  });
  replace(
    table,
    h('caption', { class: 'visually-hidden' }, 'Poster i utkastet, i spelordning'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Nr', 'Post', 'Organisation', 'Status', 'Skyltar', 'Ordning'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    h('tbody', {}, rows.length ? rows : h('tr', {}, h('td', { colspan: 6, class: 'muted' }, 'Utkastet är tomt.'))),
  );
  const inDraft = new Set(state.draft.entries.map((e) => e.itemId));
  const candidates = [...state.items.values()].filter((i) => i.state === 'approved' && !inDraft.has(i.id));
  replace(
    $('#add-item'),
    candidates.length
      ? candidates.map((i) => h('option', { value: i.id }, `${itemTitle(i.content)} (${ORG_LABELS[i.organisation]})`))
      : h('option', { value: '' }, 'Inga fler godkända poster'),
  );
  $('#add-form button').disabled = candidates.length === 0;
}

// --- revisions

/**
 * A revision's note as people wrote it; a rollback says which version it brought back. Notes that older versions of
 * Skylt wrote themselves, in English, are said in Swedish.
 */
function revisionNote(r) {
  const legacy = /^rollback to revision \d+$/.test(r.note ?? '')
    ? null
    : r.note === 'imported from a playlist file'
      ? 'Importerad från en spellistefil'
      : r.note;
  if (!r.rollbackOf) return legacy ?? '';
  return legacy ? `Återställning av version ${r.rollbackOf}: ${legacy}` : `Återställning av version ${r.rollbackOf}`;
}

export function renderRevisions(revisions) {
  const table = $('#revisions');
  if (revisions.items.length === 0) {
    replace(table, h('tbody', {}, h('tr', {}, h('td', { class: 'muted' }, 'Inget publicerat än.'))));
    return;
  }
  const rows = revisions.items.map((r) => {
    const cell = [];
    if (r.live) cell.push(h('span', { class: 'status status--approved' }, 'Visas nu'));
    else {
      const b = h('button', { type: 'button', class: 'btn btn--secondary' }, `Återställ version ${r.revision}`);
      b.addEventListener('click', () => {
        if (!confirm(`Återställa version ${r.revision}? Den publiceras igen direkt, och utkastet blir likadant.`))
          return;
        void busy(b, async () => {
          try {
            const res = await post('/api/playlist/rollback', { revision: r.revision });
            notify(
              message,
              `Version ${r.revision} är återställd och publicerad som version ${res.revision.revision}.`,
              'ok',
            );
            await state.reload();
          } catch (e) {
            showError(message, e);
          }
        });
      });
      cell.push(b);
    }
    return h(
      'tr',
      { dataset: { revision: r.revision } },
      h('td', { class: 'num' }, String(r.revision)),
      h('td', {}, formatDateTime(r.publishedAt)),
      h('td', {}, r.publishedBy),
      h('td', { class: 'num' }, String(r.itemCount)),
      h('td', {}, revisionNote(r)),
      h('td', {}, cell),
    );
  });
  replace(
    table,
    h('caption', { class: 'visually-hidden' }, 'Publicerade versioner, nyast först'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['Version', 'Publicerad', 'Av', 'Poster', 'Anteckning', ''].map((t) =>
          h('th', { scope: 'col', class: t === 'Version' || t === 'Poster' ? 'num' : null }, t),
        ),
      ),
    ),
    h('tbody', {}, rows),
  );
}

/**
 * /spellista: every change to the draft is an operation, so it can be made again on a newer draft. Saved with the
 * draft's version (If-Match); when someone else saved first, the page says what changed and offers merge or reload.
 */
import { ApiError, put } from '../../shared/api.js';
import { $, busy, h, notify, replace } from '../../shared/dom.js';
import { formatDateTime, formatNumber } from '../../shared/format.js';
import { showError } from '../../shared/layout.js';
import { allSigns, signNames } from '../../shared/signs.js';
import { message, state, titleOf } from './state.js';

const plain = (entries) => entries.map((e) => (e.signs ? { itemId: e.itemId, signs: e.signs } : { itemId: e.itemId }));
export const ifMatch = (d) => ({ 'if-match': `"draft-${d.version}"` });

/** The user's changes to the draft. `apply` makes the change on a draft's entries and settings (null: it cannot). */
export const ops = {
  move: (itemId, by) => ({
    describe: `flytta ”${titleOf(itemId)}” ${by < 0 ? 'upp' : 'ner'}`,
    apply: (entries, settings) => {
      const i = entries.findIndex((e) => e.itemId === itemId);
      if (i < 0) return null;
      const next = [...entries];
      const [x] = next.splice(i, 1);
      next.splice(Math.max(0, Math.min(next.length, i + by)), 0, x);
      return { entries: next, settings };
    },
  }),
  remove: (itemId) => ({
    describe: `ta bort ”${titleOf(itemId)}” ur utkastet`,
    apply: (entries, settings) => ({ entries: entries.filter((e) => e.itemId !== itemId), settings }),
  }),
  add: (itemId) => ({
    describe: `lägga till ”${titleOf(itemId)}”`,
    apply: (entries, settings) =>
      entries.some((e) => e.itemId === itemId)
        ? { entries, settings }
        : { entries: [...entries, { itemId }], settings },
  }),
  signs: (itemId, chosen) => ({
    describe: `visa ”${titleOf(itemId)}” på ${chosen ? signNames(chosen) : 'alla skyltar'}`,
    apply: (entries, settings) =>
      entries.some((e) => e.itemId === itemId)
        ? { entries: entries.map((e) => (e.itemId === itemId ? { itemId, signs: chosen } : e)), settings }
        : null,
  }),
  shares: (kommun) => ({
    describe: `ändra andelarna till kommunen ${formatNumber(kommun)} %, Konserthuset ${formatNumber(100 - kommun)} %`,
    apply: (entries, settings) => ({
      entries,
      settings: { ...settings, shares: { kommun, konserthus: 100 - kommun } },
    }),
  }),
};

/**
 * Makes the user's change on `base` (the draft the page shows) and saves it, naming that version in If-Match. If
 * someone else saved the draft meanwhile, nothing is saved: the page shows what changed and offers to merge or reload.
 * `focus` picks the control to give the keyboard focus back to afterwards.
 */
export async function change(op, focus = null, base = state.draft) {
  const next = op.apply(plain(base.entries), base.settings);
  if (!next) return;
  try {
    await put(
      '/api/playlist/draft',
      { settings: next.settings, entries: plain(next.entries) },
      { headers: ifMatch(base) },
    );
    hideConflict();
    await state.reload();
    if (focus) (focus() ?? $('#entries'))?.focus();
  } catch (e) {
    if (e instanceof ApiError && e.status === 409 && e.body?.draft) showConflict(base, e.body.draft, op);
    else showError(message, e);
  }
}

/** What changed between the draft the user saw and the draft as it is now, in words. */
function draftChanges(before, after) {
  const title = (id) =>
    after.entries.find((e) => e.itemId === id)?.item?.title ??
    before.entries.find((e) => e.itemId === id)?.item?.title ??
    titleOf(id);
  const was = new Map(before.entries.map((e) => [e.itemId, e]));
  const now = new Map(after.entries.map((e) => [e.itemId, e]));
  const out = [];
  const added = after.entries.filter((e) => !was.has(e.itemId)).map((e) => `”${title(e.itemId)}”`);
  const removed = before.entries.filter((e) => !now.has(e.itemId)).map((e) => `”${title(e.itemId)}”`);
  if (added.length) out.push(`Tillagda: ${added.join(', ')}`);
  if (removed.length) out.push(`Borttagna: ${removed.join(', ')}`);
  const common = (d, other) => d.entries.filter((e) => other.has(e.itemId)).map((e) => e.itemId);
  if (common(before, now).join('\n') !== common(after, was).join('\n')) out.push('Ny ordning');
  for (const e of after.entries) {
    const old = was.get(e.itemId);
    if (old && JSON.stringify(old.signs ?? null) !== JSON.stringify(e.signs ?? null))
      out.push(`”${title(e.itemId)}” visas nu på ${signNames(e.signs ?? allSigns().map((s) => s.id))}`);
  }
  const s0 = before.settings.shares;
  const s1 = after.settings.shares;
  if (s0.kommun !== s1.kommun)
    out.push(`Andelar: kommunen ${formatNumber(s1.kommun)} %, Konserthuset ${formatNumber(s1.konserthus)} %`);
  if (before.name !== after.name) out.push(`Namn: ${after.name}`);
  return out;
}

export function hideConflict() {
  const box = $('#draft-conflict');
  box.hidden = true;
  replace(box);
}

/**
 * Someone saved the draft after this page loaded it: say who and what, keep the user's change, and let them make it
 * again on the current draft (merge) or drop it (reload). `op` is null for a publish.
 */
export function showConflict(base, current, op) {
  const box = $('#draft-conflict');
  const merged = op ? op.apply(plain(current.entries), current.settings) : null;
  const changes = draftChanges(base, current);
  const mergeButton = merged
    ? h(
        'button',
        { type: 'button', class: 'btn', dataset: { action: 'merge' } },
        'Slå ihop: gör min ändring på det nya utkastet',
      )
    : null;
  const reloadButton = h(
    'button',
    { type: 'button', class: op ? 'btn btn--secondary' : 'btn', dataset: { action: 'reload' } },
    op ? 'Ladda om utan min ändring' : 'Ladda om och granska',
  );
  replace(
    box,
    h('h2', { id: 'conflict-title', tabindex: -1 }, 'Utkastet har ändrats medan du arbetade'),
    h(
      'p',
      {},
      `${current.updatedBy ?? 'Någon'} sparade utkastet ${current.updatedAt ? formatDateTime(current.updatedAt) : ''} efter att du öppnade sidan. `,
      op ? 'Din ändring är inte sparad.' : 'Ingenting är publicerat – titta på ändringarna först.',
    ),
    h('h3', {}, 'Det här har ändrats'),
    h(
      'ul',
      { class: 'diff-list', dataset: { conflictChanges: '' } },
      changes.length
        ? changes.map((c) => h('li', {}, c))
        : h('li', {}, 'Samma poster och inställningar, sparade på nytt.'),
    ),
    op
      ? h(
          'p',
          {},
          h('strong', {}, 'Din ändring: '),
          op.describe,
          merged ? '.' : ' – det går inte längre, posten finns inte kvar i utkastet.',
        )
      : null,
    h('div', { class: 'actions' }, mergeButton, reloadButton),
  );
  mergeButton?.addEventListener('click', () =>
    busy(mergeButton, async () => {
      await change(op, null, current);
      notify(message, `Din ändring (${op.describe}) är gjord på det nya utkastet.`, 'ok');
    }),
  );
  reloadButton.addEventListener('click', () =>
    busy(reloadButton, async () => {
      hideConflict();
      await state.reload();
      notify(message, 'Utkastet är omladdat.', 'info');
    }),
  );
  box.hidden = false;
  $('#conflict-title').focus();
}

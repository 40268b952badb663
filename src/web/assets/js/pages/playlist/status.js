/** /spellista: what is published, what the draft would change, and what cannot air now (and why). */
import { $, h, replace } from '../../shared/dom.js';
import { count, formatDateTime, formatNumber, STATE_LABELS } from '../../shared/format.js';
import { signNames } from '../../shared/signs.js';
import { state, titleOf } from './state.js';

export function renderStatus(diff) {
  const lines = [
    h('dt', {}, 'Publicerad version'),
    h(
      'dd',
      { id: 'live-revision' },
      state.live
        ? `Version ${state.live.revision}, publicerad ${formatDateTime(state.live.publishedAt)} av ${state.live.publishedBy}`
        : 'Inget publicerat än – skyltarna visar standardslingan',
    ),
    h('dt', {}, 'Utkastet'),
    h(
      'dd',
      {},
      state.draft.updatedAt
        ? `Ändrat ${formatDateTime(state.draft.updatedAt)} av ${state.draft.updatedBy}`
        : 'Inte ändrat',
      ` · ${count(state.draft.entries.length, 'post', 'poster')}`,
    ),
  ];
  if (state.live?.withdrawn?.length) {
    lines.push(
      h('dt', {}, 'Visas inte längre'),
      h(
        'dd',
        {},
        `${state.live.withdrawn.map(titleOf).join(', ')} (ändrade, borttagna eller utgångna efter publiceringen)`,
      ),
    );
  }
  replace($('#status'), h('dl', { class: 'facts' }, lines));

  const box = $('#diff');
  const problems = state.draft.entries.filter((e) => e.problem);
  const button = $('#publish-button');
  if (!diff) {
    replace(box);
  } else if (diff.identical) {
    replace(
      box,
      h(
        'p',
        { class: 'notice notice--info', dataset: { diff: 'identical' } },
        'Utkastet är likadant som det som är publicerat. Det finns inget nytt att publicera.',
      ),
    );
  } else {
    const changes = [];
    if (diff.added.length) changes.push(h('li', {}, `Nya: ${diff.added.map(titleOf).join(', ')}`));
    if (diff.removed.length) changes.push(h('li', {}, `Tas bort: ${diff.removed.map(titleOf).join(', ')}`));
    if (diff.changed.length) changes.push(h('li', {}, `Ändrade: ${diff.changed.map((c) => titleOf(c.id)).join(', ')}`));
    if (diff.reordered) changes.push(h('li', {}, 'Ny ordning'));
    if (diff.settings && state.live) {
      const s = diff.settings.after.shares;
      changes.push(
        h('li', {}, `Andelar: kommunen ${formatNumber(s.kommun)} %, Konserthuset ${formatNumber(s.konserthus)} %`),
      );
    }
    if (diff.name && state.live) changes.push(h('li', {}, `Namn: ${diff.name.after}`));
    replace(
      box,
      h(
        'p',
        { dataset: { diff: 'changes' } },
        h('strong', {}, state.live ? 'Om du publicerar ändras:' : 'Första publiceringen – det här börjar visas:'),
      ),
      h('ul', { class: 'diff-list' }, changes),
    );
  }
  if (problems.length) {
    box.append(
      h(
        'p',
        { class: 'notice notice--warn' },
        'Kan inte publiceras än: ',
        problems
          .map((e) => `”${e.item?.title ?? e.itemId}” är ${STATE_LABELS[e.item?.state] ?? 'borttagen'}`)
          .join('; '),
        '. Godkänn eller ta bort dem ur utkastet.',
      ),
    );
  }
  const canPublish = state.draft.publishable && !diff?.identical;
  button.disabled = !canPublish;
  button.title = canPublish ? '' : 'Inget att publicera';
}

// --- items that cannot air

/** Why an item is passed over on a sign (codes from /api/schedule, as in /api/health). */
const CANNOT_AIR = {
  'picture-preparing': 'bilden förbereds – den visas så snart den är klar',
  'picture-unreadable': 'bilden går inte att läsa – ladda upp den igen och publicera på nytt',
  'cannot-render': 'sidan går inte att rita på skylten – ändra posten och publicera på nytt',
};
/** The same for a page of the fallback loop, which comes from a file on the box, not from the playlist. */
const CANNOT_AIR_FALLBACK = {
  'picture-preparing': 'bilden förbereds – den visas så snart den är klar',
  'picture-unreadable': 'bilden går inte att läsa – be en administratör rätta standardslingan',
  'cannot-render': 'sidan går inte att rita på skylten – be en administratör rätta standardslingan',
};

export function renderCannotAir(schedule) {
  const box = $('#cannot-air');
  // One line per item and reason, naming every sign it is passed over on.
  const groups = new Map();
  for (const s of schedule?.signs ?? []) {
    for (const c of s.cannotAir) {
      const key = `${c.layer}\n${c.itemId}\n${c.code}`;
      const g = groups.get(key) ?? { ...c, signs: [] };
      g.signs.push(s.id);
      if (c.since < g.since) g.since = c.since;
      groups.set(key, g);
    }
  }
  const rows = [...groups.values()];
  if (rows.length === 0) {
    box.hidden = true;
    replace(box);
    return;
  }
  const line = (c) => {
    const where = signNames(c.signs);
    const since = `(sedan ${formatDateTime(c.since)})`;
    return c.layer === 'fallback'
      ? `Standardslingans sida ”${c.title}” på ${where}: ${CANNOT_AIR_FALLBACK[c.code] ?? 'den kan inte visas'} ${since}.`
      : `”${c.title ?? titleOf(c.itemId)}” på ${where}: ${CANNOT_AIR[c.code] ?? 'den kan inte visas'} ${since}.`;
  };
  box.hidden = false;
  replace(
    box,
    h('strong', {}, 'Det här visas inte just nu:'),
    h(
      'ul',
      {},
      rows.map((c) =>
        h('li', { dataset: { cannotAir: c.itemId, signs: c.signs.join(' '), code: c.code, layer: c.layer } }, line(c)),
      ),
    ),
  );
}

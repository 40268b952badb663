/** /spellista: a filmstrip per sign of what plays (draft or published), and the share of airtime per organisation. */
import { $, h, replace } from '../../shared/dom.js';
import { formatDateTime, formatNumber, ORG_LABELS } from '../../shared/format.js';
import { signPicture } from '../../shared/sign-mirror.js';
import { allSigns } from '../../shared/signs.js';
import { state, titleOf } from './state.js';

export function renderFilmstrips() {
  const source = document.querySelector('input[name=film]:checked')?.value ?? 'draft';
  const box = $('#filmstrips');
  const entries =
    source === 'live'
      ? (state.live?.items ?? []).map((i) => ({ itemId: i.id, signs: i.signs ?? allSigns().map((s) => s.id) }))
      : state.draft.entries.map((e) => ({
          itemId: e.itemId,
          signs: e.signs ?? state.items.get(e.itemId)?.signs ?? allSigns().map((s) => s.id),
        }));
  if (entries.length === 0) {
    replace(
      box,
      h(
        'p',
        { class: 'muted' },
        source === 'live' ? 'Inget publicerat än.' : 'Utkastet är tomt. Lägg till godkända poster nedan.',
      ),
    );
    return;
  }
  replace(
    box,
    allSigns().map((s) => {
      const onSign = entries.filter((e) => e.signs.includes(s.id));
      return h(
        'div',
        { class: 'sign-strip', dataset: { filmstrip: s.id } },
        h(
          'h3',
          {},
          s.name,
          h('span', { class: 'muted small' }, ` – ${onSign.length} ${onSign.length === 1 ? 'sida' : 'sidor'}`),
        ),
        onSign.length === 0
          ? h('p', { class: 'muted small' }, 'Inget på den här skylten – den visar standardslingan.')
          : h(
              'ol',
              { class: 'filmstrip', tabindex: 0, 'aria-label': `Sidor på ${s.name} i tur och ordning` },
              onSign.map((e, i) => {
                const item = state.items.get(e.itemId);
                const title = titleOf(e.itemId);
                const win = item?.effectiveWindow;
                const later = win?.from && Date.parse(win.from) > Date.now();
                return h(
                  'li',
                  {},
                  h(
                    'figure',
                    {},
                    signPicture(
                      `/api/items/${encodeURIComponent(e.itemId)}/signs/${encodeURIComponent(s.id)}/preview.png`,
                      `${i + 1}: ${title}`,
                      { small: true },
                    ),
                    h(
                      'figcaption',
                      { title },
                      `${i + 1}. ${title}`,
                      h('br'),
                      h('span', { class: `org org--${item?.organisation}` }, ORG_LABELS[item?.organisation] ?? ''),
                      item ? ` · ${item.dwellSeconds} s` : '',
                      later ? ` · från ${formatDateTime(win.from)}` : '',
                    ),
                  ),
                );
              }),
            ),
      );
    }),
  );
}

// --- shares

export function renderShares() {
  const shares = state.draft.settings.shares;
  const liveShares = state.live?.settings?.shares;
  const bar = (s, label) =>
    h(
      'div',
      { class: 'field' },
      h('span', { class: 'field-label' }, label),
      h(
        'div',
        {
          class: 'share-bar',
          role: 'img',
          'aria-label': `${label}: Vara kommun ${formatNumber(s.kommun)} %, Vara Konserthus ${formatNumber(s.konserthus)} %`,
        },
        s.kommun > 0
          ? h(
              'span',
              { class: 'share--kommun', style: null, dataset: { pct: s.kommun } },
              `Kommunen ${formatNumber(s.kommun)} %`,
            )
          : null,
        s.konserthus > 0
          ? h(
              'span',
              { class: 'share--konserthus', dataset: { pct: s.konserthus } },
              `Konserthuset ${formatNumber(s.konserthus)} %`,
            )
          : null,
      ),
    );
  const notes = [];
  for (const s of allSigns()) {
    const orgs = new Set(
      state.draft.entries
        .filter((e) => (e.signs ?? state.items.get(e.itemId)?.signs ?? allSigns().map((x) => x.id)).includes(s.id))
        .map((e) => state.items.get(e.itemId)?.organisation ?? e.item?.organisation),
    );
    for (const org of ['kommun', 'konserthus']) {
      if (orgs.size > 0 && !orgs.has(org)) {
        notes.push(h('li', {}, `${ORG_LABELS[org]} har inget på ${s.name}: den andra får hela tiden där.`));
      }
    }
  }
  replace(
    $('#shares'),
    bar(shares, 'I utkastet'),
    liveShares && liveShares.kommun !== shares.kommun ? bar(liveShares, 'Publicerat nu') : null,
    h(
      'p',
      { class: 'muted small' },
      'Andelen räknas över ett dygn. Tid som en organisation inte kan fylla går till den andra.',
    ),
    notes.length ? h('ul', { class: 'small' }, notes) : null,
  );
  // Widths are set through the CSSOM (allowed by the page's Content-Security-Policy, unlike style attributes).
  for (const span of document.querySelectorAll('.share-bar span')) span.style.width = `${span.dataset.pct}%`;
  $('#share-kommun').value = String(shares.kommun);
  $('#share-konserthus').textContent = `Vara Konserthus: ${formatNumber(100 - shares.kommun)} %`;
}

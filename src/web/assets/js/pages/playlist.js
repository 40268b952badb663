/**
 * /spellista (communicators): the draft against the published revision, a filmstrip per sign of what will
 * play, the share of airtime per organisation, ordering and per-sign targeting, publish and roll back.
 * Uses GET|PUT /api/playlist/draft, GET /api/playlist/diff, GET /api/playlist/live, GET /api/playlist/revisions,
 * POST /api/playlist/publish, POST /api/playlist/rollback, GET /api/items, GET /api/signs,
 * GET /api/items/:id/signs/:sign/preview.png.
 */
import { ApiError, get, post, put } from '../shared/api.js';
import { $, busy, h, notify, replace } from '../shared/dom.js';
import { formatDateTime, formatNumber, itemTitle, KIND_LABELS, ORG_LABELS, STATE_LABELS } from '../shared/format.js';
import { initPage, showError } from '../shared/layout.js';
import { signPicture } from '../shared/sign-mirror.js';

const message = $('#playlist-message');
let signs = [];
let draft = null;
let live = null;
let items = new Map();

const signName = (id) => signs.find((s) => s.id === id)?.name ?? id;
const titleOf = (id) =>
  items.get(id) ? itemTitle(items.get(id).content) : (draft?.entries.find((e) => e.itemId === id)?.item?.title ?? id);

async function load() {
  try {
    const [d, l, list, diff, revisions] = await Promise.all([
      get('/api/playlist/draft'),
      get('/api/playlist/live').catch((e) => {
        if (e instanceof ApiError && e.status === 404) return null;
        throw e;
      }),
      get('/api/items?limit=200'),
      get('/api/playlist/diff').catch(() => null),
      get('/api/playlist/revisions?limit=20'),
    ]);
    draft = d;
    live = l;
    items = new Map(list.items.map((i) => [i.id, i]));
    renderStatus(diff);
    renderFilmstrips();
    renderShares();
    renderEntries();
    renderRevisions(revisions);
  } catch (e) {
    showError(message, e);
  }
}

// --- status and diff

function renderStatus(diff) {
  const lines = [
    h('dt', {}, 'Publicerad version'),
    h(
      'dd',
      { id: 'live-revision' },
      live
        ? `Version ${live.revision}, publicerad ${formatDateTime(live.publishedAt)} av ${live.publishedBy}`
        : 'Inget publicerat än – skyltarna visar standardslingan',
    ),
    h('dt', {}, 'Utkastet'),
    h(
      'dd',
      {},
      draft.updatedAt ? `Ändrat ${formatDateTime(draft.updatedAt)} av ${draft.updatedBy}` : 'Inte ändrat',
      ` · ${draft.entries.length} poster`,
    ),
  ];
  if (live?.withdrawn?.length) {
    lines.push(
      h('dt', {}, 'Visas inte längre'),
      h('dd', {}, `${live.withdrawn.map(titleOf).join(', ')} (ändrade, borttagna eller utgångna efter publiceringen)`),
    );
  }
  replace($('#status'), h('dl', { class: 'facts' }, lines));

  const box = $('#diff');
  const problems = draft.entries.filter((e) => e.problem);
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
    if (diff.settings && live) {
      const s = diff.settings.after.shares;
      changes.push(
        h('li', {}, `Andelar: kommunen ${formatNumber(s.kommun)} %, Konserthuset ${formatNumber(s.konserthus)} %`),
      );
    }
    if (diff.name && live) changes.push(h('li', {}, `Namn: ${diff.name.after}`));
    replace(
      box,
      h(
        'p',
        { dataset: { diff: 'changes' } },
        h('strong', {}, live ? 'Om du publicerar ändras:' : 'Första publiceringen – det här börjar visas:'),
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
  const canPublish = draft.publishable && !diff?.identical;
  button.disabled = !canPublish;
  button.title = canPublish ? '' : 'Inget att publicera';
}

// --- filmstrips

function renderFilmstrips() {
  const source = document.querySelector('input[name=film]:checked')?.value ?? 'draft';
  const box = $('#filmstrips');
  const entries =
    source === 'live'
      ? (live?.items ?? []).map((i) => ({ itemId: i.id, signs: i.signs ?? signs.map((s) => s.id) }))
      : draft.entries.map((e) => ({
          itemId: e.itemId,
          signs: e.signs ?? items.get(e.itemId)?.signs ?? signs.map((s) => s.id),
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
    signs.map((s) => {
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
                const item = items.get(e.itemId);
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

function renderShares() {
  const shares = draft.settings.shares;
  const liveShares = live?.settings?.shares;
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
  for (const s of signs) {
    const orgs = new Set(
      draft.entries
        .filter((e) => (e.signs ?? items.get(e.itemId)?.signs ?? signs.map((x) => x.id)).includes(s.id))
        .map((e) => items.get(e.itemId)?.organisation ?? e.item?.organisation),
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

// --- entries

/** Saves the draft and redraws; `focus` picks the control to give the keyboard focus back to afterwards. */
async function saveEntries(entries, settings = draft.settings, focus = null) {
  try {
    await put('/api/playlist/draft', {
      settings,
      entries: entries.map((e) => (e.signs ? { itemId: e.itemId, signs: e.signs } : { itemId: e.itemId })),
    });
    await load();
    if (focus) (focus() ?? $('#entries'))?.focus();
  } catch (e) {
    showError(message, e);
  }
}

function renderEntries() {
  const table = $('#entries');
  const entries = draft.entries.map((e) => ({ itemId: e.itemId, signs: e.signs }));
  const move = (i, by) => {
    const next = [...entries];
    const [x] = next.splice(i, 1);
    next.splice(i + by, 0, x);
    // Focus follows the moved row: the same button if it can still move that way, else the other one.
    const row = () => $(`[data-entry="${CSS.escape(x.itemId)}"]`);
    const same = by < 0 ? 'Flytta upp' : 'Flytta ner';
    const other = by < 0 ? 'Flytta ner' : 'Flytta upp';
    return saveEntries(next, draft.settings, () => {
      const b = row()?.querySelector(`button[aria-label^="${same}"]`);
      return b && !b.disabled ? b : row()?.querySelector(`button[aria-label^="${other}"]`);
    });
  };
  const rows = draft.entries.map((e, i) => {
    const item = items.get(e.itemId);
    const title = titleOf(e.itemId);
    const targets = item?.signs ?? signs.map((s) => s.id);
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
        const next = entries.map((x, j) =>
          j === i ? { itemId: x.itemId, signs: chosen.length === targets.length ? undefined : chosen } : x,
        );
        void saveEntries(next);
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
        disabled: i === draft.entries.length - 1,
        'aria-label': `Flytta ner ${title}`,
      },
      '↓',
    );
    const remove = h(
      'button',
      { type: 'button', class: 'btn btn--secondary icon-btn', 'aria-label': `Ta bort ${title} ur utkastet` },
      'Ta bort',
    );
    up.addEventListener('click', () => move(i, -1));
    down.addEventListener('click', () => move(i, 1));
    remove.addEventListener('click', () =>
      saveEntries(
        entries.filter((_, j) => j !== i),
        draft.settings,
        () => $('#add-item'),
      ),
    );
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
  const inDraft = new Set(draft.entries.map((e) => e.itemId));
  const candidates = [...items.values()].filter((i) => i.state === 'approved' && !inDraft.has(i.id));
  replace(
    $('#add-item'),
    candidates.length
      ? candidates.map((i) => h('option', { value: i.id }, `${itemTitle(i.content)} (${ORG_LABELS[i.organisation]})`))
      : h('option', { value: '' }, 'Inga fler godkända poster'),
  );
  $('#add-form button').disabled = candidates.length === 0;
}

// --- revisions

function renderRevisions(revisions) {
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
            await load();
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
      h('td', {}, r.rollbackOf ? `Återställning av version ${r.rollbackOf}` : (r.note ?? '')),
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

async function main() {
  try {
    signs = await get('/api/signs');
  } catch (e) {
    showError(message, e);
    return;
  }
  $('#film-source').addEventListener('change', renderFilmstrips);
  $('#share-kommun').addEventListener('input', () => {
    const k = Math.min(100, Math.max(0, Number($('#share-kommun').value) || 0));
    $('#share-konserthus').textContent = `Vara Konserthus: ${formatNumber(100 - k)} %`;
  });
  $('#share-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const k = Number($('#share-kommun').value);
    if (!Number.isFinite(k) || k < 0 || k > 100) {
      notify(message, 'Ange kommunens andel som ett tal mellan 0 och 100.', 'error');
      return;
    }
    void saveEntries(
      draft.entries.map((e) => ({ itemId: e.itemId, signs: e.signs })),
      { ...draft.settings, shares: { kommun: k, konserthus: 100 - k } },
    );
  });
  $('#add-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const id = $('#add-item').value;
    if (!id) return;
    void saveEntries([...draft.entries.map((e) => ({ itemId: e.itemId, signs: e.signs })), { itemId: id }]);
  });
  $('#publish-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void busy($('#publish-button'), async () => {
      try {
        const note = $('#publish-note').value.trim();
        const res = await post('/api/playlist/publish', note ? { note } : {});
        notify(message, `Publicerat som version ${res.revision.revision}. Skyltarna byter vid nästa sida.`, 'ok');
        $('#publish-note').value = '';
        await load();
      } catch (e) {
        showError(message, e);
      }
    });
  });
  await load();
}

const user = await initPage({ path: '/spellista', audience: 'reviewer' });
if (user) await main();

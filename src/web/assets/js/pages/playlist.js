/**
 * /spellista (communicators): the draft against the published revision, a filmstrip per sign of what will
 * play, the share of airtime per organisation, ordering and per-sign targeting, publish and roll back.
 * Changes are saved with the draft's version (If-Match); when someone else saved first, the page shows what changed
 * and lets the user make their change again on the new draft (merge) or reload.
 * When each published item airs next comes from GET /api/schedule/timeline; "Visa nu" is POST /api/overrides.
 * Uses GET|PUT /api/playlist/draft, GET /api/playlist/diff, GET /api/playlist/live, GET /api/playlist/revisions,
 * POST /api/playlist/publish, POST /api/playlist/rollback, GET /api/items, GET /api/signs,
 * GET /api/items/:id/signs/:sign/preview.png.
 */
import { ApiError, api, get, post, put } from '../shared/api.js';
import { $, busy, h, notify, replace, svg } from '../shared/dom.js';
import {
  formatDate,
  formatDateTime,
  formatDuration,
  formatNumber,
  formatTime,
  itemTitle,
  KIND_LABELS,
  ORG_LABELS,
  STATE_LABELS,
} from '../shared/format.js';
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
    // What cannot air, "Visa nu" running, and when each item airs next (GET /api/schedule and its timeline).
    void loadOverrides();
    void loadTimeline();
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

function renderCannotAir(schedule) {
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
    const where = c.signs.map(signName).join(' och ');
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

// --- when each item airs next (GET /api/schedule/timeline), and "Visa nu" (POST /api/overrides)

const airsHours = () => Number(document.querySelector('input[name=airs]:checked')?.value ?? 24);

async function loadTimeline() {
  const box = $('#airs-charts');
  let timeline;
  try {
    timeline = await get(`/api/schedule/timeline?hours=${airsHours()}`);
  } catch (e) {
    replace(box, h('p', { class: 'notice notice--warn' }, `Tidslinjen kan inte visas: ${e.message}`));
    replace($('#airs'));
    return;
  }
  renderTimeline(timeline);
}

/** One bar per sign: each bucket stacked by organisation, the fallback loop and "Visa nu". */
function timelineChart(sign, timeline, orgOf) {
  const W = 720;
  const H = 64;
  const top = 4;
  const barH = 40;
  const n = sign.buckets.length;
  const w = W / n;
  const week = timeline.bucketMinutes >= 360;
  const totals = { kommun: 0, konserthus: 0, idle: 0, override: 0 };
  const columns = sign.buckets.map((b, i) => {
    const len = (Date.parse(b.until) - Date.parse(b.from)) / 1000;
    const parts = { kommun: 0, konserthus: 0 };
    for (const x of b.items) parts[orgOf(x.itemId)] = (parts[orgOf(x.itemId)] ?? 0) + x.seconds;
    totals.kommun += parts.kommun;
    totals.konserthus += parts.konserthus;
    totals.idle += b.idleSeconds;
    totals.override += b.overrideSeconds;
    let y = top;
    const rects = [];
    for (const [cls, sec] of [
      ['bar--override', b.overrideSeconds],
      ['bar--kommun', parts.kommun],
      ['bar--konserthus', parts.konserthus],
      ['bar--idle', b.idleSeconds],
    ]) {
      const hh = len > 0 ? (sec / len) * barH : 0;
      if (hh > 0) rects.push(svg('rect', { class: cls, x: i * w, y, width: Math.max(1, w - 1), height: hh }));
      y += hh;
    }
    const label = week ? formatDate(b.from).replace(/ \d{4}$/, '') : `kl ${formatTime(b.from).slice(0, 2)}`;
    const tick = (week ? i % 4 === 0 : i % 3 === 0) ? svg('text', { x: i * w + 2, y: H - 4 }, label) : null;
    return svg('g', {}, svg('title', {}, `${formatDateTime(b.from)}: ${b.items.length} poster`), rects, tick);
  });
  const all = totals.kommun + totals.konserthus + totals.idle + totals.override || 1;
  const pct = (x) => formatNumber(Math.round((x / all) * 1000) / 10);
  const desc = `Vara kommun ${pct(totals.kommun)} %, Vara Konserthus ${pct(totals.konserthus)} %, standardslingan ${pct(totals.idle)} %${totals.override ? `, Visa nu ${pct(totals.override)} %` : ''}.`;
  return h(
    'figure',
    { dataset: { timeline: sign.id } },
    h('figcaption', {}, h('strong', {}, sign.name), ' – ', desc),
    svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': `${sign.name}: ${desc}` }, columns),
  );
}

function renderTimeline(timeline) {
  const titles = new Map(timeline.items.map((i) => [i.id, i]));
  const orgOf = (id) => titles.get(id)?.organisation ?? items.get(id)?.organisation ?? 'kommun';
  const nameOf = (id) => titles.get(id)?.title ?? titleOf(id);
  replace(
    $('#airs-charts'),
    timeline.signs.map((s) => timelineChart(s, timeline, orgOf)),
    h(
      'p',
      { class: 'airs-legend' },
      h('span', { class: 'swatch--kommun' }, 'Vara kommun'),
      h('span', { class: 'swatch--konserthus' }, 'Vara Konserthus'),
      h('span', { class: 'swatch--idle' }, 'Standardslingan'),
      h('span', { class: 'swatch--override' }, 'Visa nu'),
    ),
  );
  const period = timeline.bucketMinutes >= 360 ? 'veckan' : 'dygnet';
  const why = (entry) =>
    entry.whyNot === 'opens-later'
      ? `Från ${formatDateTime(entry.opensAt)}`
      : entry.whyNot === 'ended'
        ? 'Perioden är slut'
        : entry.whyNot === 'cannot-air'
          ? 'Kan inte visas (se ovan)'
          : `Inte ${period === 'veckan' ? 'den här veckan' : 'det här dygnet'}`;
  const rows = timeline.items.map((item) => {
    const cells = timeline.signs.map((s) => {
      const entry = s.items.find((x) => x.itemId === item.id);
      if (!entry) return h('td', { class: 'muted' }, 'Inte på skylten');
      return h(
        'td',
        { dataset: { nextAt: entry.nextAt ?? '', sign: s.id } },
        entry.nextAt ? formatDateTime(entry.nextAt) : h('span', { class: 'muted' }, why(entry)),
        entry.plays ? h('br') : null,
        entry.plays
          ? h('span', { class: 'small muted' }, `${entry.plays} gånger, ${formatDuration(entry.airtimeSeconds)}`)
          : null,
      );
    });
    const show = h(
      'button',
      { type: 'button', class: 'btn btn--secondary', 'aria-expanded': 'false', dataset: { showNow: item.id } },
      'Visa nu …',
    );
    const row = h(
      'tr',
      { dataset: { airs: item.id } },
      h(
        'th',
        { scope: 'row' },
        nameOf(item.id),
        h('br'),
        h('span', { class: `small org org--${item.organisation}` }, ORG_LABELS[item.organisation] ?? ''),
      ),
      cells,
      h('td', {}, show),
    );
    show.addEventListener('click', () => toggleShowNow(row, show, item, nameOf(item.id)));
    return row;
  });
  replace(
    $('#airs'),
    h('caption', { class: 'visually-hidden' }, `När varje publicerad post visas nästa gång, ${period}`),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, 'Post'),
        timeline.signs.map((s) => h('th', { scope: 'col' }, `Nästa gång på ${s.name}`)),
        h('th', { scope: 'col' }, h('span', { class: 'visually-hidden' }, 'Visa nu')),
      ),
    ),
    h(
      'tbody',
      {},
      rows.length
        ? rows
        : h('tr', {}, h('td', { colspan: timeline.signs.length + 2, class: 'muted' }, 'Inget publicerat än.')),
    ),
  );
}

/** The "Visa nu" form under an item's row: how long and on which signs; the page goes up after the 10 s minimum. */
function toggleShowNow(row, button, item, title) {
  const open = row.nextElementSibling?.dataset.showNowForm === item.id;
  if (open) {
    row.nextElementSibling.remove();
    button.setAttribute('aria-expanded', 'false');
    return;
  }
  const minutes = h(
    'select',
    { id: `show-minutes-${item.id}` },
    [5, 15, 30, 60, 120].map((m) =>
      h('option', { value: m, selected: m === 15 }, m < 60 ? `${m} minuter` : `${m / 60} tim`),
    ),
  );
  const boxes = signs.map((s) =>
    h(
      'label',
      { class: 'choice' },
      h('input', { type: 'checkbox', name: `show-sign-${item.id}`, value: s.id, checked: true }),
      s.name,
    ),
  );
  const send = h('button', { type: 'submit', class: 'btn' }, 'Visa nu');
  const form = h(
    'form',
    { class: 'row', novalidate: true },
    h('label', { for: `show-minutes-${item.id}` }, `Visa ”${title}” i`),
    minutes,
    h('span', { class: 'choices-inline' }, boxes),
    send,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = boxes
      .map((b) => b.querySelector('input'))
      .filter((i) => i.checked)
      .map((i) => i.value);
    if (chosen.length === 0) {
      notify(message, 'Välj minst en skylt.', 'error');
      return;
    }
    void busy(send, async () => {
      try {
        await post('/api/overrides', { itemId: item.id, minutes: Number(minutes.value), signs: chosen });
        notify(
          message,
          `”${title}” visas nu på ${chosen.map(signName).join(' och ')} i ${minutes.selectedOptions[0]?.textContent}. Skylten byter när sidan som visas har stått i minst 10 sekunder.`,
          'ok',
        );
        await Promise.all([loadOverrides(), loadTimeline()]);
      } catch (e) {
        showError(message, e);
      }
    });
  });
  const formRow = h('tr', { dataset: { showNowForm: item.id } }, h('td', { colspan: signs.length + 2 }, form));
  row.after(formRow);
  button.setAttribute('aria-expanded', 'true');
  minutes.focus();
}

async function loadOverrides() {
  const box = $('#overrides');
  let schedule;
  try {
    schedule = await get('/api/schedule');
  } catch {
    replace(box);
    return;
  }
  renderCannotAir(schedule);
  const running = schedule.overrides.filter((o) => o.state !== 'ended');
  if (running.length === 0) {
    replace(box);
    return;
  }
  replace(
    box,
    h(
      'ul',
      { class: 'notice notice--info' },
      running.map((o) => {
        const end = h('button', { type: 'button', class: 'btn btn--secondary' }, 'Avsluta');
        end.addEventListener('click', () =>
          busy(end, async () => {
            try {
              await api('DELETE', `/api/overrides/${encodeURIComponent(o.id)}`);
              notify(message, 'Visa nu är avslutat. Skyltarna går tillbaka till spellistan.', 'ok');
              await Promise.all([loadOverrides(), loadTimeline()]);
            } catch (e) {
              showError(message, e);
            }
          }),
        );
        return h(
          'li',
          { dataset: { override: o.id } },
          `Visa nu: ”${titleOf(o.itemId)}” på ${o.signs.map(signName).join(' och ')} till ${formatDateTime(o.endsAt)} (${o.createdBy}) `,
          end,
        );
      }),
    ),
  );
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

// --- entries: every change is an operation, so it can be made again on a newer draft

const plain = (entries) => entries.map((e) => (e.signs ? { itemId: e.itemId, signs: e.signs } : { itemId: e.itemId }));
const ifMatch = (d) => ({ 'if-match': `"draft-${d.version}"` });

/** The user's changes to the draft. `apply` makes the change on a draft's entries and settings (null: it cannot). */
const ops = {
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
    describe: `visa ”${titleOf(itemId)}” på ${chosen ? chosen.map(signName).join(' och ') : 'alla skyltar'}`,
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
async function change(op, focus = null, base = draft) {
  const next = op.apply(plain(base.entries), base.settings);
  if (!next) return;
  try {
    await put(
      '/api/playlist/draft',
      { settings: next.settings, entries: plain(next.entries) },
      { headers: ifMatch(base) },
    );
    hideConflict();
    await load();
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
      out.push(`”${title(e.itemId)}” visas nu på ${(e.signs ?? signs.map((s) => s.id)).map(signName).join(' och ')}`);
  }
  const s0 = before.settings.shares;
  const s1 = after.settings.shares;
  if (s0.kommun !== s1.kommun)
    out.push(`Andelar: kommunen ${formatNumber(s1.kommun)} %, Konserthuset ${formatNumber(s1.konserthus)} %`);
  if (before.name !== after.name) out.push(`Namn: ${after.name}`);
  return out;
}

function hideConflict() {
  const box = $('#draft-conflict');
  box.hidden = true;
  replace(box);
}

/**
 * Someone saved the draft after this page loaded it: say who and what, keep the user's change, and let them make it
 * again on the current draft (merge) or drop it (reload). `op` is null for a publish.
 */
function showConflict(base, current, op) {
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
      await load();
      notify(message, 'Utkastet är omladdat.', 'info');
    }),
  );
  box.hidden = false;
  $('#conflict-title').focus();
}

function renderEntries() {
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
  $('#airs-range').addEventListener('change', () => void loadTimeline());
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
    void change(ops.shares(k));
  });
  $('#add-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const id = $('#add-item').value;
    if (!id) return;
    void change(ops.add(id));
  });
  $('#publish-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void busy($('#publish-button'), async () => {
      try {
        const note = $('#publish-note').value.trim();
        // If-Match: publish the draft this page shows, not one someone changed since.
        const res = await post('/api/playlist/publish', note ? { note } : {}, { headers: ifMatch(draft) });
        notify(message, `Publicerat som version ${res.revision.revision}. Skyltarna byter vid nästa sida.`, 'ok');
        $('#publish-note').value = '';
        hideConflict();
        await load();
      } catch (e) {
        if (e instanceof ApiError && e.status === 409 && e.body?.draft) showConflict(draft, e.body.draft, null);
        else showError(message, e);
      }
    });
  });
  await load();
}

const user = await initPage({ path: '/spellista', audience: 'reviewer' });
if (user) await main();

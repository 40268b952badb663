/**
 * /rapporter: airtime per organisation over a chosen period, as an SVG chart (delivered against configured
 * share), tables per sign and per item, and the same report as CSV.
 * Uses GET /api/reports/airtime?from=&to=&sign=[&format=csv], GET /api/health (today, in Skylt's clock), GET /api/signs.
 */
import { get } from '../shared/api.js';
import { $, debounce, h, replace, svg } from '../shared/dom.js';
import {
  formatDate,
  formatDuration,
  formatNumber,
  formatPercent,
  isoToDateInput,
  itemTitle,
  ORG_LABELS,
  PRIORITY_LABELS,
} from '../shared/format.js';
import { initPage, showError } from '../shared/layout.js';

const message = $('#report-message');
let signs = [];
/** Item titles by id (the items this user may see); others keep their id. */
let titles = new Map();
let today = isoToDateInput(new Date().toISOString());
/** The report on screen, drawn again when the window changes width. */
let lastReport = null;
let chartWidth = 0;

/** "2026-12-01" + n days, by the calendar (no time zone involved). */
function addDays(date, n) {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + n)).toISOString().slice(0, 10);
}

const PRESETS = {
  today: () => [today, today],
  week: () => [addDays(today, -6), today],
  month: () => [`${today.slice(0, 8)}01`, today],
  'last-month': () => {
    const first = `${today.slice(0, 8)}01`;
    const lastOfPrevious = addDays(first, -1);
    return [`${lastOfPrevious.slice(0, 8)}01`, lastOfPrevious];
  },
};

/** The API's period is [from, to): the user's "till och med" is the day after, at midnight in Vara. */
function query(format) {
  const p = new URLSearchParams({ from: $('#from').value, to: addDays($('#to').value, 1) });
  if ($('#sign').value) p.set('sign', $('#sign').value);
  if (format) p.set('format', format);
  return p;
}

function validPeriod() {
  const from = $('#from').value;
  const to = $('#to').value;
  if (!from || !to) return 'Välj både start- och slutdatum.';
  if (to < from) return '”Till och med” kan inte vara före ”Från och med”.';
  return null;
}

async function load() {
  const problem = validPeriod();
  if (problem) {
    message.className = 'notice notice--error';
    message.textContent = problem;
    return;
  }
  message.textContent = '';
  $('#csv-link').href = `/api/reports/airtime?${query('csv')}`;
  history.replaceState(
    null,
    '',
    `/rapporter?${new URLSearchParams({ from: $('#from').value, to: $('#to').value, ...($('#sign').value ? { sign: $('#sign').value } : {}) })}`,
  );
  try {
    const report = await get(`/api/reports/airtime?${query()}`);
    renderChart(report);
    renderOrgTable(report);
    renderSignTable(report);
    renderItemTable(report);
  } catch (e) {
    showError(message, e);
  }
}

// --- the chart: one bar per organisation, delivered share, with the configured share marked

/**
 * Drawn at the width it is shown at (one SVG unit is one CSS pixel), so its text keeps its size on a phone instead of
 * shrinking with a scaled-down picture: each name and share sits on its own line above its bar, and a narrow chart gets
 * fewer ticks. Redrawn when the window changes width.
 */
function renderChart(report) {
  lastReport = report;
  const box = $('#chart');
  chartWidth = box.clientWidth;
  const rows = report.organisations;
  const any = rows.some((r) => r.deliveredShare !== null);
  // 48rem at most, as .chart svg allows; the fallback is for a hidden box, which has no width.
  const W = Math.min(Math.round(box.clientWidth) || 640, 768);
  const left = 8;
  const right = 24;
  const labelH = 26;
  const barH = 24;
  const gap = 18;
  const top = 4;
  const plotW = W - left - right;
  const rowH = labelH + barH + gap;
  const H = top + rows.length * rowH + 24;
  const x = (share) => left + share * plotW;
  const ticks = W < 480 ? [0, 0.5, 1] : [0, 0.25, 0.5, 0.75, 1];
  const period = `${formatDate(report.from)} – ${formatDate(new Date(Date.parse(report.to) - 1).toISOString())}`;
  const shareText = (r) => (r.deliveredShare === null ? 'ingen sändningstid' : formatPercent(r.deliveredShare));
  const desc = rows
    .map(
      (r) =>
        `${ORG_LABELS[r.organisation] ?? r.organisation}: ${shareText(r)} (avtalat ${formatPercent(r.configuredShare)})`,
    )
    .join('. ');
  const chart = svg(
    'svg',
    {
      viewBox: `0 0 ${W} ${H}`,
      width: W,
      height: H,
      role: 'img',
      'aria-labelledby': 'chart-svg-title chart-svg-desc',
    },
    svg('title', { id: 'chart-svg-title' }, `Andel av spellistans sändningstid, ${period}`),
    svg('desc', { id: 'chart-svg-desc' }, desc),
    ticks.map((t) =>
      svg('text', { x: x(t), y: H - 4, 'text-anchor': t === 0 ? 'start' : t === 1 ? 'end' : 'middle' }, `${t * 100} %`),
    ),
    rows.map((r, i) => {
      const y = top + i * rowH;
      const barY = y + labelH;
      // Grid and axis only beside the bar, never through the name above it.
      const beside = (cls, at) => svg('line', { class: cls, x1: at, x2: at, y1: barY - 2, y2: barY + barH + 2 });
      return svg(
        'g',
        {},
        ticks.map((t) => beside('grid', x(t))),
        beside('axis', left),
        svg(
          'text',
          { x: left, y: y + 16 },
          svg('tspan', { 'font-weight': 600 }, ORG_LABELS[r.organisation] ?? r.organisation),
          `: ${shareText(r)}`,
        ),
        svg('rect', {
          class: `bar--${r.organisation in ORG_LABELS ? r.organisation : 'other'}`,
          x: left,
          y: barY,
          width: Math.max(0, (r.deliveredShare ?? 0) * plotW),
          height: barH,
          rx: 3,
        }),
        svg('line', {
          class: 'target',
          x1: x(r.configuredShare),
          x2: x(r.configuredShare),
          y1: barY - 2,
          y2: barY + barH + 2,
        }),
      );
    }),
  );
  replace(
    box,
    chart,
    h(
      'p',
      { class: 'small muted' },
      'Staplarna visar levererad andel av spellistans tid. Den streckade linjen är den andel som är bestämd i spellistan.',
    ),
    any
      ? null
      : h('p', { class: 'notice notice--info' }, 'Skyltarna har inte visat något från spellistan under perioden.'),
  );
}

function table(caption, head, rows) {
  return h(
    'table',
    {},
    h('caption', { class: 'visually-hidden' }, caption),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        head.map(([t, num]) => h('th', { scope: 'col', class: num ? 'num' : null }, t)),
      ),
    ),
    h(
      'tbody',
      {},
      rows.length ? rows : h('tr', {}, h('td', { colspan: head.length, class: 'muted' }, 'Inget under perioden.')),
    ),
  );
}

function renderOrgTable(report) {
  replace(
    $('#org-table'),
    table(
      'Sändningstid per organisation',
      [
        ['Organisation'],
        ['Tid i spellistan', true],
        ['Visas nu-tid', true],
        ['Visningar', true],
        ['Bestämd andel', true],
        ['Levererad andel', true],
        ['Skillnad', true],
      ],
      report.organisations.map((r) =>
        h(
          'tr',
          { dataset: { org: r.organisation } },
          h(
            'th',
            { scope: 'row' },
            h('span', { class: `org org--${r.organisation}` }, ORG_LABELS[r.organisation] ?? r.organisation),
          ),
          h('td', { class: 'num' }, formatDuration(r.seconds)),
          h('td', { class: 'num' }, formatDuration(r.overrideSeconds)),
          h('td', { class: 'num' }, formatNumber(r.plays)),
          h('td', { class: 'num' }, formatPercent(r.configuredShare)),
          h('td', { class: 'num' }, r.deliveredShare === null ? '–' : formatPercent(r.deliveredShare)),
          h(
            'td',
            { class: 'num' },
            r.differencePp === null
              ? '–'
              : `${r.differencePp > 0 ? '+' : ''}${formatNumber(r.differencePp)} procentenheter`,
          ),
        ),
      ),
    ),
  );
}

function renderSignTable(report) {
  const name = (id) => signs.find((s) => s.id === id)?.name ?? id;
  replace(
    $('#sign-table'),
    table(
      'Sändningstid per skylt och slag',
      [
        ['Skylt'],
        ['Spellistan', true],
        ['Visas nu', true],
        ['Kris', true],
        ['Standardslinga', true],
        ['Kommunen', true],
        ['Konserthuset', true],
      ],
      report.signs.map((s) => {
        const org = (o) => s.organisations.find((x) => x.organisation === o);
        const share = (o) =>
          org(o)?.deliveredShare === null || org(o) === undefined ? '–' : formatPercent(org(o).deliveredShare);
        return h(
          'tr',
          {},
          h('th', { scope: 'row' }, name(s.signId)),
          h('td', { class: 'num' }, formatDuration(s.seconds.scheduled)),
          h('td', { class: 'num' }, formatDuration(s.seconds.override)),
          h('td', { class: 'num' }, formatDuration(s.seconds.crisis)),
          h('td', { class: 'num' }, formatDuration(s.seconds.fallback)),
          h('td', { class: 'num' }, share('kommun')),
          h('td', { class: 'num' }, share('konserthus')),
        );
      }),
    ),
  );
}

function renderItemTable(report) {
  replace(
    $('#item-table'),
    table(
      'Sändningstid per post',
      [['Post'], ['Organisation'], ['Slag'], ['Tid', true], ['Visningar', true]],
      report.items
        .slice(0, 100)
        .map((i) =>
          h(
            'tr',
            {},
            h('td', {}, i.itemId === '(none)' ? '–' : (titles.get(i.itemId) ?? i.itemId)),
            h('td', {}, ORG_LABELS[i.organisation] ?? '–'),
            h('td', {}, PRIORITY_LABELS[i.priority] ?? i.priority),
            h('td', { class: 'num' }, formatDuration(i.seconds)),
            h('td', { class: 'num' }, formatNumber(i.plays)),
          ),
        ),
    ),
  );
}

async function main() {
  try {
    const [s, health, list] = await Promise.all([
      get('/api/signs'),
      get('/api/health'),
      get('/api/items?limit=200').catch(() => ({ items: [] })),
    ]);
    signs = s;
    titles = new Map(list.items.map((i) => [i.id, itemTitle(i.content)]));
    today = isoToDateInput(health.now);
  } catch (e) {
    showError(message, e);
  }
  for (const s of signs) $('#sign').append(h('option', { value: s.id }, s.name));
  const params = new URLSearchParams(location.search);
  const [f, t] = PRESETS.week();
  $('#from').value = params.get('from') ?? f;
  $('#to').value = params.get('to') ?? t;
  if (params.get('sign')) $('#sign').value = params.get('sign');
  for (const b of document.querySelectorAll('[data-preset]')) {
    b.addEventListener('click', () => {
      const [from, to] = PRESETS[b.dataset.preset]();
      $('#from').value = from;
      $('#to').value = to;
      void load();
    });
  }
  $('#period-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  for (const id of ['from', 'to', 'sign'])
    $(`#${id}`).addEventListener('change', () => ($('#csv-link').href = `/api/reports/airtime?${query('csv')}`));
  addEventListener(
    'resize',
    debounce(() => {
      if (lastReport && $('#chart').clientWidth !== chartWidth) renderChart(lastReport);
    }, 150),
  );
  await load();
}

const user = await initPage({ path: '/rapporter' });
if (user) await main();

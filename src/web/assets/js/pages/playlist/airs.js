/**
 * /spellista: when each published item airs next on each sign (GET /api/schedule/timeline, a day or a week as a
 * chart and a table), "Visa nu" (POST /api/overrides) and the overrides running now (DELETE /api/overrides/:id).
 */
import { api, get, post } from '../../shared/api.js';
import { $, busy, h, notify, replace, svg } from '../../shared/dom.js';
import {
  count,
  formatDate,
  formatDateTime,
  formatDuration,
  formatNumber,
  formatTime,
  ORG_LABELS,
} from '../../shared/format.js';
import { showError } from '../../shared/layout.js';
import { allSigns, signCheckboxes, signNames } from '../../shared/signs.js';
import { message, state, titleOf } from './state.js';
import { renderCannotAir } from './status.js';

const airsHours = () => Number(document.querySelector('input[name=airs]:checked')?.value ?? 24);

export async function loadTimeline() {
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
    return svg(
      'g',
      {},
      svg('title', {}, `${formatDateTime(b.from)}: ${count(b.items.length, 'post', 'poster')}`),
      rects,
      tick,
    );
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
  const orgOf = (id) => titles.get(id)?.organisation ?? state.items.get(id)?.organisation ?? 'kommun';
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
          ? h(
              'span',
              { class: 'small muted' },
              `${count(entry.plays, 'gång', 'gånger')}, ${formatDuration(entry.airtimeSeconds)}`,
            )
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
  const boxes = signCheckboxes(`show-sign-${item.id}`);
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
          `”${title}” visas nu på ${signNames(chosen)} i ${minutes.selectedOptions[0]?.textContent}. Skylten byter när sidan som visas har stått i minst 10 sekunder.`,
          'ok',
        );
        await Promise.all([loadOverrides(), loadTimeline()]);
      } catch (e) {
        showError(message, e);
      }
    });
  });
  const formRow = h('tr', { dataset: { showNowForm: item.id } }, h('td', { colspan: allSigns().length + 2 }, form));
  row.after(formRow);
  button.setAttribute('aria-expanded', 'true');
  minutes.focus();
}

export async function loadOverrides() {
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
          `Visa nu: ”${titleOf(o.itemId)}” på ${signNames(o.signs)} till ${formatDateTime(o.endsAt)} (${o.createdBy}) `,
          end,
        );
      }),
    ),
  );
}

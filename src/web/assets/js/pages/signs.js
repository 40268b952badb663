/**
 * /skyltar: a live mirror of each sign, its link, brightness, and what it last confirmed showing.
 * Uses GET /api/signs, GET /api/signs/:id/frame.png, GET /api/health, GET /api/schedule for brightness and
 * the names of the pages shown, GET /api/crisis for a crisis's headline.
 */
import { get, isReviewer } from '../shared/api.js';
import { $, h, replace, technicalDetail } from '../shared/dom.js';
import { formatDateTime, formatNumber, formatTime, PRIORITY_LABELS } from '../shared/format.js';
import { initPage, showError } from '../shared/layout.js';
import { signMirror } from '../shared/sign-mirror.js';
import { directionLabel, loadSigns } from '../shared/signs.js';

const HEALTH_MS = 3000;

/**
 * What each page on a sign is called, by the id the sign reports: from GET /api/schedule (playlist, fallback loop,
 * "Visa nu"), and a crisis by its headline (GET /api/crisis, for those who may read it). Never the id itself.
 */
async function pageTitles(health, schedule) {
  const titles = new Map();
  for (const s of schedule?.signs ?? []) if (s.itemId && s.title) titles.set(s.itemId, s.title);
  if (isReviewer(user) && health.signs.some((s) => s.showing?.priority === 'crisis')) {
    const crisis = await get('/api/crisis').catch(() => null);
    if (crisis?.active && crisis.crisis) titles.set(`crisis:${crisis.crisis.id}`, crisis.crisis.headline);
  }
  return titles;
}

async function main() {
  const message = $('#signs-message');
  let signs;
  try {
    signs = await loadSigns();
  } catch (e) {
    showError(message, e);
    return;
  }
  const facts = new Map();
  const container = $('#signs');
  for (const sign of signs) {
    const mirror = signMirror(sign);
    const dl = h('dl', { class: 'facts', dataset: { signFacts: sign.id } });
    facts.set(sign.id, dl);
    container.append(
      h(
        'section',
        { class: 'card', 'aria-labelledby': `sign-${sign.id}` },
        h('h2', { id: `sign-${sign.id}` }, sign.name),
        h(
          'p',
          { class: 'muted small' },
          `För trafiken ${directionLabel(sign.facing)} · ${sign.width}×${sign.height} bildpunkter, ${formatNumber(sign.pixelPitchMm)} mm mellan punkterna`,
        ),
        mirror.element,
        dl,
      ),
    );
  }
  const refresh = async () => {
    try {
      const [health, schedule] = await Promise.all([get('/api/health'), get('/api/schedule').catch(() => null)]);
      const shown = await pageTitles(health, schedule);
      for (const s of health.signs) {
        const dl = facts.get(s.id);
        const brightness = schedule?.signs?.find((x) => x.id === s.id)?.brightness ?? s.brightness ?? null;
        if (dl) renderFacts(dl, s, health, brightness, shown);
      }
      if (health.clock && !health.clock.ok) {
        message.className = 'notice notice--error';
        message.textContent =
          'Klockan i Skylt verkar gå fel, så ingenting visas efter tid just nu (bara standardslingan och krismeddelanden). Kontakta den som sköter Skylt.';
      } else if (health.status !== 'ok') {
        message.className = 'notice notice--warn';
        message.textContent = 'Minst en skylt har problem med förbindelsen – se nedan.';
      } else message.textContent = '';
    } catch (e) {
      showError(message, e);
    }
  };
  await refresh();
  setInterval(refresh, HEALTH_MS);
}

function renderFacts(dl, s, health, brightness, titleOf) {
  const showing = s.showing;
  replace(
    dl,
    h('dt', {}, 'Förbindelse'),
    h(
      'dd',
      {},
      h(
        'span',
        { class: `status status--${s.link.up ? 'up' : 'down'}`, dataset: { linkState: s.link.up ? 'up' : 'down' } },
        s.link.up ? 'Ansluten' : 'Ingen kontakt',
      ),
      ' ',
      s.link.address ? h('span', { class: 'muted small' }, s.link.address) : null,
      s.link.lastError
        ? h(
            'div',
            {},
            h('span', { class: 'field-error' }, 'Senaste fel i förbindelsen'),
            technicalDetail(s.link.lastError),
          )
        : null,
    ),
    h('dt', {}, 'Visar'),
    h(
      'dd',
      { dataset: { showing: showing?.itemId ?? '' } },
      showing
        ? `${PRIORITY_LABELS[showing.priority] ?? showing.priority}${titleOf.has(showing.itemId) ? `: ${titleOf.get(showing.itemId)}` : ''}`
        : 'Skyltens eget standardläge eller släckt',
    ),
    h('dt', {}, 'Senast bekräftad'),
    h('dd', {}, showing ? formatDateTime(showing.since) : '–'),
    h('dt', {}, 'Ljusstyrka'),
    h('dd', {}, brightnessText(brightness)),
    h('dt', {}, 'Kontrollerad'),
    h('dd', {}, formatTime(health.now)),
  );
}

function brightnessText(b) {
  if (b === null || b === undefined) return 'Uppgift saknas';
  if (typeof b === 'number') return `${formatNumber(b)} %`;
  const level = b.level ?? b.percent ?? b.value;
  const pct = typeof level === 'number' ? `${formatNumber(level)} %` : '–';
  const source = b.source === 'photocell' ? 'ljussensor' : b.source === 'sun' ? 'solens läge' : b.source;
  return source ? `${pct}, efter ${source}` : pct;
}

const user = await initPage({ path: '/skyltar' });
if (user) await main();

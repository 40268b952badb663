/**
 * /skyltar: a live mirror of each sign, its link, brightness, and what it last confirmed showing.
 * Uses GET /api/signs, GET /api/signs/:id/frame.png, GET /api/health, and GET /api/schedule for brightness.
 */
import { get } from '../shared/api.js';
import { $, h, replace } from '../shared/dom.js';
import { formatDateTime, formatNumber, formatTime, itemTitle, PRIORITY_LABELS } from '../shared/format.js';
import { initPage, showError } from '../shared/layout.js';
import { signMirror } from '../shared/sign-mirror.js';

const HEALTH_MS = 3000;

/**
 * Titles of the published items by id (GET /api/playlist/live, which every role may read), for "what it shows";
 * asked again when a sign shows an id not in it (a new publish). Pages of the fallback loop keep their id. Asking
 * each item by id instead failed (404) for another organisation's items and for the fallback loop.
 */
let liveTitles = null;
const askedFor = new Set();
async function loadTitle(itemId) {
  if (!liveTitles || (!(await liveTitles).has(itemId) && !askedFor.has(itemId))) {
    askedFor.add(itemId);
    liveTitles = get('/api/playlist/live').then(
      (live) => new Map((live?.items ?? []).map((i) => [i.id, itemTitle(i.content)])),
      () => new Map(),
    );
  }
  return (await liveTitles).get(itemId) ?? itemId;
}

async function main() {
  const message = $('#signs-message');
  let signs;
  try {
    signs = await get('/api/signs');
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
        h('h2', { id: `sign-${sign.id}` }, sign.name, ' ', h('span', { class: 'muted small' }, `(${sign.id})`)),
        h(
          'p',
          { class: 'muted small' },
          `Mot ${facingSv(sign.facing)} · ${sign.width}×${sign.height} bildpunkter, ${formatNumber(sign.pixelPitchMm)} mm mellan punkterna`,
        ),
        mirror.element,
        dl,
      ),
    );
  }
  const refresh = async () => {
    try {
      const [health, schedule] = await Promise.all([get('/api/health'), get('/api/schedule').catch(() => null)]);
      const shown = new Map(
        await Promise.all(
          health.signs
            .filter((s) => s.showing?.itemId)
            .map(async (s) => [s.showing.itemId, await loadTitle(s.showing.itemId)]),
        ),
      );
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

/** "towards Skara/Örebro" -> "Skara/Örebro" (the API speaks English). */
function facingSv(facing) {
  return String(facing ?? '').replace(/^towards\s+/i, '');
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
      s.link.lastError ? h('span', { class: 'field-error' }, s.link.lastError) : null,
    ),
    h('dt', {}, 'Visar'),
    h(
      'dd',
      { dataset: { showing: showing?.itemId ?? '' } },
      showing
        ? `${PRIORITY_LABELS[showing.priority] ?? showing.priority}${showing.itemId ? `: ${titleOf.get(showing.itemId) ?? showing.itemId}` : ''}`
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

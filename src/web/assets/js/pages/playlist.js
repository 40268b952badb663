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
import { ApiError, get, post } from '../shared/api.js';
import { $, busy, notify } from '../shared/dom.js';
import { formatNumber } from '../shared/format.js';
import { initPage, showError } from '../shared/layout.js';
import { loadSigns } from '../shared/signs.js';
import { loadOverrides, loadTimeline } from './playlist/airs.js';
import { change, hideConflict, ifMatch, ops, showConflict } from './playlist/draft-changes.js';
import { renderEntries, renderRevisions } from './playlist/entries.js';
import { message, state } from './playlist/state.js';
import { renderStatus } from './playlist/status.js';
import { renderFilmstrips, renderShares } from './playlist/strips.js';

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
    state.draft = d;
    state.live = l;
    state.items = new Map(list.items.map((i) => [i.id, i]));
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

state.reload = load;

async function main() {
  try {
    await loadSigns();
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
        const res = await post('/api/playlist/publish', note ? { note } : {}, { headers: ifMatch(state.draft) });
        notify(message, `Publicerat som version ${res.revision.revision}. Skyltarna byter vid nästa sida.`, 'ok');
        $('#publish-note').value = '';
        hideConflict();
        await load();
      } catch (e) {
        if (e instanceof ApiError && e.status === 409 && e.body?.draft) showConflict(state.draft, e.body.draft, null);
        else showError(message, e);
      }
    });
  });
  await load();
}

const user = await initPage({ path: '/spellista' });
if (user) await main();

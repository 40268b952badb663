/**
 * /kris: the crisis console, made for a phone. Start from a template or free text, preview, confirm; see each
 * sign confirm and how long it took; end with an all-clear; approve or dismiss the feeds' proposals.
 * Uses GET /api/crisis, GET /api/crisis/templates, POST /api/crisis, PUT /api/crisis/:id/text,
 * POST /api/crisis/:id/end|approve|dismiss, GET /api/signs, GET /api/signs/:id/frame.png.
 */
import { get } from '../shared/api.js';
import { $, h, notify } from '../shared/dom.js';
import { keepForm, RESTORED_TEXT, writeFields } from '../shared/form-draft.js';
import { initPage, showError } from '../shared/layout.js';
import { signMirror } from '../shared/sign-mirror.js';
import { allSigns, loadSigns } from '../shared/signs.js';
import { confirmationDone, renderState } from './crisis/active.js';
import { renderFeeds, renderProposals } from './crisis/feeds.js';
import { renderStartForm } from './crisis/start.js';
import { crisis, message } from './crisis/state.js';

const FAST_MS = 1000;
const SLOW_MS = 5000;

let pollTimer = null;

async function main() {
  try {
    [, crisis.templates] = await Promise.all([loadSigns(), get('/api/crisis/templates')]);
  } catch (e) {
    showError(message, e);
    return;
  }
  renderStartForm();
  // The start form (a free text above all) is kept in this browser if the session ends (shared/form-draft.js).
  const kept = keepForm(user, { root: $('#start-form') });
  const saved = kept.restore();
  if (saved) {
    writeFields($('#start-form'), saved);
    notify(message, RESTORED_TEXT, 'info');
  }
  const mirrors = $('#mirrors');
  for (const sign of allSigns()) {
    const m = signMirror(sign, { small: true });
    mirrors.append(h('figure', {}, m.element, h('figcaption', {}, sign.name)));
  }
  await crisis.reload();
}

async function refresh() {
  clearTimeout(pollTimer);
  try {
    const state = await get('/api/crisis');
    crisis.current = state.active ? state.crisis : null;
    renderState(state);
    renderProposals(state.proposals ?? []);
    $('#start').hidden = Boolean(crisis.current) || crisis.pending !== null;
    renderFeeds((await get('/api/health')).feeds ?? []);
  } catch (e) {
    showError(message, e);
  }
  // While a sign has yet to confirm, look every second; otherwise every few seconds (feeds may propose).
  const waiting = crisis.current?.signIds.some((id) => !confirmationDone(crisis.current.confirmations?.[id]));
  pollTimer = setTimeout(refresh, waiting ? FAST_MS : SLOW_MS);
}

crisis.reload = refresh;

const user = await initPage({ path: '/kris' });
if (user) await main();

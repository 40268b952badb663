/** /kris: the crisis feeds (working, or failing since when) and their proposals (approve or dismiss). */
import { post } from '../../shared/api.js';
import { $, busy, h, notify, replace, technicalDetail } from '../../shared/dom.js';
import { formatDateTime } from '../../shared/format.js';
import { showError } from '../../shared/layout.js';
import { crisis, message, SOURCE_LABELS } from './state.js';

const FEED_ERRORS = {
  network: 'nätverksfel',
  timeout: 'svarar inte',
  http: 'felsvar från servern',
  'rate-limited': 'för många anrop, väntar',
  'too-large': 'för stort svar',
  malformed: 'oläsbart svar',
  shape: 'oväntat innehåll',
  aborted: 'avbrutet',
};

/** Each configured feed: working, or failing since when (a failing feed never ends a running crisis). */
export function renderFeeds(feeds) {
  const list = $('#feeds');
  if (feeds.length === 0) {
    replace(list, h('li', { class: 'muted' }, 'Inga krisflöden är påslagna.'));
    return;
  }
  replace(
    list,
    feeds.map((f) => {
      const name = SOURCE_LABELS[f.source] ?? f.name;
      const answering = !f.lastError || (f.lastOk && f.lastOk > f.lastError.at);
      if (answering && f.status === 'degraded' && f.lastPoll) {
        // It answers, but nothing in it can warn anyone (e.g. every link leads to a web page, not CAP).
        return h(
          'li',
          { class: 'lint-error' },
          h('strong', {}, name),
          `: svarar men ger inga användbara larm (${f.lastPoll.items} poster, ${f.lastPoll.alerts} larm)`,
        );
      }
      if (answering) {
        return h(
          'li',
          {},
          h('strong', {}, name),
          ': fungerar',
          f.lastOk ? `, senast hämtat ${formatDateTime(new Date(f.lastOk).toISOString())}` : '',
        );
      }
      return h(
        'li',
        { class: 'lint-error' },
        h('strong', {}, name),
        `: ${FEED_ERRORS[f.lastError.kind] ?? f.lastError.kind} (${f.consecutiveFailures} försök i rad)`,
        f.nextPollAt ? `, nytt försök ${formatDateTime(new Date(f.nextPollAt).toISOString())}` : '',
      );
    }),
  );
}

let proposalKey = '';

export function renderProposals(proposals) {
  const section = $('#proposals');
  const list = $('#proposal-list');
  section.hidden = proposals.length === 0;
  const key = proposals.map((p) => p.id).join(',');
  if (key === proposalKey) return;
  proposalKey = key;
  replace(
    list,
    proposals.map((p) => {
      const approve = h('button', { type: 'button', class: 'btn btn--danger' }, 'Godkänn – visa på skyltarna');
      const dismiss = h('button', { type: 'button', class: 'btn btn--secondary' }, 'Avfärda');
      approve.addEventListener('click', () =>
        busy(approve, async () => {
          try {
            await post(`/api/crisis/${encodeURIComponent(p.id)}/approve`);
            notify(message, 'Förslaget är godkänt och visas nu på skyltarna.', 'ok');
          } catch (e) {
            showError(message, e);
          }
          await crisis.reload();
        }),
      );
      dismiss.addEventListener('click', () =>
        busy(dismiss, async () => {
          try {
            await post(`/api/crisis/${encodeURIComponent(p.id)}/dismiss`);
            notify(message, 'Förslaget är avfärdat och visas inte.', 'ok');
          } catch (e) {
            showError(message, e);
          }
          await crisis.reload();
        }),
      );
      return h(
        'li',
        { class: 'card', dataset: { proposal: p.id } },
        h('h3', {}, p.headline),
        h('p', {}, p.instruction),
        h('p', { class: 'muted small' }, `${SOURCE_LABELS[p.source] ?? p.source} · ${formatDateTime(p.createdAt)}`),
        p.reason ? technicalDetail(p.reason) : null,
        h('div', { class: 'actions' }, approve, dismiss),
      );
    }),
  );
}

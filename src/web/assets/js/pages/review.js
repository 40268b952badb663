/**
 * /granska (communicators): pending items with the exact sign previews and the lint; approve (and put in the
 * playlist draft), or reject with a reason.
 * Uses GET /api/items?state=pending, GET /api/items/:id, GET /api/items/:id/signs/:sign/preview.png,
 * POST /api/items/:id/approve|reject (with the revision reviewed; approve can add to the draft), GET /api/signs.
 */
import { ApiError, get, post } from '../shared/api.js';
import { $, $$, busy, h, notify, replace } from '../shared/dom.js';
import { keepForm, RESTORED_TEXT } from '../shared/form-draft.js';
import { formatDateTime, itemTitle, KIND_LABELS, ORG_LABELS, WEEKDAY_LABELS } from '../shared/format.js';
import { initPage, refreshPendingCount, showError } from '../shared/layout.js';
import { formField, groupFindings, lintHeadline, lintList, problemText } from '../shared/lint-list.js';
import { signPicture } from '../shared/sign-mirror.js';
import { loadSigns, signName, signNames } from '../shared/signs.js';

const message = $('#review-message');
const queue = $('#queue');

async function load() {
  try {
    const res = await get('/api/items?state=pending&limit=200');
    $('#queue-count').textContent = `(${res.total})`;
    if (res.items.length === 0) {
      replace(queue, h('li', { class: 'card', dataset: { empty: '' } }, 'Inget väntar på granskning just nu.'));
      return;
    }
    // Oldest first: whoever waited longest is reviewed first.
    const items = [...res.items].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt));
    const withLint = await Promise.all(items.map((i) => get(`/api/items/${encodeURIComponent(i.id)}`)));
    replace(
      queue,
      withLint.map(({ item, lint }) => card(item, lint)),
    );
  } catch (e) {
    showError(message, e);
  }
}

/**
 * The item's facts, each with the lint problems about it right under it (`problems` is emptied of those it shows).
 */
function contentFacts(item, problems) {
  const c = item.content;
  const rows = [];
  const add = (label, value, field) => {
    if (!value) return;
    const here = problems.filter((g) => {
      const f = formField(g.field);
      return f === field || f?.startsWith(`${field}.`);
    });
    for (const g of here) problems.splice(problems.indexOf(g), 1);
    rows.push(
      h('dt', {}, label),
      h(
        'dd',
        { dataset: { field } },
        value,
        here.map((g) =>
          h(
            'span',
            {
              class: `field-msg ${g.severity === 'error' ? 'field-error' : 'field-warning'}`,
              dataset: { rule: g.rule },
            },
            problemText(g, item.signs),
          ),
        ),
      ),
    );
  };
  switch (c.kind) {
    case 'event':
      add('Titel', c.title, 'content.title');
      add('Medverkande', c.performer, 'content.performer');
      add('Datum och tid', formatDateTime(c.startsAt), 'content.startsAt');
      add('Plats', c.venue, 'content.venue');
      break;
    case 'exhibition':
    case 'excursion':
      add('Titel', c.title, 'content.title');
      add('Plats', c.where, 'content.where');
      add('När', c.when, 'content.when');
      break;
    case 'info':
      for (const [i, line] of c.lines.entries()) add(`Rad ${i + 1}`, line, `content.lines.${i}`);
      break;
    case 'image':
      add('Bild', h('span', {}, 'se skyltbilderna ovan'), 'content.image');
      add('Bildtext', c.caption, 'content.caption');
      add('Anpassning', c.fit === 'cover' ? 'Fyller skylten' : 'Hela bilden', 'content.fit');
      break;
  }
  add('Visas', windowText(item.effectiveWindow), 'window');
  add('Skyltar', signNames(item.signs), 'signs');
  add('Visningstid', `${item.dwellSeconds} s per gång`, 'dwellSeconds');
  add(
    'Länk',
    h(
      'span',
      {},
      h('a', { href: item.infoLink, rel: 'noopener noreferrer', target: '_blank' }, item.infoLink),
      item.showLink ? ' (visas på skylten)' : '',
    ),
    'infoLink',
  );
  return rows;
}

function windowText(w) {
  if (!w) return 'Tills vidare';
  const parts = [`${w.from ? formatDateTime(w.from) : 'nu'} – ${w.until ? formatDateTime(w.until) : 'tills vidare'}`];
  if (w.days) parts.push(w.days.map((d) => WEEKDAY_LABELS[d] ?? d).join(', '));
  if (w.times) parts.push(w.times.map((t) => `kl ${t.from}–${t.until}`).join(', '));
  return parts.join(' · ');
}

/** The lint's headline; the problems not shown under a fact (`rest`) listed after it. */
function lintBlock(groups, rest, targets) {
  return h(
    'div',
    {},
    lintHeadline(groups, {
      whenErrors: '– kan inte godkännas förrän inlämnaren har rättat det.',
      whenWarnings: '',
      whenOk: 'Följer trafiksäkerhetsreglerna.',
    }),
    rest.length ? lintList(rest, targets) : null,
  );
}

/**
 * A 409 with the item as it is now: the submitter changed it after this card was drawn, or another reviewer decided
 * it. Nothing was decided; the card is drawn again from the current item (or leaves the queue) and says so.
 */
function changedMeanwhile(e, seen) {
  if (!(e instanceof ApiError) || e.status !== 409 || !e.body?.item) return false;
  const current = e.body.item;
  const old = queue.querySelector(`[data-item-id="${CSS.escape(seen.id)}"]`);
  const who = current.updatedBy;
  if (current.state !== 'pending') {
    old?.remove();
    notify(
      message,
      `”${itemTitle(current.content)}” är redan ${current.state === 'approved' ? 'godkänd' : current.state === 'rejected' ? 'avslagen' : 'inte längre väntande'} av ${who}. Inget ändrades.`,
      'warn',
    );
    void refreshPendingCount();
    return true;
  }
  const fresh = card(current, e.body.lint ?? { errors: 0, warnings: 0, findings: [] }, {
    changed: `Posten har ändrats av ${who} ${formatDateTime(current.updatedAt)} sedan du öppnade den. Inget är godkänt eller avslaget – granska den nya versionen innan du bestämmer dig.`,
  });
  if (old) old.replaceWith(fresh);
  else queue.prepend(fresh);
  notify(
    message,
    `”${itemTitle(current.content)}” har ändrats sedan du öppnade den. Kortet visar nu den nya versionen.`,
    'warn',
  );
  fresh.querySelector('h2')?.focus();
  return true;
}

function card(item, lint, opts = {}) {
  const title = itemTitle(item.content);
  const groups = groupFindings(lint.findings);
  const rest = [...groups];
  const facts = contentFacts(item, rest);
  const headingId = `review-${item.id}`;
  const addBox = h('input', { type: 'checkbox', id: `add-${item.id}`, checked: true });
  const approve = h('button', { type: 'button', class: 'btn btn--success', disabled: lint.errors > 0 }, 'Godkänn');
  const rejectOpen = h(
    'button',
    { type: 'button', class: 'btn btn--danger', 'aria-expanded': 'false', 'aria-controls': `reject-${item.id}` },
    'Avslå …',
  );
  const reason = h('textarea', {
    id: `reason-${item.id}`,
    rows: 3,
    maxlength: 500,
    'aria-describedby': `reason-hint-${item.id}`,
  });
  const reasonError = h('span', { class: 'field-error', hidden: true, id: `reason-error-${item.id}` });
  const rejectSend = h('button', { type: 'submit', class: 'btn btn--danger' }, 'Skicka avslaget');
  const rejectForm = h(
    'form',
    { id: `reject-${item.id}`, hidden: true, novalidate: true },
    h(
      'div',
      { class: 'field' },
      h('label', { for: `reason-${item.id}` }, 'Varför avslås posten?'),
      reason,
      h(
        'span',
        { class: 'hint', id: `reason-hint-${item.id}` },
        'Inlämnaren ser motiveringen. Skriv vad som behöver ändras.',
      ),
      reasonError,
    ),
    h('div', { class: 'actions' }, rejectSend),
  );
  rejectOpen.addEventListener('click', () => {
    rejectForm.hidden = !rejectForm.hidden;
    rejectOpen.setAttribute('aria-expanded', String(!rejectForm.hidden));
    if (!rejectForm.hidden) reason.focus();
  });
  rejectForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = reason.value.trim();
    if (text.length < 3) {
      reasonError.hidden = false;
      reasonError.textContent = 'Skriv en motivering, så att inlämnaren kan rätta posten.';
      reason.setAttribute('aria-invalid', 'true');
      reason.setAttribute('aria-describedby', `reason-hint-${item.id} reason-error-${item.id}`);
      reason.focus();
      return;
    }
    void busy(rejectSend, async () => {
      try {
        await post(`/api/items/${encodeURIComponent(item.id)}/reject`, { reason: text, revision: item.revision });
        notify(message, `”${title}” är avslagen. Inlämnaren ser motiveringen.`, 'ok');
        await after();
      } catch (e) {
        if (!changedMeanwhile(e, item)) showError(message, e);
      }
    });
  });
  approve.addEventListener('click', () =>
    busy(approve, async () => {
      try {
        // One request: the approval and the draft change happen together on the server, so two reviewers approving
        // at the same time both end up in the draft.
        const res = await post(`/api/items/${encodeURIComponent(item.id)}/approve`, {
          revision: item.revision,
          addToDraft: addBox.checked,
        });
        let text = `”${title}” är godkänd.`;
        if (res.draft) {
          text += res.draft.added
            ? ' Den ligger i spellistans utkast – publicera under Spellista för att visa den.'
            : ' Den fanns redan i spellistans utkast.';
        }
        notify(message, text, 'ok');
        await after();
      } catch (e) {
        if (changedMeanwhile(e, item)) return;
        showError(
          message,
          e instanceof ApiError && e.status === 422
            ? new Error(
                'Posten bryter mot trafiksäkerhetsreglerna och kan inte godkännas. Avslå den med en motivering.',
              )
            : e,
        );
      }
    }),
  );
  return h(
    'li',
    { class: 'card', dataset: { itemId: item.id, revision: item.revision } },
    h(
      'article',
      { 'aria-labelledby': headingId },
      opts.changed ? h('p', { class: 'notice notice--warn', dataset: { changed: '' } }, opts.changed) : null,
      h(
        'div',
        { class: 'item-card__head' },
        h('h2', { id: headingId, tabindex: -1 }, title),
        h('span', { class: `org org--${item.organisation}` }, ORG_LABELS[item.organisation] ?? item.organisation),
      ),
      h(
        'p',
        { class: 'muted small' },
        `${KIND_LABELS[item.content.kind] ?? item.content.kind} · inskickad ${formatDateTime(item.updatedAt)} av ${item.updatedBy}`,
      ),
      h(
        'div',
        { class: 'thumbs' },
        item.signs.map((s) =>
          h(
            'figure',
            {},
            signPicture(
              item.previews?.[s] ??
                `/api/items/${encodeURIComponent(item.id)}/signs/${encodeURIComponent(s)}/preview.png`,
              `${title} på ${signName(s)}`,
            ),
            h('figcaption', {}, signName(s)),
          ),
        ),
      ),
      h('dl', { class: 'facts' }, facts),
      lintBlock(groups, rest, item.signs),
      h(
        'div',
        { class: 'actions' },
        approve,
        h('label', { class: 'choice', for: `add-${item.id}` }, addBox, 'Lägg i spellistans utkast'),
        rejectOpen,
      ),
      rejectForm,
    ),
  );
}

async function after() {
  await Promise.all([load(), refreshPendingCount()]);
}

/** Reject reasons being written are kept in this browser if the session ends (shared/form-draft.js). */
function keepReasons() {
  const kept = keepForm(user, {
    root: queue,
    read: () =>
      Object.fromEntries(
        $$('textarea[id^="reason-"]', queue)
          .filter((t) => t.value.trim())
          .map((t) => [t.id, t.value]),
      ),
  });
  const saved = kept.restore();
  if (!saved) return;
  let put = 0;
  for (const [id, text] of Object.entries(saved)) {
    const reason = queue.querySelector(`#${CSS.escape(id)}`);
    if (!reason) continue;
    reason.value = text;
    const rejectForm = reason.closest('form');
    rejectForm.hidden = false;
    rejectForm.closest('article')?.querySelector('[aria-controls]')?.setAttribute('aria-expanded', 'true');
    put++;
  }
  if (put) notify(message, RESTORED_TEXT, 'info');
}

async function main() {
  try {
    await loadSigns();
  } catch (e) {
    showError(message, e);
  }
  await load();
  keepReasons();
}

const user = await initPage({ path: '/granska' });
if (user) await main();

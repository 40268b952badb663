/**
 * /logg (communicators, admins): the audit log, newest first, in words. The server leaves out what the reader may
 * not see (other organisations' drafts; users and tokens for non-admins). Uses GET /api/audit.
 */
import { get } from '../shared/api.js';
import { $, h } from '../shared/dom.js';
import { formatDateTime, itemTitle } from '../shared/format.js';
import { initPage, showError } from '../shared/layout.js';

const ACTIONS = {
  'item.create': 'Skapade posten',
  'item.create+submit': 'Skapade och skickade in posten',
  'item.edit': 'Ändrade posten',
  'item.submit': 'Skickade in posten för granskning',
  'item.approve': 'Godkände posten',
  'item.reject': 'Avslog posten',
  'item.archive': 'Arkiverade posten',
  'item.expire': 'Posten gick ut',
  'item.import': 'Importerade posten',
  'image.upload': 'Laddade upp en bild',
  'playlist.draft': 'Sparade spellistans utkast',
  'playlist.draft.append': 'La till en post i spellistans utkast',
  'playlist.publish': 'Publicerade spellistan',
  'playlist.rollback': 'Återställde en tidigare spellista',
  'playlist.import': 'Importerade en spellista',
  'crisis.start': 'Startade ett krismeddelande',
  'crisis.update': 'Ändrade krismeddelandet',
  'crisis.end': 'Avslutade krismeddelandet',
  'crisis.propose': 'Föreslog ett krismeddelande',
  'crisis.approve': 'Godkände ett förslag till krismeddelande',
  'crisis.dismiss': 'Avfärdade ett förslag till krismeddelande',
  'override.create': 'Visade en sida direkt (Visa nu)',
  'override.cancel': 'Avslutade Visa nu',
  'user.create': 'Skapade kontot',
  'user.update': 'Ändrade kontot',
  'user.disable': 'Stängde av kontot',
  'user.password': 'Bytte lösenord',
  'user.password-reset': 'Gav kontot ett nytt tillfälligt lösenord',
  'user.locked': 'Kontot spärrades för en adress efter felaktiga inloggningar',
  'session.login': 'Loggade in',
  'session.logout': 'Loggade ut',
  'session.login-failed': 'Misslyckad inloggning',
  'token.create': 'Skapade en API-nyckel',
  'token.revoke': 'Återkallade en API-nyckel',
};

/** What a row is about, by name rather than id where the row says it. */
function subjectOf(e) {
  const [kind, ...rest] = e.subject.split(':');
  const id = rest.join(':');
  const snapshot = e.after ?? e.before;
  // A crisis row's subject is the crisis's own id ("crisis-3b4a…"): it is named by its headline.
  if (e.action.startsWith('crisis.')) return snapshot?.headline ? `”${snapshot.headline}”` : 'ett krismeddelande';
  switch (kind) {
    case 'item':
      return snapshot?.content ? `”${itemTitle(snapshot.content)}”` : 'en post';
    case 'playlist':
      return /^\d+$/.test(id) ? `spellistan, version ${id}` : 'spellistan';
    case 'crisis':
      return snapshot?.headline ? `”${snapshot.headline}”` : 'krismeddelandet';
    case 'override':
      return snapshot?.page?.content ? `Visa nu: ”${itemTitle(snapshot.page.content)}”` : 'Visa nu';
    case 'image':
      return snapshot?.filename ? `bilden ${snapshot.filename}` : 'en bild';
    case 'user':
      return `kontot ${id}`;
    case 'token':
      return snapshot?.name ? `API-nyckeln ${snapshot.name}` : 'en API-nyckel';
    default:
      // Never an internal id: a subject this page does not know is left unnamed.
      return '–';
  }
}

function actorOf(actor) {
  if (actor === 'system') return 'Skylt';
  if (actor === 'anonymous') return 'okänd';
  if (actor.startsWith('feed:')) return `krisflödet ${actor.slice(5)}`;
  if (actor.startsWith('token:')) return `API-nyckeln ${actor.slice(6)}`;
  return actor;
}

async function main() {
  const table = $('#log-table');
  // A table wider than a phone scrolls sideways: the keyboard must reach it too.
  $('#log-wrap').tabIndex = 0;
  const more = $('#log-more');
  const message = $('#log-message');
  const body = h('tbody', {});
  table.append(
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        ['När', 'Vem', 'Vad', 'Gäller'].map((t) => h('th', { scope: 'col' }, t)),
      ),
    ),
    body,
  );
  let cursor = null;
  const load = async () => {
    try {
      const page = await get(`/api/audit?limit=50${cursor ? `&cursor=${cursor}` : ''}`);
      for (const e of page.items)
        body.append(
          h(
            'tr',
            { 'data-action': e.action },
            h('td', { class: 'nowrap' }, formatDateTime(e.at)),
            h('td', {}, actorOf(e.actor)),
            h('td', {}, ACTIONS[e.action] ?? e.action),
            h('td', {}, subjectOf(e)),
          ),
        );
      if (body.children.length === 0) body.append(h('tr', {}, h('td', { colspan: 4 }, 'Loggen är tom.')));
      cursor = page.nextCursor;
      more.hidden = cursor === null;
    } catch (e) {
      showError(message, e);
    }
  };
  more.addEventListener('click', () => void load());
  await load();
}

if (await initPage({ path: '/logg' })) await main();

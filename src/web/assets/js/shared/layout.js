/**
 * The frame around every page: header, navigation for the signed-in user's role, the count of items waiting
 * for review, and a banner while a crisis message is on the signs or a feed proposal waits.
 */

import { ApiError, get, isReviewer, logout, me } from './api.js';
import { $, h, replace } from './dom.js';
import { ORG_LABELS, ROLE_LABELS } from './format.js';
import { PAGES, pageAt } from './pages.js';

/** The menu: the pages of the one page list that have a menu label, in its order. */
const NAV = PAGES.filter((p) => p.menu);

const mayUse = (user, who) =>
  who === 'all' || who === 'anyone' || (who === 'admin' ? user.role === 'admin' : isReviewer(user));

const POLL_MS = 30_000;

let pendingBadge = null;
let crisisBanner = null;

/**
 * Sets the page up: checks the session (off to the login page when there is none), draws the header, and
 * checks the page's audience (from the page list). Resolves with the user, or null when the user may not see this page (a
 * Swedish explanation is shown instead of the page's content).
 */
export async function initPage({ path }) {
  const audience = pageAt(path)?.audience ?? 'all';
  let user;
  try {
    user = await me();
  } catch (e) {
    showFatal(e instanceof ApiError ? e.message : 'Kunde inte nå Skylt.');
    return null;
  }
  if (!user) {
    location.replace(`/logga-in?next=${encodeURIComponent(location.pathname + location.search)}`);
    return null;
  }
  // Signed in with a generated password: the only page is the one where they choose their own.
  if (user.mustChangePassword && path !== '/konto') {
    location.replace('/konto?byt-losenord=1');
    return null;
  }
  renderHeader(user, path);
  const content = $('#page');
  if (audience !== 'all' && !mayUse(user, audience)) {
    const main = $('#main');
    content?.remove();
    main.append(
      h(
        'div',
        { class: 'notice notice--error', role: 'alert', id: 'no-access' },
        h('strong', {}, 'Ingen behörighet. '),
        audience === 'admin'
          ? 'Den här sidan är till för Skylts administratörer. Du är inloggad som '
          : 'Den här sidan är till för kommunikatörer på Vara kommun. Du är inloggad som ',
        `${ROLE_LABELS[user.role] ?? user.role} (${ORG_LABELS[user.organisation] ?? user.organisation}).`,
      ),
      h('p', {}, h('a', { href: '/mina-poster' }, 'Till mina poster')),
    );
    document.title = `Ingen behörighet – Skylt`;
    return null;
  }
  if (content) content.hidden = false;
  if (isReviewer(user)) {
    void refreshPendingCount();
    void refreshCrisisBanner();
    setInterval(() => {
      void refreshPendingCount();
      void refreshCrisisBanner();
    }, POLL_MS);
  }
  return user;
}

function renderHeader(user, path) {
  const header = $('#site-header');
  if (!header) return;
  const links = NAV.filter((n) => mayUse(user, n.audience)).map((n) => {
    const current = n.path === path;
    const a = h('a', { href: n.path, 'aria-current': current ? 'page' : null }, n.menu);
    if (n.badge) {
      pendingBadge = h('span', { class: 'badge badge--zero', id: 'pending-count', 'aria-live': 'polite' }, '0');
      a.append(pendingBadge);
      a.setAttribute('aria-describedby', 'pending-count-label');
      a.append(h('span', { class: 'visually-hidden', id: 'pending-count-label' }, 'poster väntar på granskning'));
    }
    return h('li', {}, a);
  });
  const logoutButton = h('button', { type: 'button', class: 'btn btn--ghost' }, 'Logga ut');
  logoutButton.addEventListener('click', async () => {
    await logout().catch(() => undefined);
    location.assign('/logga-in?utloggad=1');
  });
  crisisBanner = h('div', { class: 'crisis-banner', role: 'status', hidden: true });
  replace(
    header,
    h(
      'div',
      { class: 'site-header__bar' },
      h('a', { class: 'brand', href: '/' }, 'Skylt ', h('span', {}, '· E20 Vara')),
      h(
        'div',
        { class: 'user-box' },
        h(
          'a',
          { href: '/konto', 'aria-current': path === '/konto' ? 'page' : null, title: 'Mitt konto och lösenord' },
          user.displayName || user.username,
          ' · ',
          ORG_LABELS[user.organisation] ?? user.organisation,
        ),
        logoutButton,
      ),
    ),
    h('nav', { class: 'site-nav', 'aria-label': 'Huvudmeny' }, h('ul', {}, links)),
    crisisBanner,
  );
}

/** Asks how many items wait for review and shows it in the menu. Pages call it after approving or rejecting. */
export async function refreshPendingCount() {
  if (!pendingBadge) return null;
  try {
    const res = await get('/api/items?state=pending&limit=1');
    const n = res.total ?? 0;
    pendingBadge.textContent = String(n);
    pendingBadge.classList.toggle('badge--zero', n === 0);
    return n;
  } catch {
    return null;
  }
}

async function refreshCrisisBanner() {
  if (!crisisBanner) return;
  try {
    const state = await get('/api/crisis');
    const onCrisisPage = location.pathname === '/kris';
    const parts = [];
    if (state.active && state.crisis)
      parts.push(`Krismeddelande visas nu på skyltarna: ”${state.crisis.headline} – ${state.crisis.instruction}”.`);
    if (state.proposals?.length) {
      parts.push(
        state.proposals.length === 1
          ? 'Ett förslag från krisflödena väntar på beslut.'
          : `${state.proposals.length} förslag från krisflödena väntar på beslut.`,
      );
    }
    if (parts.length === 0 || onCrisisPage) {
      crisisBanner.hidden = true;
      return;
    }
    replace(crisisBanner, parts.join(' '), ' ', h('a', { href: '/kris' }, 'Till krisläget'));
    crisisBanner.hidden = false;
  } catch {
    crisisBanner.hidden = true;
  }
}

function showFatal(message) {
  const main = $('#main');
  $('#page')?.remove();
  main?.append(h('div', { class: 'notice notice--error', role: 'alert' }, message));
}

/** Shows an error from an API call in a page's message area. */
export function showError(el, error) {
  el.className = 'notice notice--error';
  el.setAttribute('role', 'alert');
  el.textContent = error instanceof ApiError || error instanceof Error ? error.message : String(error);
}

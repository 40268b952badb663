/**
 * The frame around every page: header, navigation for the signed-in user's role, the count of items waiting
 * for review, and a banner while a crisis message is on the signs or a feed proposal waits.
 */

import { ApiError, get, isReviewer, loginUrl, logout, me, refreshSession, sessionLost } from './api.js';
import { $, h, replace } from './dom.js';
import { forgetDrafts } from './form-draft.js';
import { formatTime, ORG_LABELS, ROLE_LABELS } from './format.js';
import { PAGES, pageAt } from './pages.js';

/** The menu: the pages of the one page list that have a menu label, in its order. */
const NAV = PAGES.filter((p) => p.menu);

const mayUse = (user, who) =>
  who === 'all' || who === 'anyone' || (who === 'admin' ? user.role === 'admin' : isReviewer(user));

const POLL_MS = 30_000;

/** How long before the session ends the user is warned (and offered to stay signed in). */
const WARN_BEFORE_MS = 5 * 60_000;

let pendingBadge = null;
let crisisBanner = null;
let sessionBanner = null;

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
  watchSession(user);
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
    forgetDrafts(user.username);
    await logout().catch(() => undefined);
    location.assign('/logga-in?utloggad=1');
  });
  crisisBanner = h('div', { class: 'crisis-banner', role: 'status', hidden: true });
  sessionBanner = h('div', { class: 'session-banner', id: 'session-banner', role: 'alert', hidden: true });
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
    sessionBanner,
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

/**
 * The session's end, counted on Skylt's clock (the `now` the server sent, not the browser's): a banner some minutes
 * before it, with a button to stay signed in; at the end, whatever the page holds is kept (form-draft.js) and the
 * banner says so, with the way back in.
 */
function watchSession(user) {
  if (!user.expiresAt || !user.now || !sessionBanner) return;
  let timer = null;
  const plan = (expiresAt, serverNow) => {
    clearTimeout(timer);
    const skew = Date.parse(serverNow) - Date.now();
    const left = () => Date.parse(expiresAt) - (Date.now() + skew);
    const step = () => {
      const ms = left();
      if (ms <= 0) return ended();
      if (ms <= WARN_BEFORE_MS) warn(expiresAt);
      else sessionBanner.hidden = true;
      timer = setTimeout(step, ms <= WARN_BEFORE_MS ? ms : ms - WARN_BEFORE_MS);
    };
    step();
  };
  const warn = (expiresAt) => {
    if (!sessionBanner.hidden && sessionBanner.dataset.session === 'warning') return;
    const stay = h(
      'button',
      { type: 'button', class: 'btn btn--small', id: 'stay-signed-in' },
      'Fortsätt vara inloggad',
    );
    stay.addEventListener('click', async () => {
      stay.disabled = true;
      try {
        const res = await refreshSession();
        sessionBanner.hidden = true;
        sessionBanner.dataset.session = 'kept';
        plan(res.expiresAt, res.now);
      } catch (e) {
        stay.disabled = false;
        showError(sessionBanner, e);
      }
    });
    replace(
      sessionBanner,
      `Din inloggning går ut kl ${formatTime(expiresAt).slice(0, 5)}. Det du skriver sparas på den här enheten om det händer. `,
      stay,
    );
    sessionBanner.className = 'session-banner';
    sessionBanner.dataset.session = 'warning';
    sessionBanner.hidden = false;
  };
  const ended = () => {
    sessionLost();
    replace(
      sessionBanner,
      'Inloggningen har gått ut. Det du har skrivit är sparat på den här enheten och kommer tillbaka när du loggar in igen. ',
      h('a', { href: loginUrl() }, 'Logga in igen'),
    );
    sessionBanner.className = 'session-banner';
    sessionBanner.dataset.session = 'ended';
    sessionBanner.hidden = false;
  };
  plan(user.expiresAt, user.now);
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

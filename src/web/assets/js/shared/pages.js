/**
 * The one list of the UI's pages: the address users see, the HTML file in src/web/pages, the title (as in the page's
 * <title>), the label in the menu (none: not in the menu), and who may use it ('all', 'reviewer' or 'admin').
 * The server serves exactly these addresses (src/api/web-routes.ts imports this module and checks it with zod), and
 * the menu (shared/layout.js) is drawn from it, so a page cannot be served without a menu entry or the other way.
 * Plain data: no DOM, so Node can import it too.
 */
export const PAGES = [
  { path: '/', file: 'start.html', title: 'Skylt – E20 Vara', menu: null, audience: 'all' },
  { path: '/logga-in', file: 'logga-in.html', title: 'Logga in', menu: null, audience: 'anyone' },
  { path: '/skicka', file: 'skicka.html', title: 'Skicka in', menu: 'Skicka in', audience: 'all' },
  { path: '/mina-poster', file: 'mina-poster.html', title: 'Mina poster', menu: 'Mina poster', audience: 'all' },
  {
    path: '/granska',
    file: 'granska.html',
    title: 'Granska',
    menu: 'Granska',
    audience: 'reviewer',
    badge: 'pending',
  },
  { path: '/spellista', file: 'spellista.html', title: 'Spellista', menu: 'Spellista', audience: 'reviewer' },
  { path: '/kris', file: 'kris.html', title: 'Krisläge', menu: 'Krisläge', audience: 'reviewer' },
  { path: '/skyltar', file: 'skyltar.html', title: 'Skyltar', menu: 'Skyltar', audience: 'all' },
  { path: '/rapporter', file: 'rapporter.html', title: 'Rapporter', menu: 'Rapporter', audience: 'all' },
  { path: '/logg', file: 'logg.html', title: 'Logg', menu: 'Logg', audience: 'reviewer' },
  { path: '/anvandare', file: 'anvandare.html', title: 'Användare', menu: 'Användare', audience: 'admin' },
  { path: '/konto', file: 'konto.html', title: 'Mitt konto', menu: null, audience: 'all' },
];

/** The entry of a path, or undefined. */
export const pageAt = (path) => PAGES.find((p) => p.path === path);

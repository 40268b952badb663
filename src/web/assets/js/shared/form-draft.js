/**
 * A lost session loses nothing: what a user has typed into a form is kept in this browser (localStorage) when the
 * session ends under them (an answer 401, or the session's end passing), keyed by user and page, and put back when
 * they come back to the page signed in (the login page returns to it). Kept only on this device, only until it is
 * put back, and only for the user who typed it.
 */
import { onSessionLost } from './api.js';
import { $$ } from './dom.js';

const PREFIX = 'skylt:utkast:';

const keyOf = (username, page) => `${PREFIX}${username}:${page}`;

/** A form control's key: its id, or name=value for a checkbox or radio (which share a name). */
const controlKey = (el) =>
  el.type === 'checkbox' || el.type === 'radio' ? (el.name ? `${el.name}=${el.value}` : el.id) : el.id;

/** The fields under `root` as { key: value }: text as typed, checkboxes and radios as true/false. Never files or passwords. */
export function readFields(root) {
  const fields = {};
  for (const el of $$('input, textarea, select', root)) {
    if (el.type === 'file' || el.type === 'password' || el.type === 'submit' || el.type === 'button') continue;
    const key = controlKey(el);
    if (!key) continue;
    fields[key] = el.type === 'checkbox' || el.type === 'radio' ? el.checked : el.value;
  }
  return fields;
}

/** Puts fields back under `root`, each with the events typing would fire, so the page follows (kind, preview). */
export function writeFields(root, fields) {
  for (const el of $$('input, textarea, select', root)) {
    const key = controlKey(el);
    if (!key || !(key in fields)) continue;
    if (el.type === 'checkbox' || el.type === 'radio') el.checked = Boolean(fields[key]);
    else el.value = fields[key];
    el.dispatchEvent(new Event('input', { bubbles: true }));
    el.dispatchEvent(new Event('change', { bubbles: true }));
  }
}

/**
 * Keeps a page's form for `user`. `read()` returns what to keep; it is saved only once the user has typed in `root`.
 * Returns `restore()` (the kept draft, removed from storage, or null) and `forget()` (after a successful save).
 */
export function keepForm(user, { root, read = () => readFields(root), page = location.pathname + location.search }) {
  const key = keyOf(user.username, page);
  let typed = false;
  root.addEventListener('input', (event) => {
    if (event.isTrusted) typed = true;
  });
  root.addEventListener('change', (event) => {
    if (event.isTrusted) typed = true;
  });
  onSessionLost(() => {
    if (!typed) return;
    try {
      localStorage.setItem(key, JSON.stringify({ savedAt: new Date().toISOString(), fields: read() }));
    } catch {
      // Storage full or turned off: nothing more can be done as the page leaves.
    }
  });
  return {
    restore() {
      let saved = null;
      try {
        saved = JSON.parse(localStorage.getItem(key) ?? 'null');
        localStorage.removeItem(key);
      } catch {
        saved = null;
      }
      // Put back but not yet saved anywhere else: kept again if the session is lost again.
      if (saved?.fields) typed = true;
      return saved?.fields ?? null;
    },
    forget() {
      typed = false;
      localStorage.removeItem(key);
    },
  };
}

/** What a page says when it has put a kept form back. */
export const RESTORED_TEXT = 'Det du skrev innan inloggningen gick ut är återställt. Kontrollera det och spara.';

/** Is a form of `page` kept in this browser (for anyone)? The login page says so before anyone has signed in. */
export function keptFor(page) {
  try {
    return Object.keys(localStorage).some((k) => k.startsWith(PREFIX) && k.endsWith(`:${page}`));
  } catch {
    return false;
  }
}

/** Drops every kept draft of a user (an explicit sign-out: nothing is waiting to come back). */
export function forgetDrafts(username) {
  for (const k of Object.keys(localStorage)) if (k.startsWith(`${PREFIX}${username}:`)) localStorage.removeItem(k);
}

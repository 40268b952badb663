/**
 * The API client of the UI: same-origin fetch with the session cookie, the session's CSRF token on every
 * state-changing request, and errors turned into Swedish a non-engineer can act on.
 */

import { FIELD_LABELS } from './format.js';

const CSRF_HEADER = 'x-csrf-token';
const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

let csrfToken = null;
let mePromise = null;
const sessionLostHandlers = new Set();

/**
 * Runs `fn` when the session turns out to have ended (an answer 401, or its end passing): pages keep their forms
 * then (shared/form-draft.js), before the browser goes to the login page.
 */
export function onSessionLost(fn) {
  sessionLostHandlers.add(fn);
}

/** Tells every page part that the session has ended (again each time: what was typed since is kept too). */
export function sessionLost() {
  for (const fn of sessionLostHandlers) {
    try {
      fn();
    } catch {
      // One part failing to keep its form must not keep the others from keeping theirs.
    }
  }
}

/** An answer other than 2xx: `status`, the API's English `detail`, and Swedish `message` and `fieldErrors`. */
export class ApiError extends Error {
  constructor(status, body, fallback) {
    super(swedishMessage(status, body, fallback));
    this.name = 'ApiError';
    this.status = status;
    this.body = body;
    this.detail = body?.message ?? null;
    /** [{ field, message }] with the API's field names ("content.title") and Swedish messages. */
    this.fieldErrors = (body?.issues ?? []).map((i) => ({ field: i.field, message: swedishIssue(i.message) }));
  }
}

function swedishMessage(status, body, fallback) {
  switch (status) {
    case 0:
      return 'Kunde inte nå Skylt. Kontrollera nätverket och försök igen.';
    case 400:
      return body?.issues?.length
        ? 'Något i formuläret behöver rättas – se markerade fält.'
        : 'Uppgifterna kunde inte tas emot. Kontrollera formuläret och försök igen.';
    case 401:
      return 'Du är inte inloggad, eller så har inloggningen gått ut. Logga in igen.';
    case 403:
      return 'Du har inte behörighet att göra det här.';
    case 404:
      return 'Det du söker finns inte (längre).';
    case 409:
      return (
        fallback?.conflict ??
        'Det gick inte just nu: någon annan har ändrat samma sak, eller så är det redan gjort. Ladda om sidan.'
      );
    case 413:
      return 'Filen är för stor.';
    case 415:
      return 'Den filtypen kan inte användas.';
    case 422:
      return 'Innehållet bryter mot trafiksäkerhetsreglerna – se meddelandena.';
    case 429:
      return 'För många försök. Vänta en stund och försök igen.';
    default:
      return status >= 500
        ? 'Något gick fel i Skylt. Försök igen om en stund; felet finns i loggen.'
        : 'Något gick fel.';
  }
}

/** The API's field messages are English (zod, the workflow): the common ones in Swedish, the rest as they are. */
const ISSUE_PATTERNS = [
  [/^Required$|expected .*received undefined/i, 'Måste fyllas i.'],
  [/Too small.*>=1 character|at least 1 character|String must contain at least 1/i, 'Måste fyllas i.'],
  [/Too big.*<=(\d+) characters|at most (\d+) characters/i, (m) => `Högst ${m[1] ?? m[2]} tecken.`],
  [/https link on/i, 'Länken måste börja med https:// och gå till vara.se eller varakonserthus.se.'],
  [/Invalid ISO datetime|invalid datetime/i, 'Ange datum och tid.'],
  [/already started/i, 'Evenemanget har redan börjat – det finns inget kvar att annonsera.'],
  [/window has already ended/i, 'Visningsperioden har redan tagit slut.'],
  [/until must be after from/i, '”Visas till” måste vara efter ”Visas från”.'],
  [/at least 10 seconds/i, 'Minst 10 sekunder (trafiksäkerhet).'],
  [/say why/i, 'Skriv varför, så att den som skickade in kan rätta det.'],
  [/^taken$/i, 'Upptaget – välj ett annat.'],
  [/no uploaded image/i, 'Bilden finns inte (längre). Ladda upp den igen.'],
  [/upload the picture again/i, 'Bilden går inte att läsa. Ladda upp den igen.'],
  [/^no sign /i, 'Den skylten finns inte. Ladda om sidan.'],
  [/each (sign|day) at most once/i, 'Välj varje alternativ högst en gång.'],
  [/until must differ from from/i, '”Till” måste vara en annan tid än ”Från”.'],
  [/must be in the future/i, 'Välj en tidpunkt framåt i tiden.'],
  // Pictures (POST /api/images): the real reason, with the figures.
  [
    /is ([\d.]+) MB; at most ([\d.]+) MB/i,
    (m) => `Filen är ${m[1].replace('.', ',')} MB – större än ${m[2]} MB. Spara bilden i mindre storlek.`,
  ],
  [
    /larger than ([\d.]+) MB|at most ([\d.]+) MB/i,
    (m) => `Filen är större än ${m[1] ?? m[2]} MB. Spara bilden mindre.`,
  ],
  [
    /says it is (\d+)x(\d+) pixels; at most (\d+) pixels a side and (\d+) megapixels/i,
    (m) =>
      `Bilden är ${m[1]}×${m[2]} bildpunkter (${megapixels(m[1], m[2])} megapixel) – över ${m[4]} megapixel eller ${m[3]} bildpunkter per sida. Förminska den: cirka 2000 bildpunkter i bredd räcker.`,
  ],
  [/not a PNG, JPEG or WebP/i, 'Filen är inte en PNG-, JPEG- eller WebP-bild. Spara bilden som PNG eller JPEG.'],
  [/is incomplete/i, 'Bildfilen är ofullständig – uppladdningen avbröts. Ladda upp originalfilen igen.'],
  [/is damaged|cannot be decoded/i, 'Bildfilen är skadad. Spara den på nytt som PNG eller JPEG och ladda upp igen.'],
  [/is animated/i, 'Bilden är animerad. Skyltarna visar bara stillbilder – ladda upp en stillbild.'],
  [
    /another picture of yours is being read/i,
    'En annan bild du laddar upp läses fortfarande in. Vänta tills den är klar.',
  ],
  [/reading other large pictures/i, 'Skylt läser in andra stora bilder just nu. Försök igen om en minut.'],
];

function megapixels(w, h) {
  return ((Number(w) * Number(h)) / 1e6).toFixed(0);
}

/** The API's field message in Swedish; one this UI does not know is not shown in English, but said generally. */
export function swedishIssue(message) {
  for (const [re, sv] of ISSUE_PATTERNS) {
    const m = re.exec(message ?? '');
    if (m) return typeof sv === 'function' ? sv(m) : sv;
  }
  return 'Värdet kan inte användas. Kontrollera fältet.';
}

export function fieldLabel(field) {
  return FIELD_LABELS[field] ?? FIELD_LABELS[field.replace(/\.\d+$/, '')] ?? field;
}

export function loginUrl() {
  const next = `${location.pathname}${location.search}`;
  return `/logga-in?next=${encodeURIComponent(next)}`;
}

/**
 * Calls the API. `body` is sent as JSON, or as it is when it is FormData. Returns the parsed JSON (or the
 * Response for `raw`). A 401 sends the browser to the login page unless `allow401` is set; `headers` are added
 * (e.g. If-Match).
 */
export async function api(method, path, body, opts = {}) {
  const headers = { accept: 'application/json', ...opts.headers };
  const init = { method, headers, credentials: 'same-origin' };
  if (body !== undefined && body !== null) {
    if (body instanceof FormData) init.body = body;
    else {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
  }
  if (UNSAFE.has(method) && csrfToken) headers[CSRF_HEADER] = csrfToken;
  let res;
  try {
    res = await fetch(path, init);
  } catch {
    throw new ApiError(0, null);
  }
  if (res.status === 401 && !opts.allow401) {
    sessionLost();
    location.assign(loginUrl());
    // Never resolves: the page is leaving.
    return new Promise(() => {});
  }
  if (!res.ok) {
    let errorBody = null;
    try {
      errorBody = await res.json();
    } catch {
      errorBody = null;
    }
    throw new ApiError(res.status, errorBody, opts.messages);
  }
  if (opts.raw) return res;
  if (res.status === 204) return null;
  const type = res.headers.get('content-type') ?? '';
  return type.includes('json') ? res.json() : res.text();
}

export const get = (path, opts) => api('GET', path, undefined, opts);
export const post = (path, body, opts) => api('POST', path, body ?? {}, opts);
export const put = (path, body, opts) => api('PUT', path, body, opts);
export const patch = (path, body, opts) => api('PATCH', path, body, opts);

/** Who is signed in (and the session's CSRF token), or null. Asked once per page. */
export function me() {
  mePromise ??= api('GET', '/api/auth/me', undefined, { allow401: true }).then(
    (m) => {
      // null: not signed in (GET /api/auth/me answers that with 200, so a login page logs no error).
      csrfToken = m?.csrfToken ?? csrfToken;
      return m?.user ?? m;
    },
    (e) => {
      if (e instanceof ApiError && e.status === 401) return null;
      throw e;
    },
  );
  return mePromise;
}

/** The session's CSRF token, for requests made without api() (an upload with progress). */
export function currentCsrfToken() {
  return csrfToken;
}

export function setCsrfToken(token) {
  csrfToken = token;
}

export async function login(username, password) {
  const res = await api('POST', '/api/auth/login', { username, password }, { allow401: true });
  csrfToken = res.csrfToken ?? null;
  mePromise = Promise.resolve(res.user);
  return res.user;
}

/** Keeps the session for another full length (POST /api/auth/refresh): { expiresAt, now }. */
export function refreshSession() {
  return api('POST', '/api/auth/refresh', {});
}

export async function logout() {
  try {
    await api('POST', '/api/auth/logout', {}, { allow401: true });
  } finally {
    csrfToken = null;
    mePromise = null;
  }
}

export const isReviewer = (user) => user?.role === 'communicator' || user?.role === 'admin';

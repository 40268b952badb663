/** /logga-in: username and password; errors in plain Swedish; back to the page the user came from. */
import { ApiError, isReviewer, login, me } from '../shared/api.js';
import { $, notify } from '../shared/dom.js';

const form = $('#login-form');
const message = $('#login-message');
const params = new URLSearchParams(location.search);

/** Only a path on this site: never an open redirect. */
function nextPage(user) {
  const next = params.get('next');
  if (next?.startsWith('/') && !next.startsWith('//') && !next.startsWith('/logga-in')) return next;
  return isReviewer(user) ? '/granska' : '/mina-poster';
}

function loginError(e) {
  if (!(e instanceof ApiError)) return 'Något gick fel. Försök igen.';
  switch (e.status) {
    case 400:
    case 401:
      return 'Fel användarnamn eller lösenord. Kontrollera stavningen och att Caps Lock inte är på.';
    case 403:
      return 'Kontot är avstängt. Kontakta Skylts administratör på Vara kommun.';
    case 429:
      return /locked/i.test(e.detail ?? '')
        ? 'Kontot är tillfälligt låst efter för många felaktiga försök. Vänta 15 minuter, eller be en administratör låsa upp det.'
        : 'För många inloggningsförsök. Vänta en minut och försök igen.';
    default:
      return e.message;
  }
}

if (params.has('utloggad')) notify(message, 'Du är utloggad.', 'ok');

const already = await me().catch(() => null);
if (already) location.replace(nextPage(already));

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const username = form.username.value.trim();
  const password = form.password.value;
  for (const input of [form.username, form.password]) input.removeAttribute('aria-invalid');
  if (!username || !password) {
    const missing = !username ? form.username : form.password;
    missing.setAttribute('aria-invalid', 'true');
    notify(message, !username ? 'Skriv ditt användarnamn.' : 'Skriv ditt lösenord.', 'error');
    missing.focus();
    return;
  }
  const button = $('#login-button');
  button.disabled = true;
  notify(message, '');
  try {
    const user = await login(username, password);
    location.assign(nextPage(user));
  } catch (e) {
    notify(message, loginError(e), 'error');
    form.password.value = '';
    form.password.setAttribute('aria-invalid', 'true');
    form.password.focus();
  } finally {
    button.disabled = false;
  }
});

/** /logga-in: username and password; errors in plain Swedish; back to the page the user came from. */
import { ApiError, isReviewer, login, me } from '../shared/api.js';
import { $, notify } from '../shared/dom.js';
import { keptFor } from '../shared/form-draft.js';
import { sameOriginPath } from '../shared/next-page.js';

const form = $('#login-form');
const message = $('#login-message');
const params = new URLSearchParams(location.search);

/** Only a path on this site: never an open redirect. */
function nextPage(user) {
  const next = sameOriginPath(params.get('next'), location.origin);
  if (user.mustChangePassword) return '/konto?byt-losenord=1';
  return next ?? (isReviewer(user) ? '/granska' : '/mina-poster');
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
      return /too many failed sign-ins/i.test(e.detail ?? '')
        ? 'För många felaktiga försök med det här användarnamnet från den här enheten. Vänta 15 minuter, eller be en administratör låsa upp kontot.'
        : 'För många inloggningsförsök. Vänta en minut och försök igen.';
    default:
      return e.message;
  }
}

if (params.has('utloggad')) notify(message, 'Du är utloggad.', 'ok');
else if (params.has('next') && keptFor(params.get('next')))
  notify(message, 'Inloggningen gick ut. Det du skrev är sparat och kommer tillbaka när du har loggat in.', 'info');

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

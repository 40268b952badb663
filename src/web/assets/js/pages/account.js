/** /konto: who I am, and changing my password (POST /api/auth/password). */
import { ApiError, isReviewer, post } from '../shared/api.js';
import { $, busy, h, notify, replace } from '../shared/dom.js';
import { formatDateTime, ORG_LABELS, ROLE_LABELS } from '../shared/format.js';
import { initPage } from '../shared/layout.js';

const message = $('#account-message');
const form = $('#password-form');

function passwordError(e) {
  if (!(e instanceof ApiError)) return 'Lösenordet kunde inte bytas. Försök igen.';
  if (e.status === 403) return 'Det nuvarande lösenordet stämmer inte.';
  if (e.status === 400 && /not the one you have now/.test(e.detail ?? ''))
    return 'Välj ett nytt lösenord, inte det du har nu.';
  if (e.status === 400) return 'Det nya lösenordet måste ha minst 12 tecken.';
  return e.message;
}

function main(user) {
  $('#account-username').value = user.username;
  // Signed in with a generated password (first start, or an admin's reset): choosing one's own comes first.
  if (user.mustChangePassword)
    notify(
      message,
      'Du loggade in med ett tillfälligt lösenord. Välj ett eget lösenord nedan innan du fortsätter.',
      'info',
    );
  replace(
    $('#account-facts'),
    h('dt', {}, 'Användarnamn'),
    h('dd', {}, user.username),
    h('dt', {}, 'Organisation'),
    h('dd', {}, ORG_LABELS[user.organisation] ?? user.organisation),
    h('dt', {}, 'Roll'),
    h('dd', {}, ROLE_LABELS[user.role] ?? user.role),
    h('dt', {}, 'Inloggad till'),
    h('dd', {}, formatDateTime(user.expiresAt)),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const current = $('#current-password');
    const next = $('#new-password');
    const repeat = $('#repeat-password');
    for (const i of [current, next, repeat]) i.removeAttribute('aria-invalid');
    const fail = (input, text) => {
      input.setAttribute('aria-invalid', 'true');
      notify(message, text, 'error');
      input.focus();
    };
    if (!current.value) return fail(current, 'Skriv ditt nuvarande lösenord.');
    if (next.value.length < 12) return fail(next, 'Det nya lösenordet måste ha minst 12 tecken.');
    if (next.value !== repeat.value) return fail(repeat, 'De två nya lösenorden är inte likadana.');
    void busy($('#password-button'), async () => {
      try {
        await post('/api/auth/password', { currentPassword: current.value, newPassword: next.value });
        form.reset();
        if (user.mustChangePassword) {
          location.assign(isReviewer(user) ? '/granska' : '/mina-poster');
          return;
        }
        notify(message, 'Lösenordet är bytt.', 'ok');
      } catch (e) {
        fail(e instanceof ApiError && e.status === 403 ? current : next, passwordError(e));
      }
    });
  });
}

const user = await initPage({ path: '/konto' });
if (user) main(user);

/**
 * /anvandare (admins): every account with its state, and what an admin does with one: change organisation and role,
 * disable or enable, unlock after failed sign-ins, give a new one-time password; and a form for a new account.
 * Uses GET/POST /api/users, PATCH /api/users/:id, POST /api/users/:id/reset-password.
 */
import { ApiError, get, patch, post } from '../shared/api.js';
import { $, busy, h, notify, replace } from '../shared/dom.js';
import { formatDateTime, formatTime, ORG_LABELS, ROLE_LABELS } from '../shared/format.js';
import { initPage, showError } from '../shared/layout.js';

const message = $('#users-message');
const secret = $('#users-secret');

/** A password shown once: the admin passes it on; the user must choose their own at the first sign-in. */
function showOnce(username, password) {
  replace(
    secret,
    h('strong', {}, `Tillfälligt lösenord för ${username}: `),
    h('code', { class: 'secret', 'data-secret': username }, password),
    h(
      'p',
      { class: 'small' },
      'Det visas bara nu. Ge det till personen på ett säkert sätt; hen väljer ett eget lösenord vid första inloggningen.',
    ),
  );
  secret.hidden = false;
  secret.focus?.();
}

/** The server sends lockedUntil only while a lock runs (by its clock, not this browser's). */
function stateOf(u) {
  if (u.disabled) return { key: 'disabled', text: 'Avstängt' };
  if (u.lockedUntil)
    return { key: 'locked', text: `Låst till ${formatTime(u.lockedUntil)} efter felaktiga inloggningar` };
  if (u.mustChangePassword) return { key: 'new-password', text: 'Ska välja eget lösenord' };
  return { key: 'active', text: 'Aktivt' };
}

function select(name, options, value, label) {
  return h(
    'select',
    { name, 'aria-label': label },
    Object.entries(options).map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
  );
}

function row(u, me, reload) {
  const state = stateOf(u);
  const org = select('organisation', ORG_LABELS, u.organisation, `Organisation för ${u.username}`);
  const role = select('role', ROLE_LABELS, u.role, `Roll för ${u.username}`);
  const save = h('button', { type: 'button', class: 'btn btn--small' }, 'Spara roll');
  const toggle = h(
    'button',
    { type: 'button', class: 'btn btn--small btn--ghost' },
    u.disabled ? 'Aktivera' : 'Stäng av',
  );
  const unlock =
    state.key === 'locked' ? h('button', { type: 'button', class: 'btn btn--small btn--ghost' }, 'Lås upp') : null;
  const reset = h('button', { type: 'button', class: 'btn btn--small btn--ghost' }, 'Nytt lösenord');
  const act = (button, work, done) =>
    busy(button, async () => {
      try {
        await work();
        notify(message, done, 'ok');
        await reload();
      } catch (e) {
        showError(message, e instanceof ApiError && e.status === 409 ? new Error(lastAdminText(e)) : e);
      }
    });
  save.addEventListener('click', () =>
    act(
      save,
      () => patch(`/api/users/${u.id}`, { organisation: org.value, role: role.value }),
      `${u.username} är nu ${ROLE_LABELS[role.value].toLowerCase()} på ${ORG_LABELS[org.value]}.`,
    ),
  );
  toggle.addEventListener('click', () =>
    act(
      toggle,
      () => patch(`/api/users/${u.id}`, { disabled: !u.disabled }),
      u.disabled ? `${u.username} kan logga in igen.` : `${u.username} är avstängd och utloggad.`,
    ),
  );
  unlock?.addEventListener('click', () =>
    act(unlock, () => patch(`/api/users/${u.id}`, { unlock: true }), `${u.username} kan logga in igen.`),
  );
  reset.addEventListener('click', () =>
    busy(reset, async () => {
      try {
        const res = await post(`/api/users/${u.id}/reset-password`);
        notify(message, `${u.username} har fått ett nytt tillfälligt lösenord och är utloggad överallt.`, 'ok');
        await reload();
        showOnce(u.username, res.generatedPassword);
      } catch (e) {
        showError(message, e);
      }
    }),
  );
  return h(
    'tr',
    { 'data-username': u.username, 'data-state': state.key },
    h('th', { scope: 'row' }, u.username, u.username === me.username ? ' (du)' : ''),
    h('td', {}, u.displayName || '–'),
    h('td', {}, org),
    h('td', {}, role),
    h('td', {}, h('span', { class: `status status--${state.key}` }, state.text)),
    h('td', { class: 'small muted' }, formatDateTime(u.createdAt)),
    h('td', {}, h('div', { class: 'button-row' }, save, toggle, unlock, reset)),
  );
}

function lastAdminText(e) {
  return /last active admin/.test(e.detail ?? '')
    ? 'Det är den sista aktiva administratören. Gör någon annan till administratör först.'
    : e.message;
}

async function main(me) {
  const table = $('#users-table');
  // A table wider than a phone scrolls sideways: the keyboard must reach it too.
  $('#users-wrap').tabIndex = 0;
  const reload = async () => {
    const res = await get('/api/users?limit=200');
    replace(
      table,
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ['Användarnamn', 'Namn', 'Organisation', 'Roll', 'Status', 'Skapat', 'Åtgärder'].map((t) =>
            h('th', { scope: 'col' }, t),
          ),
        ),
      ),
      h(
        'tbody',
        {},
        res.items.map((u) => row(u, me, reload)),
      ),
    );
  };
  await reload().catch((e) => showError(message, e));

  const form = $('#new-user-form');
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const username = form.username.value.trim();
    form.username.removeAttribute('aria-invalid');
    if (!username) {
      form.username.setAttribute('aria-invalid', 'true');
      notify(message, 'Skriv ett användarnamn.', 'error');
      form.username.focus();
      return;
    }
    const body = {
      username,
      organisation: form.organisation.value,
      role: form.role.value,
      ...(form.displayName.value.trim() ? { displayName: form.displayName.value.trim() } : {}),
    };
    void busy($('#new-user-button'), async () => {
      try {
        const res = await post('/api/users', body);
        form.reset();
        notify(message, `Kontot ${res.user.username} är skapat.`, 'ok');
        await reload();
        showOnce(res.user.username, res.generatedPassword);
      } catch (e) {
        if (e instanceof ApiError && e.fieldErrors.some((f) => f.field === 'username'))
          form.username.setAttribute('aria-invalid', 'true');
        if (e instanceof ApiError && e.status === 409)
          notify(message, `Användarnamnet ${username} finns redan.`, 'error');
        else if (e instanceof ApiError && e.fieldErrors.some((f) => f.field === 'role'))
          notify(message, 'Rollen kommunikatör finns bara på Vara kommun.', 'error');
        else showError(message, e);
      }
    });
  });
}

const me = await initPage({ path: '/anvandare' });
if (me) await main(me);

/** /skicka: the form read as the API's item body, and an item written back into the form (to edit it). */
import { $, $$ } from '../../shared/dom.js';
import { isoToLocalInput, localInputToIso } from '../../shared/format.js';
import { allSigns } from '../../shared/signs.js';
import { form, state } from './state.js';

export const kind = () => form.elements.kind.value;
const val = (id) => $(`#${id}`).value.trim();
const optional = (id) => val(id) || undefined;

function contentOf(k) {
  switch (k) {
    case 'event':
      return {
        kind: k,
        title: val('event-title'),
        performer: optional('event-performer'),
        startsAt: localInputToIso($('#event-starts').value) ?? '',
        venue: val('event-venue'),
        organiser: state.editing?.organisation ?? state.user.organisation,
      };
    case 'exhibition':
    case 'excursion':
      return { kind: k, title: val('place-title'), where: val('place-where'), when: val('place-when') };
    case 'info': {
      const lines = [0, 1, 2, 3].map((i) => val(`info-line-${i}`));
      while (lines.length > 1 && !lines.at(-1)) lines.pop();
      return { kind: k, lines };
    }
    case 'image':
      return { kind: k, image: state.imageId ?? '', caption: optional('image-caption'), fit: form.elements.fit.value };
    default:
      throw new Error(`unknown kind ${k}`);
  }
}

export const chosenSigns = () => $$('input[name=sign]:checked').map((i) => i.value);

/** "2026-12-24" -> the start of the next day in Swedish time: an end date includes its whole day. */
function endOfDayIso(date) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date ?? '');
  if (!m) return null;
  const next = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + 1));
  return localInputToIso(`${next.toISOString().slice(0, 10)}T00:00`);
}

function windowOf() {
  const w = {};
  const from = localInputToIso($('#window-from').value);
  // An information item's own end date, else the period's "Visas till".
  const infoUntil = kind() === 'info' ? endOfDayIso($('#info-until').value) : null;
  const until = infoUntil ?? localInputToIso($('#window-until').value);
  if (from) w.from = from;
  if (until) w.until = until;
  const days = $$('input[name=day]:checked').map((i) => i.value);
  if (days.length > 0 && days.length < 7) w.days = days;
  const tf = $('#time-from').value;
  const tu = $('#time-until').value;
  if (tf && tu) w.times = [{ from: tf, until: tu }];
  return Object.keys(w).length ? w : null;
}

/** The form as the API's ItemInput (without id/submit). */
export function bodyOf() {
  const chosen = chosenSigns();
  const body = {
    content: contentOf(kind()),
    dwellSeconds: Number($('#dwell').value) || 0,
    infoLink: val('info-link'),
    showLink: $('#show-link').checked,
  };
  if (chosen.length && chosen.length < allSigns().length) body.signs = chosen;
  const w = windowOf();
  if (w) body.window = w;
  return body;
}

/** Shows the fields of one kind; the others are disabled, so they are neither sent nor checked. */
export function showKind(k) {
  for (const fs of $$('fieldset[data-kinds]', form)) {
    const on = fs.dataset.kinds.split(' ').includes(k);
    fs.hidden = !on;
    fs.disabled = !on;
  }
  $('#place-legend').textContent = k === 'excursion' ? 'Utflykten' : 'Utställningen';
  $('#window-hint').textContent =
    k === 'event'
      ? 'Utan period visas evenemanget från början av dagen 14 dagar före, fram till att det börjar.'
      : 'Utan period visas posten tills den tas bort.';
}

/** An item written into the form. */
export function fill(item) {
  const c = item.content;
  form.elements.kind.value = c.kind;
  showKind(c.kind);
  const set = (id, v) => {
    $(`#${id}`).value = v ?? '';
  };
  if (c.kind === 'event') {
    set('event-title', c.title);
    set('event-performer', c.performer);
    set('event-starts', isoToLocalInput(c.startsAt));
    set('event-venue', c.venue);
  } else if (c.kind === 'exhibition' || c.kind === 'excursion') {
    set('place-title', c.title);
    set('place-where', c.where);
    set('place-when', c.when);
  } else if (c.kind === 'info') {
    for (const i of [0, 1, 2, 3]) set(`info-line-${i}`, c.lines[i]);
  } else if (c.kind === 'image') {
    state.imageId = c.image;
    set('image-caption', c.caption);
    form.elements.fit.value = c.fit ?? 'contain';
    const local = $('#image-local');
    local.src = `/api/images/${encodeURIComponent(c.image)}`;
    local.hidden = false;
    $('#image-status').textContent = 'Den uppladdade bilden. Välj en ny fil för att byta.';
  }
  set('info-link', item.infoLink);
  $('#show-link').checked = item.showLink;
  set('dwell', item.dwellSeconds);
  for (const box of $$('input[name=sign]')) box.checked = item.signs.includes(box.value);
  const w = item.window ?? {};
  set('window-from', isoToLocalInput(w.from));
  // An information item ending at midnight shows its end date (the day before) next to its lines.
  const untilLocal = isoToLocalInput(w.until);
  if (c.kind === 'info' && untilLocal.endsWith('T00:00')) {
    const last = new Date(Date.parse(`${untilLocal.slice(0, 10)}T00:00:00Z`) - 86_400_000);
    set('info-until', last.toISOString().slice(0, 10));
    set('window-until', '');
  } else set('window-until', untilLocal);
  for (const box of $$('input[name=day]')) box.checked = Boolean(w.days?.includes(box.value));
  set('time-from', w.times?.[0]?.from);
  set('time-until', w.times?.[0]?.until);
  if (item.window && (item.window.from || item.window.days || item.window.times || $('#window-until').value))
    $('#window-details').open = true;
}

/**
 * The signs as the UI names them: the list from GET /api/signs (asked once per page), each sign's name, the
 * direction it faces in Swedish, a list of names in Swedish ("E20 norr och E20 söder"), and the checkboxes
 * for choosing signs. Every page says a sign's name, never its id.
 */
import { get } from './api.js';
import { h } from './dom.js';

let known = [];
let loading = null;

/** The signs (GET /api/signs), asked once; afterwards signName() knows them. */
export function loadSigns() {
  loading ??= get('/api/signs').then(
    (signs) => {
      known = signs;
      return signs;
    },
    (e) => {
      loading = null;
      throw e;
    },
  );
  return loading;
}

/** The signs loaded so far (empty before loadSigns() resolved). */
export const allSigns = () => known;

export const signById = (id) => known.find((s) => s.id === id) ?? null;

/** A sign's name; an unknown id (a sign removed from the config) stays as it is. */
export const signName = (id) => signById(id)?.name ?? id;

/** ["a", "b", "c"] -> "a, b och c". */
export function swedishList(words) {
  const list = [...words];
  if (list.length <= 1) return list.join('');
  return `${list.slice(0, -1).join(', ')} och ${list.at(-1)}`;
}

/** The names of some signs, as a Swedish list. */
export const signNames = (ids) => swedishList(ids.map(signName));

/** "towards Skara/Örebro" (the config speaks English) -> "mot Skara/Örebro". */
export function directionLabel(facing) {
  const place = String(facing ?? '').replace(/^towards\s+/i, '');
  return place ? `mot ${place}` : '';
}

/** A checkbox per sign (all checked unless `checked` says otherwise), named `name`. */
export function signCheckboxes(name, { signs = known, checked = () => true } = {}) {
  return signs.map((s) =>
    h(
      'label',
      { class: 'choice' },
      h('input', { type: 'checkbox', name, value: s.id, checked: checked(s.id) }),
      s.name,
    ),
  );
}

/**
 * The road-safety lint as the UI shows it (submit, review): each problem once, however many signs it concerns (the
 * API reports it per way a sign draws it; the signs are named only when not all of them are concerned), under the
 * field it is about when that field is on the page, and a headline that counts problems with the right number
 * ("1 fel", "ett tips", "3 tips").
 */
import { $$, h } from './dom.js';
import { signNames } from './signs.js';

/** Lint findings name content fields without the "content." prefix; the link, dwell and window as they are. */
export const formField = (f) =>
  !f
    ? null
    : f === 'dwellSeconds' || f === 'infoLink' || f === 'showLink' || f.startsWith('window') || f.startsWith('content.')
      ? f
      : `content.${f}`;

/**
 * Findings of one rule on one field become one problem, with every sign it concerns. Where signs are drawn
 * differently the texts may differ in a figure: the first is kept, and the signs that read otherwise get theirs after.
 */
export function groupFindings(findings = []) {
  const groups = new Map();
  for (const f of findings) {
    const key = `${f.rule}|${f.field ?? ''}|${f.severity}`;
    const g = groups.get(key) ?? { rule: f.rule, severity: f.severity, field: f.field ?? null, signs: [], texts: [] };
    for (const s of f.signs ?? []) if (!g.signs.includes(s)) g.signs.push(s);
    const same = g.texts.find((t) => t.text === f.messageSv);
    if (same) same.signs.push(...(f.signs ?? []));
    else g.texts.push({ text: f.messageSv, signs: [...(f.signs ?? [])] });
    groups.set(key, g);
  }
  // Errors first: they are what stops an approval.
  return [...groups.values()].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
}

/** A problem in words: its text, and on which signs when not on all of `targets`. */
export function problemText(group, targets) {
  const all = targets.length > 0 && targets.every((t) => group.signs.includes(t));
  const [first, ...others] = group.texts;
  const parts = [first?.text ?? ''];
  if (!all && group.signs.length) parts.push(`(gäller ${signNames(group.signs)})`);
  for (const o of others) parts.push(`På ${signNames(o.signs)}: ${o.text}`);
  return parts.join(' ');
}

const count = (n, one, many) => (n === 1 ? one : `${n} ${many}`);

/** "Ett fel och 2 tips" and friends, from grouped problems. */
export function problemCounts(groups) {
  const errors = groups.filter((g) => g.severity === 'error').length;
  const warnings = groups.length - errors;
  return { errors, warnings };
}

/** The headline over the problems (data-lint="ok|errors|warnings"), counting problems, not findings per sign. */
export function lintHeadline(groups, { whenErrors, whenWarnings, whenOk }) {
  const { errors, warnings } = problemCounts(groups);
  if (groups.length === 0) return h('p', { class: 'notice notice--ok', dataset: { lint: 'ok' } }, whenOk);
  const text = errors
    ? `${count(errors, 'Ett fel', 'fel')}${warnings ? ` och ${count(warnings, 'ett tips', 'tips')}` : ''} ${whenErrors}`
    : `${count(warnings, 'Ett tips', 'tips')}, inga fel. ${whenWarnings}`.trim();
  return h(
    'p',
    {
      class: errors ? 'notice notice--error' : 'notice notice--warn',
      dataset: { lint: errors ? 'errors' : 'warnings' },
    },
    text,
  );
}

/** The problems as a list (those without a place of their own). */
export function lintList(groups, targets) {
  return h(
    'ul',
    { class: 'lint-list' },
    groups.map((g) =>
      h(
        'li',
        { class: g.severity === 'error' ? 'lint-error' : 'lint-warning', dataset: { rule: g.rule } },
        h('strong', {}, g.severity === 'error' ? 'Fel: ' : 'Tips: '),
        problemText(g, targets),
      ),
    ),
  );
}

// --- messages under a form's fields

/** The input (or group) a field name belongs to: "content.lines.2", "signs.0", "window.times.0.until". */
export function inputFor(root, field) {
  let f = field;
  while (f) {
    const el = $$(`[data-field="${CSS.escape(f)}"]`, root).find((e) => !e.closest('fieldset[disabled]'));
    if (el) return el;
    const cut = f.lastIndexOf('.');
    if (cut < 0) break;
    f = f.slice(0, cut);
  }
  return null;
}

export function clearFieldMessages(root) {
  for (const el of $$('.field-msg', root)) el.remove();
  for (const el of $$('[aria-invalid]', root)) el.removeAttribute('aria-invalid');
  for (const el of $$('[data-described]', root)) el.setAttribute('aria-describedby', el.dataset.described);
}

/**
 * A message under the field (kind 'error' or 'warning'), tied to the input by aria-describedby. Returns false when
 * the field is not on the form.
 */
export function addFieldMessage(root, field, text, kind) {
  const target = inputFor(root, field);
  if (!target) return false;
  const key = target.dataset.field ?? field;
  const id = `msg-${key.replaceAll('.', '-')}-${$$('.field-msg', root).length}`;
  const span = h('span', { class: `field-msg ${kind === 'warning' ? 'field-warning' : 'field-error'}`, id }, text);
  if (target.tagName === 'FIELDSET') target.append(span);
  else {
    const holder = target.closest('.field') ?? target.parentElement;
    holder.append(span);
    if (kind !== 'warning') target.setAttribute('aria-invalid', 'true');
    if (!target.dataset.described) target.dataset.described = target.getAttribute('aria-describedby') ?? '';
    target.setAttribute('aria-describedby', `${target.getAttribute('aria-describedby') ?? ''} ${id}`.trim());
  }
  return true;
}

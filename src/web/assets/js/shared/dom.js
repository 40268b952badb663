/**
 * A few DOM helpers. Text always goes in as text (never as HTML), so what users type cannot become markup.
 */

/** h('a', { href: '/x', class: 'btn' }, 'Text', child) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (value === true) el.setAttribute(key, '');
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

/** SVG elements for charts. */
export function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

/**
 * A technical text from the server (a sign's link error, a feed's reasoning): in English, as logged, for whoever
 * looks after Skylt; folded away behind a Swedish summary so a reader sees Swedish first.
 */
export function technicalDetail(text) {
  return h(
    'details',
    { class: 'technical' },
    h('summary', {}, 'Teknisk information'),
    h('span', { lang: 'en', class: 'small' }, text),
  );
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** Shows a message in a live region (role="status" or "alert" set in the HTML). Empty text hides it. */
export function notify(el, text, kind = 'info') {
  if (!el) return;
  el.className = `notice notice--${kind}`;
  el.textContent = text ?? '';
}

/** Runs `fn` at most every `ms`, with the last call winning. */
export function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/**
 * Disables a button while `work` runs, so a double click does one thing. Returns what `work` returns.
 */
export async function busy(button, work) {
  const label = button.textContent;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
    button.textContent = label;
  }
}

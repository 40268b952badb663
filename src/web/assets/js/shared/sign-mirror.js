/**
 * A live mirror of a sign: its framebuffer as PNG (/api/signs/:id/frame.png), fetched again about every
 * second. The next picture is asked for only when the last one has arrived, and not while the tab is hidden.
 */

import { h } from './dom.js';

export function signMirror(sign, { intervalMs = 1000, small = false } = {}) {
  const img = h('img', {
    class: `sign-frame${small ? ' sign-frame--small' : ''}`,
    width: sign.width,
    height: sign.height,
    alt: `Det skylten ${sign.name} visar just nu`,
    dataset: { signId: sign.id, mirror: 'live' },
  });
  const status = h('span', { class: 'visually-hidden' });
  let timer = null;
  let stopped = false;
  const next = () => {
    if (stopped) return;
    timer = setTimeout(load, document.hidden ? intervalMs * 5 : intervalMs);
  };
  function load() {
    if (stopped) return;
    const probe = new Image();
    probe.onload = () => {
      img.src = probe.src;
      img.dataset.loadedAt = String(Date.now());
      img.classList.remove('sign-frame--stale');
      next();
    };
    probe.onerror = () => {
      status.textContent = `Bilden från ${sign.name} kunde inte hämtas.`;
      next();
    };
    probe.src = `/api/signs/${encodeURIComponent(sign.id)}/frame.png?t=${Date.now()}`;
  }
  load();
  return {
    element: h('div', {}, img, status),
    img,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

/** A still picture of a page on a sign (a preview PNG); when it cannot be drawn, says so instead. */
export function signPicture(url, alt, { small = false, width = 384, height = 192 } = {}) {
  const img = h('img', {
    class: `sign-frame${small ? ' sign-frame--small' : ''}`,
    src: url,
    alt,
    width,
    height,
    loading: 'lazy',
  });
  img.addEventListener('error', () => {
    img.replaceWith(h('div', { class: 'preview-error' }, 'Sidan kan inte ritas – se trafiksäkerhetsmeddelandena.'));
  });
  return img;
}

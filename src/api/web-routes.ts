import { fileURLToPath, pathToFileURL } from 'node:url';
import fastifyCompress from '@fastify/compress';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { z } from 'zod';

/** The Swedish web UI: plain HTML, CSS and ES modules from src/web, served as they are (no build step). */
// src/web from src/api and from its build in dist/api alike: the UI's files are served from the source, never copied.
const WEB_ROOT = fileURLToPath(new URL('../../src/web/', import.meta.url));
const PAGES_ROOT = `${WEB_ROOT}pages/`;
const ASSETS_ROOT = `${WEB_ROOT}assets/`;

/**
 * The UI's one page list (address, file, title, menu label, audience), shared with the menu in the browser: a plain ES
 * module of the UI, checked here so a typo in it stops the start instead of serving a page that is not there.
 */
const WebPage = z.object({
  path: z.string().regex(/^\/[a-z-]*$/),
  file: z.string().regex(/^[a-z-]+\.html$/),
  title: z.string().min(1),
  menu: z.string().min(1).nullable(),
  audience: z.enum(['anyone', 'all', 'reviewer', 'admin']),
  badge: z.literal('pending').optional(),
});
// From WEB_ROOT like every UI file: a path relative to this module would point into dist/ in the build.
const PAGES_MODULE = pathToFileURL(`${ASSETS_ROOT}js/shared/pages.js`).href;
export const WEB_PAGES: readonly z.infer<typeof WebPage>[] = WebPage.array()
  .min(1)
  .parse((await import(PAGES_MODULE)).PAGES);

/**
 * Everything the UI loads comes from this process: no CDN, no inline script or style. Sign mirrors and previews
 * are same-origin PNGs; `blob:` is the local preview of a picture before it is uploaded.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "img-src 'self' blob: data:",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
  "form-action 'self'",
].join('; ');

function uiHeaders(reply: FastifyReply): FastifyReply {
  // no-cache: revalidate by ETag, so an upgraded box never serves a stale UI.
  return reply
    .header('Cache-Control', 'no-cache')
    .header('Content-Security-Policy', CONTENT_SECURITY_POLICY)
    .header('X-Content-Type-Options', 'nosniff')
    .header('Referrer-Policy', 'same-origin');
}

/**
 * How long a browser keeps an asset. Scripts and styles are revalidated on every load (ETag/Last-Modified, so a
 * 304 with no body when unchanged): their URLs carry no version, and an upgraded box must never run a stale UI.
 * Pictures (the favicon) change rarely and may be kept a day.
 */
function assetCacheControl(path: string): string {
  return /\.(svg|png|ico|woff2?)$/i.test(path) ? 'public, max-age=86400' : 'no-cache';
}

export function webRoutes(): FastifyPluginAsync {
  return async (app) => {
    // The UI's text (HTML, JS, CSS, SVG) goes out compressed, br or gzip as the browser accepts; in this plugin only,
    // so the API's images and streams are left alone. Registered before the static files, as it must be.
    await app.register(fastifyCompress, { global: true, encodings: ['br', 'gzip'], globalDecompression: false });
    await app.register(fastifyStatic, {
      root: ASSETS_ROOT,
      prefix: '/assets/',
      index: false,
      cacheControl: false,
      etag: true,
      lastModified: true,
      setHeaders: (reply, path) => {
        reply.header('Cache-Control', assetCacheControl(path)).header('X-Content-Type-Options', 'nosniff');
      },
    });
    for (const { path, file } of WEB_PAGES) {
      app.get(path, { schema: { hide: true } }, (_request, reply) => uiHeaders(reply).sendFile(file, PAGES_ROOT));
    }
  };
}

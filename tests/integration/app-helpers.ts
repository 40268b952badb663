import { createCanvas, Image } from '@napi-rs/canvas';
import { authHeaders, type TestApp } from '../helper.ts';

/**
 * fetch() as a Vara kommun communicator (Bearer token), for the protected routes such as /api/crisis, on a listening
 * app (build({ listen: true })).
 */
export function communicatorFetch(app: TestApp): (path: string, init?: RequestInit) => Promise<Response> {
  const headers = authHeaders(app.runtime);
  return (path, init = {}) =>
    fetch(`${app.url}${path}`, {
      ...init,
      headers: { ...headers, ...(init.headers as Record<string, string> | undefined) },
    });
}

/** Decodes a PNG to RGBA, as a viewer of /api/signs/{id}/frame.png would see it. */
export function decodePng(png: Buffer): { width: number; height: number; rgba: Uint8ClampedArray } {
  const image = new Image();
  image.src = png;
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  return { width: image.width, height: image.height, rgba: ctx.getImageData(0, 0, image.width, image.height).data };
}

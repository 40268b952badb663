/**
 * Picture uploads: checked here before a byte is sent (size, type, pixels: the same limits the server applies),
 * sent with progress, and refused with the real reason in Swedish ("större än 10 MB", "över 50 megapixel").
 * Used by the submit page; POST /api/images.
 */
import { ApiError, currentCsrfToken } from './api.js';

/** The server's limits (src/render/image-errors.ts DEFAULT_IMAGE_LIMITS). */
export const PICTURE_LIMITS = { maxBytes: 10 * 1024 * 1024, maxSidePx: 12_000, maxPixels: 50_000_000 };
const TYPES = new Set(['image/png', 'image/jpeg', 'image/webp']);

const mb = (bytes) => (bytes / (1024 * 1024)).toFixed(1).replace(/\.0$/, '').replace('.', ',');

/** The picture's pixel size as the browser reads it, or null when it cannot be read here. */
function pixelSize(file) {
  return new Promise((resolve) => {
    const url = URL.createObjectURL(file);
    const img = new Image();
    img.onload = () => {
      URL.revokeObjectURL(url);
      resolve({ width: img.naturalWidth, height: img.naturalHeight });
    };
    img.onerror = () => {
      URL.revokeObjectURL(url);
      resolve(null);
    };
    img.src = url;
  });
}

/** Why the file cannot be uploaded, in Swedish, or null when it may be sent. */
export async function pictureProblem(file) {
  if (file.size > PICTURE_LIMITS.maxBytes)
    return `Filen är ${mb(file.size)} MB – större än ${mb(PICTURE_LIMITS.maxBytes)} MB. Spara bilden i mindre storlek.`;
  if (file.type && !TYPES.has(file.type))
    return 'Filen är inte en PNG-, JPEG- eller WebP-bild. Spara bilden som PNG eller JPEG.';
  const size = await pixelSize(file);
  if (size) {
    const { width, height } = size;
    if (width * height > PICTURE_LIMITS.maxPixels || Math.max(width, height) > PICTURE_LIMITS.maxSidePx) {
      const mp = ((width * height) / 1e6).toFixed(0);
      return `Bilden är ${width}×${height} bildpunkter (${mp} megapixel) – över ${PICTURE_LIMITS.maxPixels / 1e6} megapixel. Förminska den: cirka 2000 bildpunkter i bredd räcker.`;
    }
  }
  return null;
}

/**
 * Sends the picture (multipart, field "file") and reports progress 0..1 through `onProgress`. Resolves with the
 * stored picture; rejects with an ApiError whose `fieldErrors[0].message` is the Swedish reason.
 */
export function uploadPicture(file, { onProgress = () => {} } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/images');
    xhr.setRequestHeader('accept', 'application/json');
    const token = currentCsrfToken();
    if (token) xhr.setRequestHeader('x-csrf-token', token);
    xhr.upload.addEventListener('progress', (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    });
    xhr.addEventListener('load', () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else reject(new ApiError(xhr.status, body));
    });
    xhr.addEventListener('error', () => reject(new ApiError(0, null)));
    const data = new FormData();
    data.append('file', file, file.name);
    xhr.send(data);
  });
}

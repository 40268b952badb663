/** /skicka: the picture of an image item, checked here first, then uploaded with progress (POST /api/images). */
import { ApiError } from '../../shared/api.js';
import { $ } from '../../shared/dom.js';
import { pictureProblem, uploadPicture } from '../../shared/upload.js';
import { schedulePreview } from './check.js';
import { state } from './state.js';

function uploadError(e) {
  if (!(e instanceof ApiError)) return 'Bilden kunde inte laddas upp.';
  // The real reason (too large, too many pixels, not a picture, ...), from the server, in Swedish.
  return e.fieldErrors[0]?.message ?? e.message;
}

export async function uploadImage(file) {
  const status = $('#image-status');
  const progress = $('#image-progress');
  const local = $('#image-local');
  state.imageId = null;
  status.className = 'hint';
  const problem = await pictureProblem(file);
  if (problem) {
    status.className = 'field-error';
    status.textContent = problem;
    local.hidden = true;
    schedulePreview();
    return;
  }
  local.src = URL.createObjectURL(file);
  local.hidden = false;
  status.textContent = 'Laddar upp …';
  progress.value = 0;
  progress.hidden = false;
  try {
    const image = await uploadPicture(file, {
      onProgress: (share) => {
        progress.value = Math.round(share * 100);
        status.textContent = `Laddar upp … ${Math.round(share * 100)} %`;
      },
    });
    state.imageId = image.id;
    status.textContent = `Uppladdad: ${image.width}×${image.height} bildpunkter.`;
    state.touched.add('content.image');
  } catch (e) {
    status.className = 'field-error';
    status.textContent = uploadError(e);
  } finally {
    progress.hidden = true;
  }
  schedulePreview();
}

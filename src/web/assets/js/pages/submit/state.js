/** What the /skicka modules share: who is signed in, the item being edited, the uploaded picture, the last check. */
import { $ } from '../../shared/dom.js';

export const form = $('#item-form');
export const message = $('#form-message');

export const state = {
  user: null,
  /** The item being edited (ItemView), or null for a new one. */
  editing: null,
  /** The id of the uploaded picture (POST /api/images), or null. */
  imageId: null,
  /** Field errors are shown for fields the user has left, and for all after a save. */
  touched: new Set(),
  showAll: false,
  /** The lint at the last check (null while the form is not valid yet). */
  lastLint: null,
  /** Field problems the API found in the form at the last check. */
  lastIssues: [],
};

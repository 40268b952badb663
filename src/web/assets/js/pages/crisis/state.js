/** What the /kris modules share: the templates, the crisis shown, the one being confirmed, and the message area. */
import { $ } from '../../shared/dom.js';

export const SOURCE_LABELS = {
  manual: 'Startat manuellt',
  'sr-vma': 'VMA från Sveriges Radio',
  krisinformation: 'Krisinformation.se',
  smhi: 'SMHI:s varningar',
  cap: 'Externt CAP-flöde',
};

export const message = $('#crisis-message');

export const crisis = {
  /** GET /api/crisis/templates */
  templates: [],
  /** The active crisis, or null. */
  current: null,
  /** The crisis the user is confirming (template or text, signs, minutes), or null. */
  pending: null,
  /** Asks for the state again and redraws (set by crisis.js). */
  reload: async () => {},
};

/** What the /spellista modules share: the draft, the published playlist and the items, as last loaded. */
import { $ } from '../../shared/dom.js';
import { itemTitle } from '../../shared/format.js';

export const message = $('#playlist-message');

export const state = {
  /** GET /api/playlist/draft */
  draft: null,
  /** GET /api/playlist/live, or null before the first publish. */
  live: null,
  /** The items this user may see, by id. */
  items: new Map(),
  /** Loads everything again and redraws the page (set by playlist.js). */
  reload: async () => {},
};

/** What an item is called: its title from the items, else from the draft's entry; never its id when a title exists. */
export const titleOf = (id) =>
  state.items.get(id)
    ? itemTitle(state.items.get(id).content)
    : (state.draft?.entries.find((e) => e.itemId === id)?.item?.title ?? 'en borttagen post');

/** `/`: sends the user to where their work is: the review queue for communicators, their items otherwise. */
import { isReviewer, me } from '../shared/api.js';

const user = await me().catch(() => null);
if (!user) location.replace('/logga-in');
else location.replace(isReviewer(user) ? '/granska' : '/mina-poster');

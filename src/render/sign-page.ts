import { GENERIC_CRISIS } from '../domain/crisis-text.ts';
import type { PlaylistItem } from '../domain/playlist.ts';
import type { SignConfig } from '../signs/sign-config.ts';
import type { Frame } from './frame.ts';
import type { ImportedImage } from './image-import.ts';
import { renderItem } from './render-item.ts';
import { type SignProfile, signProfileFromConfig } from './sign-profile.ts';

/**
 * The one door from a page to the frame a sign shows: playlist pages, fallback pages and crisis pages all pass
 * here, with the same renderer as the review preview, so what a communicator approved is, byte for byte, what the
 * sign shows.
 */

export { GENERIC_CRISIS };

/** The sign as the renderer sees it: panel, pixel format, and the ~380 mm minimum character height in pixels. */
export function signSurface(sign: SignConfig): SignProfile {
  return signProfileFromConfig(sign);
}

/**
 * A picture item whose picture is still being decoded: `transient`, so the scheduler keeps its turn and tries again
 * at the next tick instead of passing the item over.
 */
export class ImageNotReadyError extends Error {
  readonly code = 'picture-preparing';
  readonly transient = true;
  constructor(readonly imageId: string) {
    super(`picture ${imageId} is being prepared`);
    this.name = 'ImageNotReadyError';
  }
}

/**
 * Renders a playlist item for one sign with the same renderer as the review preview, so what a
 * communicator approved is, byte for byte, what the sign shows.
 */
export function renderItemForSign(
  item: Pick<PlaylistItem, 'content' | 'organisation' | 'infoLink' | 'showLink'>,
  surface: SignProfile,
  image: (id: string) => ImportedImage | null = () => null,
): Frame {
  const picture = item.content.kind === 'image' ? image(item.content.image) : null;
  if (item.content.kind === 'image' && !picture) throw new ImageNotReadyError(item.content.image);
  return renderItem(item.content, surface, {
    image: picture,
    infoLink: item.infoLink,
    showInfoLink: item.showLink,
    organiser: item.organisation,
  }).frame;
}

/** The crisis template: high-contrast "VIKTIGT MEDDELANDE" header, headline and instruction. */
export function renderCrisisPage(message: { headline: string; instruction: string }, surface: SignProfile): Frame {
  return renderItem({ kind: 'crisis', headline: message.headline, instruction: message.instruction }, surface).frame;
}

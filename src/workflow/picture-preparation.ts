import type { PlaylistItem } from '../domain/playlist.ts';
import type { PictureCache } from './picture-cache.ts';
import { type LivePlaylist, pictureIds } from './playlist-service.ts';

/**
 * Decodes the pictures the signs will draw ahead of their turn: the fallback loop's and the live revision's at
 * start, and a revision's when it goes live without the publish route preparing it (one published by the command
 * line). Called on every tick; does work only when the live revision changed. Each failure is reported once.
 */
export class PicturePreparation {
  private preparedFor: string | null | undefined = undefined;

  constructor(
    private readonly o: {
      pictures: PictureCache;
      live: () => LivePlaylist | null;
      fallbackItems: () => readonly PlaylistItem[];
      onUnreadable: (imageId: string, message: string) => void;
    },
  ) {}

  prepare(): void {
    const live = this.o.live();
    const key = live?.key ?? null;
    if (key === this.preparedFor) return;
    const ids = pictureIds(live?.items ?? []);
    if (this.preparedFor === undefined) {
      const fallback = pictureIds(this.o.fallbackItems());
      this.o.pictures.pin('fallback', fallback);
      ids.push(...fallback);
    }
    this.preparedFor = key;
    if (ids.length === 0) return;
    void this.o.pictures.prepareAll(ids).then((failed) => {
      for (const e of failed) this.o.onUnreadable(e.imageId, e.message);
    });
  }
}

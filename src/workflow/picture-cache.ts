import type { ImportedImage } from '../render/image-import.ts';

/**
 * Uploaded pictures, decoded once for drawing, shared by the previews and the signs. Decoding is asynchronous, so
 * a picture that will be needed on a sign is prepared ahead: before a publish completes, and at start for the live
 * revision. Pictures of the live revision are pinned; others (previews) are kept a while, least recently used first.
 */

/** A picture that cannot be drawn at all: not stored, or the stored bytes do not decode. Retrying will not help. */
export class PictureUnavailableError extends Error {
  readonly code = 'picture-unreadable';
  readonly transient = false;
  constructor(
    readonly imageId: string,
    reason: string,
  ) {
    super(`picture ${imageId} cannot be read: ${reason}`);
    this.name = 'PictureUnavailableError';
  }
}

type Entry =
  | { state: 'pending'; promise: Promise<ImportedImage> }
  | { state: 'ready'; image: ImportedImage; promise: Promise<ImportedImage> }
  | { state: 'failed'; error: PictureUnavailableError; promise: Promise<ImportedImage> };

export interface PictureCacheOptions {
  /** The stored (normalised) PNG of an upload; null when there is none. */
  readonly load: (id: string) => Buffer | null;
  readonly decode: (png: Buffer) => Promise<ImportedImage>;
  /** Unpinned pictures kept decoded (each up to 1536 px a side, about 9 MB). */
  readonly keep?: number;
}

export class PictureCache {
  private readonly entries = new Map<string, Entry>();
  /** Pinned pictures by who needs them ('live': the published revision; 'fallback': the fallback loop). */
  private readonly pins = new Map<string, ReadonlySet<string>>();
  private readonly keep: number;

  constructor(private readonly o: PictureCacheOptions) {
    this.keep = o.keep ?? 16;
  }

  /** The decoded picture; rejects with PictureUnavailableError when it cannot be drawn. */
  prepare(id: string): Promise<ImportedImage> {
    const hit = this.entries.get(id);
    if (hit) {
      this.touch(id, hit);
      return hit.promise;
    }
    const png = this.o.load(id);
    let promise: Promise<ImportedImage>;
    if (!png) {
      promise = Promise.reject(new PictureUnavailableError(id, 'no uploaded picture has this id'));
    } else {
      promise = this.o.decode(png).catch((e: unknown) => {
        throw new PictureUnavailableError(id, e instanceof Error ? e.message : String(e));
      });
    }
    const entry: Entry = { state: 'pending', promise };
    this.entries.set(id, entry);
    promise.then(
      (image) => {
        if (this.entries.get(id) === entry) this.entries.set(id, { state: 'ready', image, promise });
      },
      (error: PictureUnavailableError) => {
        if (this.entries.get(id) === entry) this.entries.set(id, { state: 'failed', error, promise });
      },
    );
    this.evict();
    return promise;
  }

  /** Prepares every picture; resolves with those that cannot be drawn (empty when all are ready). */
  async prepareAll(ids: Iterable<string>): Promise<PictureUnavailableError[]> {
    const results = await Promise.allSettled([...new Set(ids)].map((id) => this.prepare(id)));
    return results.flatMap((r) => (r.status === 'rejected' ? [r.reason as PictureUnavailableError] : []));
  }

  /**
   * The decoded picture now, for drawing on a sign: null while it is being prepared (preparing starts here if it had
   * not); throws PictureUnavailableError when it cannot be drawn.
   */
  ready(id: string): ImportedImage | null {
    const entry = this.entries.get(id);
    if (!entry) {
      this.prepare(id).catch(() => undefined);
      return null;
    }
    this.touch(id, entry);
    if (entry.state === 'ready') return entry.image;
    if (entry.state === 'failed') throw entry.error;
    return null;
  }

  /** The pictures the signs need (the live revision's, the fallback loop's): never evicted. Replaces `group`'s pins. */
  pin(group: string, ids: Iterable<string>): void {
    this.pins.set(group, new Set(ids));
  }

  private pinned(id: string): boolean {
    for (const ids of this.pins.values()) if (ids.has(id)) return true;
    return false;
  }

  private touch(id: string, entry: Entry): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
  }

  private evict(): void {
    let unpinned = 0;
    for (const id of this.entries.keys()) if (!this.pinned(id)) unpinned++;
    for (const [id, entry] of this.entries) {
      if (unpinned <= this.keep) break;
      // Oldest first; a decode in flight is left to finish.
      if (this.pinned(id) || entry.state === 'pending') continue;
      this.entries.delete(id);
      unpinned--;
    }
  }
}

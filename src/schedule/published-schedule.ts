import { effectiveWindow, WEEKDAYS } from '../domain/display-window.ts';
import type { Weekday } from '../domain/local-time.ts';
import type { PlaylistFile, PlaylistItem } from '../domain/playlist.ts';
import { DEFAULT_SCHEDULE_SETTINGS, EMPTY_SCHEDULE, type PublishedSchedule } from './schedule-input.ts';
import type { ScheduledPage } from './sign-scheduler.ts';

/**
 * The adapter from the content workflow's published revision (a playlist in the file format, see
 * store/playlist-repository.ts) to the rotation engine's input. Playlist order is the rotation
 * order; an event's default window (14 days before its start) applies as it does in review.
 */
export function scheduleFromPlaylist(
  revision: string | number,
  playlist: { readonly items: readonly PlaylistItem[]; readonly settings?: PlaylistFile['settings'] } | null,
): PublishedSchedule<ScheduledPage> {
  if (!playlist) return EMPTY_SCHEDULE;
  const shares = playlist.settings?.shares;
  return {
    revision: String(revision),
    items: playlist.items.map((item, order) => scheduledPage(item, order)),
    settings: shares
      ? { shares: { kommun: shares.kommun / 100, konserthus: shares.konserthus / 100 } }
      : DEFAULT_SCHEDULE_SETTINGS,
  };
}

export function scheduledPage(item: PlaylistItem, order: number): ScheduledPage {
  const w = effectiveWindow(item.content, item.window);
  return {
    id: item.id,
    organisation: item.organisation,
    dwellSeconds: item.dwellSeconds,
    signs: item.signs ?? null,
    window:
      w.from || w.until
        ? { from: w.from ? Date.parse(w.from) : null, until: w.until ? Date.parse(w.until) : null }
        : null,
    days: w.days ? w.days.map((d) => (WEEKDAYS.indexOf(d) + 1) as Weekday) : null,
    timesOfDay: w.times ? w.times.map((t) => ({ from: t.from, to: t.until })) : null,
    order,
    page: item,
  };
}

/** The parts of the content workflow's live playlist (workflow/playlist-service.ts LivePlaylist) the engine needs. */
export interface LivePlaylistLike {
  /** Changes whenever what plays changes (a new revision, or an item withdrawn from it). */
  readonly key: string;
  readonly settings?: PlaylistFile['settings'];
  readonly items: readonly PlaylistItem[];
}

/**
 * The live schedule from the content workflow: the mapping is redone only when the live key
 * changes, so the engine's memo (on the object) holds and a call per tick costs a comparison.
 */
export function liveScheduleSource(live: () => LivePlaylistLike | null): () => PublishedSchedule<ScheduledPage> {
  let last: { key: string | null; value: PublishedSchedule<ScheduledPage> } = { key: null, value: EMPTY_SCHEDULE };
  return () => {
    const l = live();
    const key = l ? l.key : null;
    if (key !== last.key) {
      last = { key, value: l ? scheduleFromPlaylist(l.key, { items: l.items, settings: l.settings }) : EMPTY_SCHEDULE };
    }
    return last.value;
  };
}

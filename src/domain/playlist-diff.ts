import type { PlaylistFile, PlaylistItem } from './playlist.ts';
import type { PlaylistSettings } from './playlist-settings.ts';

/** What publishing would change on the signs, item by item. */
export interface PlaylistDiff {
  /** True when nothing differs: publishing would change nothing. */
  identical: boolean;
  added: string[];
  removed: string[];
  changed: { id: string; fields: string[] }[];
  /** The order of the items both have differs. */
  reordered: boolean;
  order: { before: string[]; after: string[] };
  settings: { before: PlaylistSettings | null; after: PlaylistSettings } | null;
  name: { before: string | null; after: string } | null;
}

const FIELDS = ['organisation', 'content', 'dwellSeconds', 'infoLink', 'showLink', 'signs', 'window'] as const;

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Pure: `before` is the live revision (null when nothing was published yet), `after` the candidate. */
export function diffPlaylists(
  before: Pick<PlaylistFile, 'name' | 'settings' | 'items'> | null,
  after: Pick<PlaylistFile, 'name' | 'settings' | 'items'>,
): PlaylistDiff {
  const old = new Map<string, PlaylistItem>((before?.items ?? []).map((i) => [i.id, i]));
  const next = new Map<string, PlaylistItem>(after.items.map((i) => [i.id, i]));
  const added = after.items.filter((i) => !old.has(i.id)).map((i) => i.id);
  const removed = (before?.items ?? []).filter((i) => !next.has(i.id)).map((i) => i.id);
  const changed: PlaylistDiff['changed'] = [];
  for (const item of after.items) {
    const prev = old.get(item.id);
    if (!prev) continue;
    const fields = FIELDS.filter((f) => !same(prev[f], item[f]));
    if (fields.length > 0) changed.push({ id: item.id, fields });
  }
  const keptBefore = (before?.items ?? []).map((i) => i.id).filter((id) => next.has(id));
  const keptAfter = after.items.map((i) => i.id).filter((id) => old.has(id));
  const reordered = !same(keptBefore, keptAfter);
  const settings =
    before && same(before.settings, after.settings)
      ? null
      : { before: before?.settings ?? null, after: after.settings };
  const name = before && before.name === after.name ? null : { before: before?.name ?? null, after: after.name };
  return {
    identical: added.length === 0 && removed.length === 0 && changed.length === 0 && !reordered && !settings && !name,
    added,
    removed,
    changed,
    reordered,
    order: { before: (before?.items ?? []).map((i) => i.id), after: after.items.map((i) => i.id) },
    settings,
    name,
  };
}

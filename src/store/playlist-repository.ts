import type { DraftEntry } from '../domain/item-input.ts';
import type { PlaylistFile } from '../domain/playlist.ts';
import { DEFAULT_PLAYLIST_SETTINGS, type PlaylistSettings } from '../domain/playlist-settings.ts';
import type { Db } from './database.ts';

export interface DraftRecord {
  /** Counts saves: 0 before the first save, then 1, 2, ... (the draft's ETag). */
  version: number;
  name: string;
  settings: PlaylistSettings;
  entries: DraftEntry[];
  updatedBy: string | null;
  updatedAt: string | null;
}

export interface RevisionRecord {
  revision: number;
  /** Exactly what was published, in the playlist file format. */
  playlist: PlaylistFile;
  /** Which edit of each item was approved when this went live (item id -> items.revision). */
  itemRevisions: Record<string, number>;
  publishedBy: string;
  publishedAt: string;
  note: string | null;
  /** Set when this revision re-published an earlier one (a rollback). */
  rollbackOf: number | null;
}

export type RevisionSummary = Omit<RevisionRecord, 'playlist' | 'itemRevisions'> & { itemCount: number };

export const DEFAULT_PLAYLIST_NAME = 'Delad spellista E20 Vara';

const toRevision = (r: Record<string, unknown>): RevisionRecord => ({
  revision: r.revision as number,
  playlist: JSON.parse(r.playlist_json as string) as PlaylistFile,
  itemRevisions: JSON.parse(r.item_revisions_json as string) as Record<string, number>,
  publishedBy: r.published_by as string,
  publishedAt: r.published_at as string,
  note: (r.note as string | null) ?? null,
  rollbackOf: (r.rollback_of as number | null) ?? null,
});

/** The one shared playlist: its draft (a single row) and its immutable published revisions. */
export function playlistRepository(db: Db) {
  const getDraft = db.prepare('SELECT * FROM playlist_draft WHERE id = 1');
  const putDraft = db
    .prepare(
      `INSERT INTO playlist_draft (id, name, settings_json, entries_json, updated_by, updated_at, version)
       VALUES (1, @name, @settings, @entries, @by, @at, 1)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, settings_json = excluded.settings_json, entries_json = excluded.entries_json,
         updated_by = excluded.updated_by, updated_at = excluded.updated_at, version = playlist_draft.version + 1
       RETURNING version`,
    )
    .pluck();
  const insertRevision = db.prepare(
    `INSERT INTO playlist_revisions (revision, playlist_json, item_revisions_json, published_by, published_at, note, rollback_of)
     VALUES (@revision, @playlist, @itemRevisions, @publishedBy, @publishedAt, @note, @rollbackOf)`,
  );
  const latest = db.prepare('SELECT * FROM playlist_revisions ORDER BY revision DESC LIMIT 1');
  const byRevision = db.prepare('SELECT * FROM playlist_revisions WHERE revision = ?');
  const newest = db.prepare('SELECT max(revision) FROM playlist_revisions').pluck();
  const page = db.prepare('SELECT * FROM playlist_revisions ORDER BY revision DESC LIMIT ? OFFSET ?');
  const count = db.prepare('SELECT count(*) FROM playlist_revisions').pluck();
  return {
    draft(): DraftRecord {
      const r = getDraft.get() as Record<string, unknown> | undefined;
      if (!r)
        return {
          version: 0,
          name: DEFAULT_PLAYLIST_NAME,
          settings: DEFAULT_PLAYLIST_SETTINGS,
          entries: [],
          updatedBy: null,
          updatedAt: null,
        };
      return {
        version: r.version as number,
        name: r.name as string,
        settings: JSON.parse(r.settings_json as string) as PlaylistSettings,
        entries: JSON.parse(r.entries_json as string) as DraftEntry[],
        updatedBy: r.updated_by as string,
        updatedAt: r.updated_at as string,
      };
    },
    /** Saves the draft; returns its new version. */
    saveDraft(d: { name: string; settings: PlaylistSettings; entries: DraftEntry[] }, by: string, at: string): number {
      return putDraft.get({
        name: d.name,
        settings: JSON.stringify(d.settings),
        entries: JSON.stringify(d.entries),
        by,
        at,
      }) as number;
    },
    /** The live revision: the newest one (a rollback publishes a copy of an earlier one as the newest). */
    live(): RevisionRecord | null {
      const r = latest.get() as Record<string, unknown> | undefined;
      return r ? toRevision(r) : null;
    },
    liveRevisionNumber(): number | null {
      return (newest.get() as number | null) ?? null;
    },
    byRevision(revision: number): RevisionRecord | null {
      const r = byRevision.get(revision) as Record<string, unknown> | undefined;
      return r ? toRevision(r) : null;
    },
    insertRevision(r: Omit<RevisionRecord, 'revision'>): number {
      const revision = ((newest.get() as number | null) ?? 0) + 1;
      insertRevision.run({
        revision,
        playlist: JSON.stringify(r.playlist),
        itemRevisions: JSON.stringify(r.itemRevisions),
        publishedBy: r.publishedBy,
        publishedAt: r.publishedAt,
        note: r.note,
        rollbackOf: r.rollbackOf,
      });
      return revision;
    },
    list(limit: number, offset: number): { rows: RevisionSummary[]; total: number } {
      const rows = (page.all(limit, offset) as Record<string, unknown>[])
        .map(toRevision)
        .map(({ playlist, itemRevisions: _, ...rest }) => ({
          ...rest,
          itemCount: playlist.items.length,
        }));
      return { rows, total: count.get() as number };
    },
  };
}
export type PlaylistRepository = ReturnType<typeof playlistRepository>;

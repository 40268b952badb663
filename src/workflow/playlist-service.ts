import type { Actor } from '../auth/accounts.ts';
import type { Clock } from '../domain/clock.ts';
import { describeIssues } from '../domain/config-error.ts';
import { effectiveWindow } from '../domain/display-window.ts';
import { contentTitle } from '../domain/item-content.ts';
import type { DraftEntry, PlaylistDraftInput, SubmittableContent } from '../domain/item-input.ts';
import { SubmittableContent as SubmittableContentSchema } from '../domain/item-input.ts';
import { PlaylistFile, type PlaylistItem } from '../domain/playlist.ts';
import { diffPlaylists, type PlaylistDiff } from '../domain/playlist-diff.ts';
import type { PlaylistSettings } from '../domain/playlist-settings.ts';
import type { AuditRepository } from '../store/audit-repository.ts';
import type { Db } from '../store/database.ts';
import type { ItemRecord } from '../store/item-repository.ts';
import {
  type PlaylistRepository,
  playlistRepository,
  type RevisionRecord,
  type RevisionSummary,
} from '../store/playlist-repository.ts';
import { endsAt, type ItemService } from './item-service.ts';
import { badRequest, ConflictError, WorkflowError } from './workflow-error.ts';

/** What the signs should play from the shared playlist: the live revision, minus what has been withdrawn since. */
export interface LivePlaylist {
  revision: number;
  /** Changes whenever what plays changes: a new revision, or an item withdrawn from it. */
  key: string;
  publishedAt: string;
  publishedBy: string;
  name: string;
  settings: PlaylistSettings;
  /** In playlist order; each with its window and target signs. Only items still approved exactly as published. */
  items: PlaylistItem[];
  /** Published, but since edited (back in review), archived, rejected or expired: not played. */
  withdrawn: string[];
}

export interface DraftEntryView extends DraftEntry {
  item: { state: string; organisation: string; kind: string; title: string; revision: number } | null;
  /** Why publishing would refuse this entry; null when it is fine. */
  problem: string | null;
}

export interface DraftView {
  /** Counts saves; the ETag of GET /api/playlist/draft, and what a save names in If-Match. */
  version: number;
  name: string;
  settings: PlaylistSettings;
  entries: DraftEntryView[];
  updatedBy: string | null;
  updatedAt: string | null;
  liveRevision: number | null;
  publishable: boolean;
}

export interface RevisionView extends Omit<RevisionRecord, 'itemRevisions'> {
  live: boolean;
}

interface Candidate {
  playlist: Pick<PlaylistFile, 'name' | 'settings' | 'items'>;
  itemRevisions: Record<string, number>;
  problems: { field: string; message: string }[];
}

/** What people call an item: its title, its first line, or its picture's caption. */
export const titleOf = (c: SubmittableContent) => contentTitle(c);

/** The uploaded pictures a list of playlist items draws. */
export function pictureIds(items: readonly PlaylistItem[]): string[] {
  return [...new Set(items.flatMap((i) => (i.content.kind === 'image' ? [i.content.image] : [])))];
}

/** One line of the playlist file for an item: the item as it is, with its effective window and target signs. */
export function playlistItemOf(item: ItemRecord, entrySigns?: string[]): PlaylistItem {
  const window = effectiveWindow(item.content, item.window);
  const signs = entrySigns ?? item.signs ?? undefined;
  return {
    id: item.id,
    organisation: item.organisation,
    content: item.content,
    dwellSeconds: item.dwellSeconds,
    infoLink: item.infoLink,
    showLink: item.showLink,
    ...(signs ? { signs } : {}),
    ...(Object.keys(window).length > 0 ? { window } : {}),
  };
}

/** The one shared playlist: draft, publishing, diff, rollback, import and export, and what is live. */
export class PlaylistService {
  readonly repo: PlaylistRepository;
  private cache: { dataVersion: number; value: LivePlaylist | null } | null = null;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly audit: AuditRepository,
    private readonly items: ItemService,
    private readonly published: (live: LivePlaylist | null) => void,
  ) {
    this.repo = playlistRepository(db);
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /** Drops the cached live playlist (an item changed state, or a revision was published). */
  invalidate(): void {
    this.cache = null;
  }

  /**
   * The live playlist, cached; the cache also notices commits by other processes on the same file (the CLI),
   * through SQLite's data_version.
   */
  live(): LivePlaylist | null {
    const dataVersion = this.db.pragma('data_version', { simple: true }) as number;
    if (this.cache && this.cache.dataVersion === dataVersion) return this.cache.value;
    const rev = this.repo.live();
    let value: LivePlaylist | null = null;
    if (rev) {
      const playing: PlaylistItem[] = [];
      const withdrawn: string[] = [];
      for (const entry of rev.playlist.items) {
        const item = this.items.repo.byId(entry.id);
        if (item && item.state === 'approved' && item.revision === rev.itemRevisions[entry.id]) playing.push(entry);
        else withdrawn.push(entry.id);
      }
      value = {
        revision: rev.revision,
        key: `${rev.revision}${withdrawn.length ? `-${withdrawn.join(',')}` : ''}`,
        publishedAt: rev.publishedAt,
        publishedBy: rev.publishedBy,
        name: rev.playlist.name,
        settings: rev.playlist.settings,
        items: playing,
        withdrawn,
      };
    }
    // What the signs need stays decoded (a revision published by the CLI is noticed here too).
    this.items.pictures.pin('live', pictureIds(value?.items ?? []));
    this.cache = { dataVersion, value };
    return value;
  }

  // --- draft

  private entryProblem(entry: DraftEntry, item: ItemRecord | null): string | null {
    if (!item) return `no item "${entry.itemId}"`;
    if (item.state !== 'approved') return `item "${item.id}" is ${item.state}; only approved items can be published`;
    const targets = item.signs ?? this.items.signIds;
    const outside = (entry.signs ?? []).filter((s) => !targets.includes(s));
    if (outside.length) return `item "${item.id}" targets ${targets.join(', ')}, not ${outside.join(', ')}`;
    return null;
  }

  draft(): DraftView {
    const d = this.repo.draft();
    const entries = d.entries.map((e) => {
      const item = this.items.repo.byId(e.itemId);
      return {
        ...e,
        item: item
          ? {
              state: item.state,
              organisation: item.organisation,
              kind: item.content.kind,
              title: titleOf(item.content),
              revision: item.revision,
            }
          : null,
        problem: this.entryProblem(e, item),
      };
    });
    return {
      version: d.version,
      name: d.name,
      settings: d.settings,
      entries,
      updatedBy: d.updatedBy,
      updatedAt: d.updatedAt,
      liveRevision: this.repo.liveRevisionNumber(),
      publishable: entries.length > 0 && entries.every((e) => e.problem === null),
    };
  }

  /**
   * Refuses (409, with the draft as it is now) a change made on an older version of the draft: two communicators
   * editing at once, or a /spellista left open, must not overwrite each other's changes unseen.
   */
  private expectVersion(expected: number, what: string): void {
    const d = this.repo.draft();
    if (d.version === expected) return;
    throw new ConflictError(
      `the draft has changed since version ${expected}: it is now version ${d.version}${d.updatedBy ? ` (saved by ${d.updatedBy} at ${d.updatedAt})` : ''}; nothing was ${what}: reload the draft (GET /api/playlist/draft) and apply your change to it again`,
      this.draft(),
    );
  }

  /**
   * Replaces the draft: order, per-sign targeting, settings. Items must exist and be approved or awaiting review.
   * `expectedVersion` is the version the change was made on (If-Match); an older one is refused.
   */
  saveDraft(input: PlaylistDraftInput, actor: Actor, expectedVersion: number): DraftView {
    const issues: { field: string; message: string }[] = [];
    input.entries.forEach((e, i) => {
      const item = this.items.repo.byId(e.itemId);
      if (!item) issues.push({ field: `entries.${i}.itemId`, message: `no item "${e.itemId}"` });
      else if (item.state !== 'approved' && item.state !== 'pending') {
        issues.push({
          field: `entries.${i}.itemId`,
          message: `item "${e.itemId}" is ${item.state}; only approved (or pending) items can be in the playlist`,
        });
      } else {
        const targets = item.signs ?? this.items.signIds;
        (e.signs ?? []).forEach((s, j) => {
          if (!targets.includes(s))
            issues.push({
              field: `entries.${i}.signs.${j}`,
              message: `item "${e.itemId}" targets ${targets.join(', ')}; an entry can only narrow that`,
            });
        });
      }
    });
    this.db.transaction(() => {
      // A stale save is refused before its content is judged: the user must see the current draft first.
      this.expectVersion(expectedVersion, 'saved');
      if (issues.length) throw badRequest(issues);
      const before = this.repo.draft();
      const after = {
        name: input.name ?? before.name,
        settings: input.settings ?? before.settings,
        entries: input.entries,
      };
      const version = this.repo.saveDraft(after, actor.username, this.now());
      this.audit.record({
        at: this.now(),
        actor: actor.username,
        action: 'playlist.draft',
        subject: 'playlist:draft',
        before: { version: before.version, name: before.name, settings: before.settings, entries: before.entries },
        after: { version, ...after },
      });
    })();
    return this.draft();
  }

  /**
   * Appends an item to the end of the draft (unless it is there already). Runs inside the caller's transaction:
   * approve-into-draft is one step, so two communicators approving at once both land in the draft.
   */
  appendToDraft(itemId: string, actor: Actor): { version: number; added: boolean } {
    return this.db.transaction(() => {
      const before = this.repo.draft();
      if (before.entries.some((e) => e.itemId === itemId)) return { version: before.version, added: false };
      const after = { name: before.name, settings: before.settings, entries: [...before.entries, { itemId }] };
      const version = this.repo.saveDraft(after, actor.username, this.now());
      this.audit.record({
        at: this.now(),
        actor: actor.username,
        action: 'playlist.draft.append',
        subject: 'playlist:draft',
        before: { version: before.version, entries: before.entries },
        after: { version, entries: after.entries, added: itemId },
      });
      return { version, added: true };
    })();
  }

  /** The draft as it would be published now; entries that cannot be published are listed as problems. */
  private candidate(): Candidate {
    const d = this.repo.draft();
    const problems: Candidate['problems'] = [];
    const items: PlaylistItem[] = [];
    const itemRevisions: Record<string, number> = {};
    d.entries.forEach((e, i) => {
      const item = this.items.repo.byId(e.itemId);
      const problem = this.entryProblem(e, item);
      if (problem) problems.push({ field: `entries.${i}`, message: problem });
      if (item) {
        items.push(playlistItemOf(item, e.signs));
        itemRevisions[item.id] = item.revision;
      }
    });
    return { playlist: { name: d.name, settings: d.settings, items }, itemRevisions, problems };
  }

  private source(which: 'draft' | 'live' | number): Candidate['playlist'] | null {
    if (which === 'draft') return this.candidate().playlist;
    const rev = which === 'live' ? this.repo.live() : this.repo.byRevision(which);
    if (!rev && which !== 'live') throw new WorkflowError('notFound', `no published revision ${which}`);
    return rev?.playlist ?? null;
  }

  /** What changes from `from` (default: the live revision) to `to` (default: the draft). */
  diff(from: 'live' | number = 'live', to: 'draft' | number = 'draft'): PlaylistDiff {
    const after = this.source(to);
    if (!after) throw new WorkflowError('notFound', 'nothing is published yet');
    return diffPlaylists(this.source(from), after);
  }

  // --- pictures

  /**
   * Decodes the pictures of the draft (or of a published revision) so that each picture item can air the moment the
   * revision goes live, instead of being passed over while its picture is prepared. A picture that cannot be decoded
   * refuses the publish (409), naming the entry.
   */
  async preparePictures(which: 'draft' | number): Promise<void> {
    const items =
      which === 'draft' ? this.candidate().playlist.items : (this.repo.byRevision(which)?.playlist.items ?? []);
    const failed = new Set((await this.items.pictures.prepareAll(pictureIds(items))).map((e) => e.imageId));
    if (failed.size === 0) return;
    const issues = items.flatMap((item, i) =>
      item.content.kind === 'image' && failed.has(item.content.image)
        ? [{ field: `entries.${i}`, message: `the picture of item "${item.id}" cannot be read: upload it again` }]
        : [],
    );
    throw new WorkflowError('conflict', `cannot go live: ${issues.map((x) => x.message).join('; ')}`, issues);
  }

  // --- publishing

  /** Publishes the draft as a new immutable revision; refuses a draft that is empty, unapproved, or unchanged. */
  publish(
    actor: Actor,
    note: string | null = null,
    expectedDraftVersion?: number,
  ): { revision: RevisionSummary; diff: PlaylistDiff } {
    const result = this.db.transaction(() => {
      // Publishing what the user has not seen (someone changed the draft since their page loaded) is refused.
      if (expectedDraftVersion !== undefined) this.expectVersion(expectedDraftVersion, 'published');
      const c = this.candidate();
      if (c.playlist.items.length === 0)
        throw new WorkflowError(
          'conflict',
          'the draft is empty: add approved items (PUT /api/playlist/draft) before publishing',
        );
      if (c.problems.length) {
        throw new WorkflowError(
          'conflict',
          `the draft cannot be published: ${c.problems.map((p) => p.message).join('; ')}`,
          c.problems,
        );
      }
      const live = this.repo.live();
      const diff = diffPlaylists(live?.playlist ?? null, c.playlist);
      if (diff.identical)
        throw new WorkflowError(
          'conflict',
          `nothing to publish: the draft is the same as live revision ${live?.revision}`,
        );
      const playlist = this.validated(c.playlist);
      const revision = this.repo.insertRevision({
        playlist,
        itemRevisions: c.itemRevisions,
        publishedBy: actor.username,
        publishedAt: this.now(),
        note,
        rollbackOf: null,
      });
      this.audit.record({
        at: this.now(),
        actor: actor.username,
        action: 'playlist.publish',
        subject: `playlist:${revision}`,
        before: live ? { revision: live.revision } : null,
        after: { revision, note, diff },
      });
      return { revision, diff };
    })();
    this.invalidate();
    this.published(this.live());
    return { revision: this.summary(result.revision), diff: result.diff };
  }

  /** Makes an earlier revision live again, as a new revision (history only grows), and resets the draft to it. */
  rollback(to: number, actor: Actor, note: string | null = null): { revision: RevisionSummary; diff: PlaylistDiff } {
    const result = this.db.transaction(() => {
      const target = this.repo.byRevision(to);
      if (!target) throw new WorkflowError('notFound', `no published revision ${to}`);
      const live = this.repo.live();
      if (live && live.revision === to) throw new WorkflowError('conflict', `revision ${to} is already live`);
      const diff = diffPlaylists(live?.playlist ?? null, target.playlist);
      const revision = this.repo.insertRevision({
        playlist: target.playlist,
        itemRevisions: target.itemRevisions,
        publishedBy: actor.username,
        publishedAt: this.now(),
        // No made-up note: rollbackOf says what this is, and notes are shown to people as they were written.
        note,
        rollbackOf: to,
      });
      const draftBefore = this.repo.draft();
      const entries = target.playlist.items.map((i) => (i.signs ? { itemId: i.id, signs: i.signs } : { itemId: i.id }));
      this.repo.saveDraft(
        { name: target.playlist.name, settings: target.playlist.settings, entries },
        actor.username,
        this.now(),
      );
      this.audit.record({
        at: this.now(),
        actor: actor.username,
        action: 'playlist.rollback',
        subject: `playlist:${revision}`,
        before: {
          revision: live?.revision ?? null,
          draft: { name: draftBefore.name, settings: draftBefore.settings, entries: draftBefore.entries },
        },
        after: { revision, rollbackOf: to, diff },
      });
      return { revision, diff };
    })();
    this.invalidate();
    this.published(this.live());
    return { revision: this.summary(result.revision), diff: result.diff };
  }

  private validated(p: Candidate['playlist']): PlaylistFile {
    const parsed = PlaylistFile.safeParse({ version: 1, ...p });
    if (!parsed.success)
      throw new WorkflowError(
        'conflict',
        `the playlist would not be valid: ${describeIssues(parsed.error).join('; ')}`,
      );
    return parsed.data;
  }

  private summary(revision: number): RevisionSummary {
    const r = this.repo.byRevision(revision) as RevisionRecord;
    return {
      revision: r.revision,
      publishedBy: r.publishedBy,
      publishedAt: r.publishedAt,
      note: r.note,
      rollbackOf: r.rollbackOf,
      itemCount: r.playlist.items.length,
    };
  }

  revision(n: number | 'live'): RevisionView {
    const r = n === 'live' ? this.repo.live() : this.repo.byRevision(n);
    if (!r)
      throw new WorkflowError('notFound', n === 'live' ? 'nothing is published yet' : `no published revision ${n}`);
    const { itemRevisions: _, ...rest } = r;
    return { ...rest, live: r.revision === this.repo.liveRevisionNumber() };
  }

  revisions(limit: number, offset: number): { items: (RevisionSummary & { live: boolean })[]; total: number } {
    const live = this.repo.liveRevisionNumber();
    const { rows, total } = this.repo.list(limit, offset);
    return { items: rows.map((r) => ({ ...r, live: r.revision === live })), total };
  }

  // --- files

  /** A playlist file (the format of playlists/*.json): of the draft (approved entries only), the live revision, or revision N. */
  exportFile(which: 'draft' | 'live' | number): { file: PlaylistFile; skipped: string[] } {
    let playlist: Candidate['playlist'];
    let skipped: string[] = [];
    if (which === 'draft') {
      const c = this.candidate();
      skipped = c.problems.map((p) => p.message);
      const ok = new Set(
        this.repo
          .draft()
          .entries.filter((e) => this.entryProblem(e, this.items.repo.byId(e.itemId)) === null)
          .map((e) => e.itemId),
      );
      playlist = { ...c.playlist, items: c.playlist.items.filter((i) => ok.has(i.id)) };
      if (playlist.items.length === 0) throw new WorkflowError('conflict', 'the draft has no approved items to export');
    } else {
      playlist = this.revision(which).playlist;
    }
    const file = this.validated(playlist);
    return { file: { $schema: '../schemas/playlist.schema.json', ...file }, skipped };
  }

  /**
   * Imports a playlist file: its items are created or updated as approved (after the same checks and road-safety
   * lint as a review), and the draft becomes the file's order and settings. With `publish`, it also goes live.
   * All or nothing: one bad item and nothing changes.
   */
  async importFile(
    file: PlaylistFile,
    actor: Actor,
    opts: { publish?: boolean; note?: string | null } = {},
  ): Promise<{
    created: string[];
    updated: string[];
    unchanged: string[];
    revision: RevisionSummary | null;
    diff: PlaylistDiff;
  }> {
    const issues: { field: string; message: string }[] = [];
    const lintIssues: { field: string; message: string }[] = [];
    const records: ItemRecord[] = [];
    const at = this.now();
    for (const [i, entry] of file.items.entries()) {
      const content = SubmittableContentSchema.safeParse(entry.content);
      if (!content.success) {
        issues.push({
          field: `items.${i}.content.kind`,
          message: 'crisis messages are not playlist content: start them through /api/crisis',
        });
        continue;
      }
      const existing = this.items.repo.byId(entry.id);
      if (existing?.state === 'archived') {
        issues.push({
          field: `items.${i}.id`,
          message: `item "${entry.id}" is archived; give the imported item a new id`,
        });
        continue;
      }
      const fields = {
        organisation: entry.organisation,
        content: content.data,
        window: entry.window ?? null,
        signs: entry.signs ?? null,
        dwellSeconds: entry.dwellSeconds,
        infoLink: entry.infoLink,
        showLink: entry.showLink,
      };
      const fieldIssues = this.items.validateFields(fields, `items.${i}`);
      if (fieldIssues.length) {
        issues.push(...fieldIssues);
        continue;
      }
      const lint = await this.items.check(fields);
      for (const f of lint.findings.filter((x) => x.severity === 'error')) {
        lintIssues.push({
          field: `items.${i}${f.field ? `.content.${f.field}` : ''}`,
          message: `${f.message} (${f.signs.join(', ')})`,
        });
      }
      const base: ItemRecord = existing ?? {
        id: entry.id,
        ...fields,
        state: 'approved',
        rejectionReason: null,
        revision: 0,
        endsAt: null,
        createdBy: actor.username,
        createdAt: at,
        updatedBy: actor.username,
        updatedAt: at,
        decidedBy: actor.username,
        decidedAt: at,
      };
      records.push({ ...base, ...fields, endsAt: endsAt(fields) });
    }
    if (issues.length) throw badRequest(issues);
    if (lintIssues.length) {
      throw new WorkflowError(
        'unprocessable',
        `the playlist breaks the road-safety rules: ${lintIssues.map((l) => `${l.field}: ${l.message}`).join('; ')}`,
        lintIssues,
      );
    }
    const created: string[] = [];
    const updated: string[] = [];
    const unchanged: string[] = [];
    const result = this.db.transaction(() => {
      for (const next of records) {
        const before = this.items.repo.byId(next.id);
        if (!before) {
          const item = { ...next, revision: 1 };
          this.items.repo.insert(item);
          this.audit.record({
            at,
            actor: actor.username,
            action: 'item.import',
            subject: `item:${item.id}`,
            after: item,
          });
          created.push(item.id);
          continue;
        }
        const same =
          before.state === 'approved' &&
          JSON.stringify(playlistItemOf(before)) === JSON.stringify(playlistItemOf(next));
        if (same) {
          unchanged.push(before.id);
          continue;
        }
        const after: ItemRecord = {
          ...next,
          state: 'approved',
          rejectionReason: null,
          revision: before.revision + 1,
          updatedBy: actor.username,
          updatedAt: at,
          decidedBy: actor.username,
          decidedAt: at,
        };
        this.items.repo.save(after);
        this.audit.record({
          at,
          actor: actor.username,
          action: 'item.import',
          subject: `item:${after.id}`,
          before,
          after,
        });
        updated.push(after.id);
      }
      const draftBefore = this.repo.draft();
      const draft = {
        name: file.name,
        settings: file.settings,
        entries: file.items.map((i) => ({ itemId: i.id })),
      };
      this.repo.saveDraft(draft, actor.username, at);
      this.audit.record({
        at,
        actor: actor.username,
        action: 'playlist.import',
        subject: 'playlist:draft',
        before: { name: draftBefore.name, settings: draftBefore.settings, entries: draftBefore.entries },
        after: { ...draft, created, updated, unchanged },
      });
      const diff = this.diff('live', 'draft');
      if (!opts.publish || diff.identical) return { revision: null, diff };
      return { revision: this.publish(actor, opts.note ?? null).revision, diff };
    })();
    this.invalidate();
    return { created, updated, unchanged, ...result };
  }
}

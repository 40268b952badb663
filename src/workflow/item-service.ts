import { createHash, randomBytes } from 'node:crypto';
import type { Actor } from '../auth/accounts.ts';
import type { Clock } from '../domain/clock.ts';
import { type DisplayWindow, effectiveWindow, windowEnd, windowEndedProblem } from '../domain/display-window.ts';
import type { Organisation } from '../domain/item-content.ts';
import { type ItemInput, type ItemPatch, type SubmittableContent, slugFor } from '../domain/item-input.ts';
import { allowedActions, type ItemAction, type ItemState, transition } from '../domain/item-lifecycle.ts';
import { isReviewer } from '../domain/roles.ts';
import type { ImportedImage } from '../render/image-import.ts';
import type { ContentFinding, ContentToCheck } from '../render/item-preview.ts';
import type { SignConfig } from '../signs/sign-config.ts';
import type { AuditRepository } from '../store/audit-repository.ts';
import type { Db } from '../store/database.ts';
import { type ImageRecord, type ImageRepository, type ImageScope, imageRepository } from '../store/image-repository.ts';
import {
  type ItemFilter,
  type ItemRecord,
  type ItemRepository,
  type ItemVisibility,
  itemRepository,
} from '../store/item-repository.ts';
import { DecodeBudget } from './decode-budget.ts';
import { PictureCache, PictureUnavailableError } from './picture-cache.ts';
import { badRequest, ConflictError, WorkflowError } from './workflow-error.ts';
import type { WorkflowSettings } from './workflow-settings.ts';

export interface ItemView {
  id: string;
  organisation: Organisation;
  state: ItemState;
  content: SubmittableContent;
  window: DisplayWindow | null;
  effectiveWindow: DisplayWindow;
  signs: string[];
  dwellSeconds: number;
  infoLink: string;
  showLink: boolean;
  rejectionReason: string | null;
  revision: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  actions: ItemAction[];
  previews: Record<string, string>;
}

export interface LintSummary {
  errors: number;
  warnings: number;
  findings: ContentFinding[];
}

export type ItemFields = Pick<
  ItemRecord,
  'organisation' | 'content' | 'window' | 'signs' | 'dwellSeconds' | 'infoLink' | 'showLink'
>;

type Issue = { field: string; message: string };

const LINT_CACHE = 500;

/** Items and their lifecycle, with row-level access: who may see and change which organisation's items. */
export class ItemService {
  readonly repo: ItemRepository;
  readonly images: ImageRepository;
  private readonly lintCache = new Map<string, Promise<ContentFinding[]>>();
  /** Decoded pictures, for previews and for the signs (runtime.ts draws from the same cache). */
  readonly pictures: PictureCache;
  /** Uploads decode within a memory budget, one at a time per person. */
  readonly decodes = new DecodeBudget();

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly audit: AuditRepository,
    private readonly signs: readonly SignConfig[],
    private readonly settings: WorkflowSettings,
    private readonly changed: () => void,
  ) {
    this.repo = itemRepository(db);
    this.images = imageRepository(db);
    this.pictures = new PictureCache({
      load: (id) => this.images.png(id),
      decode: (png) => this.renderer().then((r) => r.decodeImage(png)),
    });
  }

  /** The renderer and the lint, loaded on first use: the command line manages users without loading a canvas. */
  private renderer() {
    return import('../render/item-preview.ts');
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  get signIds(): string[] {
    return this.signs.map((s) => s.id);
  }

  // --- access

  /** Submitters see their own organisation's items; communicators also every submitted item; admins all. */
  canSee(actor: Actor, item: Pick<ItemRecord, 'organisation' | 'state'>): boolean {
    if (actor.role === 'admin' || item.organisation === actor.organisation) return true;
    return actor.role === 'communicator' && item.state !== 'draft';
  }

  visibility(actor: Actor): ItemVisibility {
    if (actor.role === 'admin') return { scope: 'all' };
    return { scope: actor.role === 'communicator' ? 'reviewer' : 'own', organisation: actor.organisation };
  }

  /** A missing item and one the caller may not see answer the same 404: another organisation's drafts stay unseen. */
  get(id: string, actor: Actor): ItemRecord {
    const item = this.repo.byId(id);
    if (!item || !this.canSee(actor, item)) throw new WorkflowError('notFound', `no item "${id}"`);
    return item;
  }

  private changeable(id: string, actor: Actor): ItemRecord {
    const item = this.get(id, actor);
    if (actor.role !== 'admin' && item.organisation !== actor.organisation) {
      throw new WorkflowError(
        'forbidden',
        `item "${id}" belongs to ${item.organisation}; only its own organisation can change it (reviewers approve or reject it)`,
      );
    }
    return item;
  }

  view(item: ItemRecord): ItemView {
    return {
      id: item.id,
      organisation: item.organisation,
      state: item.state,
      content: item.content,
      window: item.window,
      effectiveWindow: effectiveWindow(item.content, item.window),
      signs: item.signs ?? this.signIds,
      dwellSeconds: item.dwellSeconds,
      infoLink: item.infoLink,
      showLink: item.showLink,
      rejectionReason: item.rejectionReason,
      revision: item.revision,
      createdBy: item.createdBy,
      createdAt: item.createdAt,
      updatedBy: item.updatedBy,
      updatedAt: item.updatedAt,
      decidedBy: item.decidedBy,
      decidedAt: item.decidedAt,
      actions: allowedActions(item.state),
      previews: Object.fromEntries(
        (item.signs ?? this.signIds).map((s) => [s, `/api/items/${item.id}/signs/${s}/preview.png`]),
      ),
    };
  }

  list(actor: Actor, filter: ItemFilter, limit: number, offset: number): { items: ItemView[]; total: number } {
    const { rows, total } = this.repo.list(this.visibility(actor), filter, limit, offset);
    return { items: rows.map((r) => this.view(r)), total };
  }

  // --- validation

  /** Checks what zod cannot know: configured signs, allowed link hosts, the organiser, uploaded images. */
  validateFields(fields: ItemFields, prefix = '', opts: { windowInFuture?: boolean } = {}): Issue[] {
    const issues: Issue[] = [];
    const at = (f: string) => (prefix ? `${prefix}.${f}` : f);
    (fields.signs ?? []).forEach((s, i) => {
      if (!this.signIds.includes(s))
        issues.push({ field: at(`signs.${i}`), message: `no sign "${s}"; the signs are ${this.signIds.join(', ')}` });
    });
    if (fields.signs && new Set(fields.signs).size !== fields.signs.length)
      issues.push({ field: at('signs'), message: 'each sign at most once' });
    if (!linkHostAllowed(fields.infoLink, this.settings.allowedLinkHosts)) {
      issues.push({
        field: at('infoLink'),
        message: `an https link on ${this.settings.allowedLinkHosts.join(' or ')}`,
      });
    }
    const c = fields.content;
    if (c.kind === 'event' && c.organiser !== fields.organisation) {
      issues.push({
        field: at('content.organiser'),
        message: `must be the item's organisation, "${fields.organisation}"`,
      });
    }
    if (c.kind === 'image') {
      const image = this.images.byId(c.image);
      if (!image)
        issues.push({
          field: at('content.image'),
          message: `no uploaded image "${c.image}": upload it with POST /api/images and use the id it returns`,
        });
      else if (image.organisation !== fields.organisation)
        // Pictures are per organisation; whose it is, is not said (the id could be a guess).
        issues.push({
          field: at('content.image'),
          message: `no uploaded image "${c.image}" of ${fields.organisation}: upload it with POST /api/images`,
        });
    }
    if (opts.windowInFuture) {
      const ended = windowEndedProblem(c, fields.window, this.clock.now());
      if (ended)
        issues.push({
          field: at(ended.field === 'startsAt' ? 'content.startsAt' : ended.field),
          message: ended.message,
        });
    }
    return issues;
  }

  // --- lint and previews

  private image(id: string): Promise<ImportedImage> | null {
    if (!this.images.byId(id)) return null;
    return this.pictures.prepare(id);
  }

  async check(fields: ItemFields): Promise<LintSummary> {
    const r = await this.renderer();
    const targets = fields.signs ?? this.signIds;
    let image: ImportedImage | null = null;
    if (fields.content.kind === 'image') {
      try {
        image = await this.image(fields.content.image);
      } catch (e: unknown) {
        if (!(e instanceof PictureUnavailableError)) throw e;
        // A stored picture that no longer decodes: an error under the picture, never a 500.
        return summarise([
          {
            rule: 'picture-unreadable',
            severity: 'error',
            field: 'image',
            message: `${e.message}: upload the picture again`,
            messageSv: 'Bilden går inte att läsa. Ladda upp den igen.',
            signs: targets,
          },
        ]);
      }
    }
    const profiles = this.signs.filter((s) => targets.includes(s.id)).map((s) => r.signProfileFor(s));
    return summarise(r.checkContent(toCheck(fields), profiles, image, this.settings.allowedLinkHosts));
  }

  /**
   * The live check of the submit form: the lint, and a window that has already ended (a past end date), as an error
   * under its field, so the form says so while it is filled in rather than only when it is sent.
   */
  async checkLive(fields: ItemFields): Promise<LintSummary> {
    const lint = await this.check(fields);
    const ended = windowEndedProblem(fields.content, fields.window, this.clock.now());
    if (!ended) return lint;
    return summarise([
      ...lint.findings,
      { rule: 'window-ended', severity: 'error', ...ended, signs: fields.signs ?? this.signIds },
    ]);
  }

  /** The road-safety lint of an item as it is now (cached per edit). */
  async lint(item: ItemRecord): Promise<LintSummary> {
    const key = `${item.id}@${item.revision}`;
    let p = this.lintCache.get(key);
    if (!p) {
      p = this.check(item).then((s) => s.findings);
      if (this.lintCache.size >= LINT_CACHE) this.lintCache.delete(this.lintCache.keys().next().value as string);
      this.lintCache.set(key, p);
      p.catch(() => this.lintCache.delete(key));
    }
    return summarise(await p);
  }

  async preview(fields: ItemFields, signId: string): Promise<Buffer> {
    const sign = this.signs.find((s) => s.id === signId);
    if (!sign) throw new WorkflowError('notFound', `no sign "${signId}"; the signs are ${this.signIds.join(', ')}`);
    const r = await this.renderer();
    let image: ImportedImage | null = null;
    try {
      if (fields.content.kind === 'image') image = await this.image(fields.content.image);
    } catch (e: unknown) {
      if (!(e instanceof PictureUnavailableError)) throw e;
      throw new WorkflowError('unprocessable', `${e.message}: upload the picture again`, [
        { field: 'content.image', message: e.message },
      ]);
    }
    try {
      return r.previewPng(toCheck(fields), r.signProfileFor(sign), image);
    } catch (e: unknown) {
      if (e instanceof r.PreviewError)
        throw new WorkflowError('unprocessable', `the page cannot be drawn on ${signId}: ${e.message}`, [
          { field: e.field ? `content.${e.field}` : 'content', message: e.message },
        ]);
      throw e;
    }
  }

  // --- lifecycle

  async create(input: ItemInput, actor: Actor): Promise<{ item: ItemView; lint: LintSummary }> {
    if (input.organisation && input.organisation !== actor.organisation && actor.role !== 'admin') {
      throw badRequest([
        {
          field: 'organisation',
          message: `only admins may submit for another organisation; leave it out to submit for ${actor.organisation}`,
        },
      ]);
    }
    const fields: ItemFields = {
      organisation: input.organisation ?? actor.organisation,
      content: input.content,
      window: input.window ?? null,
      signs: input.signs ?? null,
      dwellSeconds: input.dwellSeconds,
      infoLink: input.infoLink,
      showLink: input.showLink,
    };
    const issues = this.validateFields(fields, '', { windowInFuture: true });
    if (issues.length) throw badRequest(issues);
    const id = input.id ?? slugFor(input.content, randomBytes(2).toString('hex'));
    const at = this.now();
    const item: ItemRecord = {
      id,
      ...fields,
      state: input.submit ? 'pending' : 'draft',
      rejectionReason: null,
      revision: 1,
      endsAt: endsAt(fields),
      createdBy: actor.username,
      createdAt: at,
      updatedBy: actor.username,
      updatedAt: at,
      decidedBy: null,
      decidedAt: null,
    };
    this.db.transaction(() => {
      if (this.repo.exists(id))
        throw new WorkflowError('conflict', `an item "${id}" exists already: choose another id`, [
          { field: 'id', message: 'taken' },
        ]);
      this.repo.insert(item);
      this.audit.record({
        at,
        actor: actor.username,
        action: input.submit ? 'item.create+submit' : 'item.create',
        subject: `item:${id}`,
        after: item,
      });
    })();
    this.changed();
    return { item: this.view(item), lint: await this.lint(item) };
  }

  async edit(id: string, patch: ItemPatch, actor: Actor): Promise<{ item: ItemView; lint: LintSummary }> {
    const before = this.changeable(id, actor);
    const t = transition(before.state, 'edit');
    if (!t.ok) throw new WorkflowError('conflict', `cannot edit "${id}": ${t.reason}`);
    if (patch.expectedRevision !== undefined && patch.expectedRevision !== before.revision) {
      throw new WorkflowError(
        'conflict',
        `item "${id}" has changed since revision ${patch.expectedRevision} (now ${before.revision}): reload it and edit again`,
      );
    }
    const fields: ItemFields = {
      organisation: before.organisation,
      content: patch.content ?? before.content,
      window: patch.window === undefined ? before.window : patch.window,
      signs: patch.signs === undefined ? before.signs : patch.signs,
      dwellSeconds: patch.dwellSeconds ?? before.dwellSeconds,
      infoLink: patch.infoLink ?? before.infoLink,
      showLink: patch.showLink ?? before.showLink,
    };
    const issues = this.validateFields(fields, '', { windowInFuture: true });
    if (issues.length) throw badRequest(issues);
    const at = this.now();
    const after: ItemRecord = {
      ...before,
      ...fields,
      state: t.to,
      endsAt: endsAt(fields),
      revision: before.revision + 1,
      updatedBy: actor.username,
      updatedAt: at,
      // Back to review: the earlier decision was about other content.
      decidedBy: t.to === before.state ? before.decidedBy : null,
      decidedAt: t.to === before.state ? before.decidedAt : null,
    };
    this.db.transaction(() => {
      const fresh = this.repo.byId(id);
      if (!fresh || fresh.revision !== before.revision)
        throw new WorkflowError('conflict', `item "${id}" changed meanwhile: reload it and edit again`);
      this.repo.save(after);
      this.audit.record({ at, actor: actor.username, action: 'item.edit', subject: `item:${id}`, before, after });
    })();
    this.changed();
    return { item: this.view(after), lint: await this.lint(after) };
  }

  /**
   * One lifecycle step in one transaction, refused (409, with the item as it is now) if the item changed since
   * `before` was read. `alongside` runs in the same transaction (approve-into-draft: both or neither).
   */
  private apply<T = undefined>(
    before: ItemRecord,
    action: Exclude<ItemAction, 'edit'>,
    actor: Actor,
    change: Partial<ItemRecord> = {},
    alongside?: (after: ItemRecord) => T,
  ): { after: ItemRecord; also: T | undefined } {
    const t = transition(before.state, action);
    if (!t.ok) throw new ConflictError(`cannot ${action} "${before.id}": ${t.reason}`, before);
    const at = this.now();
    const after: ItemRecord = { ...before, ...change, state: t.to, updatedBy: actor.username, updatedAt: at };
    const also = this.db.transaction(() => {
      const fresh = this.repo.byId(before.id);
      if (!fresh || fresh.revision !== before.revision || fresh.state !== before.state) {
        const message = `item "${before.id}" changed meanwhile (now ${fresh?.state ?? 'gone'}, revision ${fresh?.revision ?? '-'}): reload it and try again`;
        if (!fresh) throw new WorkflowError('conflict', message);
        throw new ConflictError(message, fresh);
      }
      this.repo.save(after);
      this.audit.record({
        at,
        actor: actor.username,
        action: `item.${action}`,
        subject: `item:${before.id}`,
        before,
        after,
      });
      return alongside?.(after);
    })();
    this.changed();
    return { after, also };
  }

  /**
   * The item a reviewer decides on, as it is now; refused (409, with the current item) when it is not the revision
   * they reviewed: a submitter may have changed the text after the card was opened.
   */
  private reviewed(id: string, actor: Actor, revision: number, action: 'approve' | 'reject'): ItemRecord {
    const item = this.get(id, actor);
    if (item.revision !== revision) {
      throw new ConflictError(
        `item "${id}" has changed since you reviewed revision ${revision}: it is now revision ${item.revision} (changed by ${item.updatedBy} at ${item.updatedAt}); review the new content before you ${action} it`,
        item,
      );
    }
    return item;
  }

  async submit(id: string, actor: Actor): Promise<{ item: ItemView; lint: LintSummary }> {
    const before = this.changeable(id, actor);
    if (transition(before.state, 'submit').ok) {
      const issues = this.validateFields(before, '', { windowInFuture: true });
      if (issues.length) throw badRequest(issues);
    }
    const { after } = this.apply(before, 'submit', actor, { rejectionReason: null, decidedBy: null, decidedAt: null });
    return { item: this.view(after), lint: await this.lint(after) };
  }

  /**
   * Reviewers only, and only the revision they reviewed. Refused while the lint finds errors: what goes on a
   * motorway sign must pass every rule. `alongside` runs in the approval's transaction.
   */
  async approve<T = undefined>(
    id: string,
    actor: Actor,
    reviewed: { revision: number },
    alongside?: (after: ItemRecord) => T,
  ): Promise<{ item: ItemView; lint: LintSummary; also: T | undefined }> {
    if (!isReviewer(actor))
      throw new WorkflowError('forbidden', 'only communicators of Vara kommun and admins approve items');
    const before = this.reviewed(id, actor, reviewed.revision, 'approve');
    const t = transition(before.state, 'approve');
    if (!t.ok) throw new ConflictError(`cannot approve "${id}": ${t.reason}`, before);
    const end = before.endsAt ? Date.parse(before.endsAt) : null;
    if (end !== null && end <= this.clock.now()) {
      throw new WorkflowError(
        'conflict',
        `cannot approve "${id}": its window ended at ${before.endsAt}; the submitter can move the window and resubmit`,
      );
    }
    const lint = await this.lint(before);
    const errors = lint.findings.filter((f) => f.severity === 'error');
    if (errors.length) {
      throw new WorkflowError(
        'unprocessable',
        `cannot approve "${id}": it breaks ${errors.length} road-safety rule${errors.length > 1 ? 's' : ''}: ${errors.map((e) => e.message).join('; ')}`,
        errors.map((e) => ({
          field: e.field
            ? e.field === 'dwellSeconds' || e.field === 'infoLink' || e.field.startsWith('window')
              ? e.field
              : `content.${e.field}`
            : 'content',
          message: `${e.message} (${e.signs.join(', ')})`,
        })),
      );
    }
    // The lint ran on `before`; apply() refuses if the item changed while it ran.
    const { after, also } = this.apply(
      before,
      'approve',
      actor,
      { rejectionReason: null, decidedBy: actor.username, decidedAt: this.now() },
      alongside,
    );
    return { item: this.view(after), lint, also };
  }

  reject(id: string, reason: string, actor: Actor, reviewed: { revision: number }): ItemView {
    if (!isReviewer(actor))
      throw new WorkflowError('forbidden', 'only communicators of Vara kommun and admins reject items');
    const before = this.reviewed(id, actor, reviewed.revision, 'reject');
    return this.view(
      this.apply(before, 'reject', actor, {
        rejectionReason: reason,
        decidedBy: actor.username,
        decidedAt: this.now(),
      }).after,
    );
  }

  /** The item's organisation withdraws it, or a reviewer takes it off for good. */
  archive(id: string, actor: Actor): ItemView {
    const before = isReviewer(actor) ? this.get(id, actor) : this.changeable(id, actor);
    return this.view(this.apply(before, 'archive', actor).after);
  }

  /** Pending and approved items whose window has ended become expired. Returns how many. */
  expireDue(actor: Actor): number {
    const due = this.repo.dueForExpiry(this.now());
    for (const item of due) {
      try {
        this.apply(item, 'expire', actor);
      } catch (e: unknown) {
        if (!(e instanceof WorkflowError)) throw e;
      }
    }
    return due.length;
  }

  // --- images

  async uploadImage(
    bytes: Buffer,
    filename: string | null,
    actor: Actor,
    organisation?: Organisation,
  ): Promise<ImageRecord> {
    const r = await this.renderer();
    let imported: ImportedImage;
    try {
      imported = await r.importUpload(bytes, (pixels) => this.decodes.admit(actor.username, pixels));
    } catch (e: unknown) {
      if (e instanceof r.ImageImportError)
        throw new WorkflowError(e.kind, e.message, [{ field: 'file', message: e.message }]);
      throw e;
    }
    const png = imported.toPng();
    const record: ImageRecord = {
      id: `img-${randomBytes(6).toString('hex')}`,
      organisation: organisation ?? actor.organisation,
      width: imported.width,
      height: imported.height,
      sourceFormat: imported.sourceFormat,
      sourceBytes: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      filename: filename ? filename.slice(0, 200) : null,
      uploadedBy: actor.username,
      uploadedAt: this.now(),
    };
    this.db.transaction(() => {
      this.images.insert({ ...record, png });
      this.audit.record({
        at: record.uploadedAt,
        actor: actor.username,
        action: 'image.upload',
        subject: `image:${record.id}`,
        after: record,
      });
    })();
    return record;
  }

  /** Which pictures a caller sees: the same rule as items (own organisation; reviewers also submitted items'). */
  imageScope(actor: Actor): ImageScope {
    const scope = actor.role === 'admin' ? 'all' : actor.role === 'communicator' ? 'reviewer' : 'own';
    return { scope, organisation: actor.organisation };
  }

  canSeeImage(actor: Actor, id: string): boolean {
    return this.images.visible(id, this.imageScope(actor));
  }

  imagePng(id: string, actor: Actor): Buffer {
    // A picture the caller may not see answers like one that does not exist.
    if (!this.canSeeImage(actor, id)) throw new WorkflowError('notFound', `no image "${id}"`);
    return this.images.png(id) as Buffer;
  }
}

function toCheck(fields: ItemFields): ContentToCheck {
  return {
    content: fields.content,
    organisation: fields.organisation,
    dwellSeconds: fields.dwellSeconds,
    infoLink: fields.infoLink,
    showLink: fields.showLink,
  };
}

function summarise(findings: ContentFinding[]): LintSummary {
  return {
    errors: findings.filter((f) => f.severity === 'error').length,
    warnings: findings.filter((f) => f.severity === 'warning').length,
    findings,
  };
}

export function endsAt(fields: Pick<ItemFields, 'content' | 'window'>): string | null {
  const end = windowEnd(effectiveWindow(fields.content, fields.window));
  return end === null ? null : new Date(end).toISOString();
}

/** https, on one of the hosts or a subdomain of one. */
export function linkHostAllowed(url: string, hosts: readonly string[]): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' || u.username || u.password) return false;
  const host = u.hostname.toLowerCase().replace(/\.$/, '');
  return hosts.some((h) => host === h || host.endsWith(`.${h}`));
}

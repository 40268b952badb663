import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DisplayWindow } from '../domain/display-window.ts';
import { Organisation } from '../domain/item-content.ts';
import { SubmittableContent } from '../domain/item-input.ts';
import { ITEM_ACTIONS, ItemState } from '../domain/item-lifecycle.ts';
import { PlaylistFile, PlaylistItem } from '../domain/playlist.ts';
import { PlaylistSettings } from '../domain/playlist-settings.ts';
import { type Principal, Role } from '../domain/roles.ts';
import { HttpError } from './error-handler.ts';

/** Response shapes of the content workflow API; the serializer strips anything not named here. */

export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50).describe('at most this many (1-200)'),
  offset: z.coerce.number().int().min(0).default(0).describe('skip this many'),
});

export const page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.int().describe('how many there are in all'),
    limit: z.int(),
    offset: z.int(),
  });

export const ApiErrorBody = z.object({
  statusCode: z.int(),
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});

/** The usual refusals, so /docs shows them on every route. */
export const errors = (...codes: (400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429)[]) =>
  Object.fromEntries(codes.map((c) => [c, ApiErrorBody])) as Record<number, typeof ApiErrorBody>;

export const UserView = z.object({
  id: z.int(),
  username: z.string(),
  displayName: z.string(),
  organisation: Organisation,
  role: Role,
  disabled: z.boolean(),
  lockedUntil: z.string().nullable().describe('until when some address is shut out after failed sign-ins'),
  mustChangePassword: z.boolean().describe('has a generated password and must choose their own at sign-in'),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const TokenView = z.object({
  id: z.int(),
  name: z.string(),
  prefix: z.string().describe('the start of the token, to recognise it; the secret is never shown again'),
  organisation: Organisation,
  role: Role,
  createdBy: z.string(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});

export const Finding = z.object({
  rule: z.string(),
  severity: z.enum(['error', 'warning']),
  field: z.string().optional(),
  message: z.string(),
  messageSv: z.string(),
  signs: z.array(z.string()),
});

export const LintView = z.object({
  errors: z.int().describe('errors block approval'),
  warnings: z.int(),
  findings: z.array(Finding),
});

export const ItemView = z.object({
  id: z.string(),
  organisation: Organisation,
  state: ItemState,
  content: SubmittableContent,
  window: DisplayWindow.nullable().describe('as given'),
  effectiveWindow: DisplayWindow.describe(
    'as applied: an event without from/until runs from the start of the day (Swedish time) 14 days before it to its start',
  ),
  signs: z.array(z.string()),
  dwellSeconds: z.int(),
  infoLink: z.string(),
  showLink: z.boolean(),
  rejectionReason: z.string().nullable(),
  revision: z.int().describe('counts edits; send it back as expectedRevision to avoid overwriting'),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedBy: z.string(),
  updatedAt: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
  actions: z.array(z.enum(ITEM_ACTIONS)).describe('what the lifecycle allows next (your role may allow less)'),
  previews: z.record(z.string(), z.string()).describe('preview PNG per target sign'),
});

export const ItemWithLint = z.object({ item: ItemView, lint: LintView });

export const ApproveResult = ItemWithLint.extend({
  draft: z
    .object({
      version: z.int().describe('the draft version after the approval (its new ETag)'),
      added: z.boolean().describe('false when the item was in the draft already'),
    })
    .optional()
    .describe('with addToDraft: the playlist draft, changed in the same transaction'),
});

/** 409 from approve/reject: the item has changed since the reviewer saw it (or was decided meanwhile). */
export const ItemConflictBody = ApiErrorBody.extend({
  item: ItemView.optional().describe('the item as it is now: show it to the reviewer before they decide again'),
  lint: LintView.optional(),
});

export const ImageView = z.object({
  id: z.string(),
  organisation: Organisation,
  width: z.int(),
  height: z.int(),
  sourceFormat: z.string(),
  sourceBytes: z.int(),
  sha256: z.string(),
  filename: z.string().nullable(),
  uploadedBy: z.string(),
  uploadedAt: z.string(),
});

export const DraftView = z.object({
  version: z.int().describe('counts saves of the draft; the ETag is "draft-<version>"; send it back in If-Match'),
  name: z.string(),
  settings: PlaylistSettings,
  entries: z.array(
    z.object({
      itemId: z.string(),
      signs: z.array(z.string()).optional(),
      item: z
        .object({ state: z.string(), organisation: z.string(), kind: z.string(), title: z.string(), revision: z.int() })
        .nullable(),
      problem: z.string().nullable().describe('why publishing would refuse this entry'),
    }),
  ),
  updatedBy: z.string().nullable(),
  updatedAt: z.string().nullable(),
  liveRevision: z.int().nullable(),
  publishable: z.boolean(),
});

/** 409 from PUT /api/playlist/draft and POST /api/playlist/publish: the draft changed since the caller's version. */
export const DraftConflictBody = ApiErrorBody.extend({
  draft: DraftView.describe('the draft as it is now: show what changed, then merge or reload'),
});

export const PlaylistDiffView = z.object({
  identical: z.boolean(),
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(z.object({ id: z.string(), fields: z.array(z.string()) })),
  reordered: z.boolean(),
  order: z.object({ before: z.array(z.string()), after: z.array(z.string()) }),
  settings: z.object({ before: PlaylistSettings.nullable(), after: PlaylistSettings }).nullable(),
  name: z.object({ before: z.string().nullable(), after: z.string() }).nullable(),
});

export const RevisionSummary = z.object({
  revision: z.int(),
  publishedBy: z.string(),
  publishedAt: z.string(),
  note: z.string().nullable(),
  rollbackOf: z.int().nullable(),
  itemCount: z.int(),
  live: z.boolean().optional(),
});

export const RevisionView = z.object({
  revision: z.int(),
  publishedBy: z.string(),
  publishedAt: z.string(),
  note: z.string().nullable(),
  rollbackOf: z.int().nullable(),
  live: z.boolean(),
  playlist: PlaylistFile,
});

export const LiveView = z.object({
  revision: z.int(),
  key: z.string().describe('changes whenever what plays changes (a new revision, or an item withdrawn)'),
  publishedAt: z.string(),
  publishedBy: z.string(),
  name: z.string(),
  settings: PlaylistSettings,
  items: z.array(PlaylistItem).describe('what plays: approved exactly as published'),
  withdrawn: z.array(z.string()).describe('published, but since edited, archived, rejected or expired: not played'),
});

export const PublishResult = z.object({ revision: RevisionSummary, diff: PlaylistDiffView });

export const AuditEntryView = z.object({
  id: z.int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  subject: z.string(),
  before: z.unknown(),
  after: z.unknown(),
});

/** The caller; the access policy has already refused anonymous requests to routes that need one. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.user) throw new HttpError(401, 'sign in first');
  return request.user;
}

export const IdParams = z.object({ id: z.string().min(1).max(100) });

import { z } from 'zod';
import { DisplayWindow } from './display-window.ts';
import {
  EventContent,
  ExcursionContent,
  ExhibitionContent,
  ImageContent,
  InfoContent,
  Organisation,
} from './item-content.ts';
import { MIN_DWELL_SECONDS, PlaylistItem } from './playlist.ts';
import { PlaylistSettings } from './playlist-settings.ts';

/** What organisations submit. Crisis messages are not playlist content: they go through /api/crisis. */
export const SubmittableContent = z.discriminatedUnion('kind', [
  EventContent,
  ExhibitionContent,
  ExcursionContent,
  InfoContent,
  ImageContent,
]);
export type SubmittableContent = z.infer<typeof SubmittableContent>;

export const ItemId = PlaylistItem.shape.id;

export const DwellSeconds = z
  .int()
  .min(MIN_DWELL_SECONDS, `at least ${MIN_DWELL_SECONDS} seconds (road-safety minimum)`)
  .max(300)
  .describe('how long the page stays up, seconds (at least 10)');

const SignIds = z
  .array(z.string().min(1))
  .min(1)
  .max(16)
  .describe('target sign ids, e.g. ["E20-N"]; all signs when absent');

/** Body of POST /api/items. */
export const ItemInput = z
  .object({
    id: ItemId.optional().describe('a lower-case slug; made from the title when absent'),
    organisation: Organisation.optional().describe("admins only; the caller's organisation when absent"),
    content: SubmittableContent,
    window: DisplayWindow.optional().describe(
      'for events, from the start of the day (Swedish time) 14 days before to the start time when absent; otherwise always',
    ),
    signs: SignIds.optional(),
    dwellSeconds: DwellSeconds.default(MIN_DWELL_SECONDS),
    infoLink: PlaylistItem.shape.infoLink,
    showLink: z.boolean().default(false).describe('whether the sign shows the link'),
    submit: z.boolean().default(false).describe('submit for review at once instead of saving a draft'),
  })
  .strict();
export type ItemInput = z.infer<typeof ItemInput>;

/** Body of PATCH /api/items/{id}: only the fields given change. An edit of an approved item sends it back to review. */
export const ItemPatch = z
  .object({
    content: SubmittableContent.optional(),
    window: DisplayWindow.nullable().optional().describe('null removes the window (events return to their default)'),
    signs: SignIds.nullable().optional().describe('null targets all signs'),
    dwellSeconds: DwellSeconds.optional(),
    infoLink: PlaylistItem.shape.infoLink.optional(),
    showLink: z.boolean().optional(),
    expectedRevision: z
      .int()
      .min(1)
      .optional()
      .describe('refuse the edit (409) if the item has changed since this revision'),
  })
  .strict()
  .refine((p) => Object.keys(p).some((k) => k !== 'expectedRevision'), {
    message: 'give at least one field to change',
  });
export type ItemPatch = z.infer<typeof ItemPatch>;

/**
 * The revision of the item the reviewer saw: a decision is about that content. If the submitter has changed the item
 * since, the decision is refused (409) and the reviewer sees the new content first.
 */
const ReviewedRevision = z
  .int({
    error: (issue) =>
      issue.input === undefined
        ? 'required: the "revision" of the item as you reviewed it (from GET /api/items/{id})'
        : 'the item\'s "revision" as you reviewed it: a whole number from 1',
  })
  .min(1)
  .describe('the revision you reviewed; if the item has changed since, the answer is 409 with the current item');

/** The body of a decision: a missing or non-object body says what to send; an unknown field is named. */
const reviewBody = (fields: readonly string[]) => ({
  error: (issue: { code?: string; keys?: readonly string[] }) =>
    issue.code === 'unrecognized_keys'
      ? `unknown field${issue.keys && issue.keys.length > 1 ? 's' : ''} ${(issue.keys ?? []).map((k) => `"${k}"`).join(', ')}: the fields are ${fields.map((f) => `"${f}"`).join(', ')}`
      : 'send a JSON body with the "revision" of the item as you reviewed it, e.g. {"revision": 2}',
});

/** Body of POST /api/items/{id}/approve. */
export const ApproveInput = z
  .object(
    {
      revision: ReviewedRevision,
      addToDraft: z
        .boolean()
        .default(false)
        .describe('also append the item to the end of the playlist draft, in the same transaction as the approval'),
    },
    reviewBody(['revision', 'addToDraft']),
  )
  .strict();
export type ApproveInput = z.infer<typeof ApproveInput>;

/** Body of POST /api/items/{id}/reject. */
export const RejectInput = z
  .object(
    {
      reason: z.string().trim().min(3, 'say why, so the submitter can fix it').max(500),
      revision: ReviewedRevision,
    },
    reviewBody(['reason', 'revision']),
  )
  .strict();

/** One line of the shared playlist draft: which item, in this order, optionally on fewer signs than it targets. */
export const DraftEntry = z
  .object({
    itemId: ItemId,
    signs: SignIds.optional().describe("narrow this entry to these signs; the item's own target signs when absent"),
  })
  .strict();
export type DraftEntry = z.infer<typeof DraftEntry>;

/** Body of PUT /api/playlist/draft: ordering, per-sign targeting and settings. */
export const PlaylistDraftInput = z
  .object({
    name: z.string().trim().min(1).max(80).optional(),
    settings: PlaylistSettings.optional(),
    entries: z
      .array(DraftEntry)
      .max(1000)
      .refine((e) => new Set(e.map((x) => x.itemId)).size === e.length, 'each item at most once in the playlist'),
  })
  .strict();
export type PlaylistDraftInput = z.infer<typeof PlaylistDraftInput>;

/** A readable, unique-enough id from an item's title: "Julkonsert i Vara" -> "julkonsert-i-vara-3f9a". */
export function slugFor(content: SubmittableContent, suffix: string): string {
  const base =
    content.kind === 'info'
      ? (content.lines[0] ?? 'info')
      : content.kind === 'image'
        ? (content.caption ?? 'bild')
        : content.title;
  const slug = base
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return `${slug || content.kind}-${suffix}`;
}

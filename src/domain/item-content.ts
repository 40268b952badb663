import { z } from 'zod';

/** The two organisations that share the signs. */
export const ORGANISATIONS = ['kommun', 'konserthus'] as const;
export const Organisation = z.enum(ORGANISATIONS);
export type Organisation = z.infer<typeof Organisation>;

const text = (max: number) => z.string().trim().min(1).max(max);

/** What each item kind shows on a page; the templates in src/render/ draw exactly these fields. */
export const EventContent = z.object({
  kind: z.literal('event'),
  title: text(80),
  performer: text(80).optional(),
  startsAt: z.iso.datetime({ offset: true }).describe('ISO 8601 with offset, e.g. 2026-12-12T19:00:00+01:00'),
  venue: text(60),
  organiser: Organisation,
});

export const ExhibitionContent = z.object({
  kind: z.literal('exhibition'),
  title: text(80),
  where: text(60),
  when: text(60).describe('the date or period as it should read, e.g. "1–20 dec"'),
});

export const ExcursionContent = ExhibitionContent.extend({ kind: z.literal('excursion') });

export const InfoContent = z.object({
  kind: z.literal('info'),
  lines: z.array(text(60)).min(1).max(4),
});

export const ImageContent = z.object({
  kind: z.literal('image'),
  image: text(200).describe('image reference: an uploaded image id, or a path relative to the playlist file'),
  caption: text(60).optional(),
  fit: z.enum(['contain', 'cover']).default('contain'),
});

export const CrisisContent = z.object({
  kind: z.literal('crisis'),
  headline: text(80),
  instruction: text(120),
});

export const ItemContent = z.discriminatedUnion('kind', [
  EventContent,
  ExhibitionContent,
  ExcursionContent,
  InfoContent,
  ImageContent,
  CrisisContent,
]);
export type ItemContent = z.infer<typeof ItemContent>;
export type ItemKind = ItemContent['kind'];

/** What people call an item: its title, its lines, or its picture's caption (the picture's name without one). */
export function contentTitle(content: ItemContent): string {
  switch (content.kind) {
    case 'info':
      return content.lines.join(' / ');
    case 'image':
      return content.caption ?? content.image;
    case 'crisis':
      return content.headline;
    default:
      return content.title;
  }
}

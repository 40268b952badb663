import { z } from 'zod';
import { DisplayWindow } from './display-window.ts';
import { ItemContent, Organisation } from './item-content.ts';
import { DEFAULT_PLAYLIST_SETTINGS, PlaylistSettings } from './playlist-settings.ts';

/** Road-safety floor: a page stays up at least 10 s (Trafikverket/CEDR guidance, see DESIGN.md). */
export const MIN_DWELL_SECONDS = 10;

export const PlaylistItem = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'a lower-case slug, e.g. "valkommen-till-vara"'),
  organisation: Organisation,
  content: ItemContent,
  dwellSeconds: z
    .int()
    .min(MIN_DWELL_SECONDS, `at least ${MIN_DWELL_SECONDS} seconds (road-safety minimum)`)
    .max(300)
    .default(10),
  /** Vara kommun's rule: what is on the sign must be findable on vara.se or varakonserthus.se. */
  infoLink: z
    .url({
      protocol: /^https$/,
      hostname: /(^|\.)(vara\.se|varakonserthus\.se)$/,
      error: 'an https link on vara.se or varakonserthus.se, e.g. "https://vara.se/evenemang"',
    })
    .max(2000)
    // In the JSON Schema too: the hosts an installation may narrow (SKYLT_ALLOWED_LINK_HOSTS), never widen.
    .meta({
      pattern: '^https://([A-Za-z0-9-]+\\.)*(vara\\.se|varakonserthus\\.se)(/|$)',
      description: 'an https link on vara.se or varakonserthus.se (or a subdomain), e.g. "https://vara.se/evenemang"',
    }),
  showLink: z.boolean().default(false),
  signs: z.array(z.string()).min(1).optional().describe('sign ids; all signs when absent'),
  window: DisplayWindow.optional().describe('when the item may be shown; always when absent'),
});
export type PlaylistItem = z.infer<typeof PlaylistItem>;

/** A playlist file (playlists/*.json): the same shape the API takes. */
export const PlaylistFile = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(1),
    name: z.string().min(1).max(80),
    settings: PlaylistSettings.default(DEFAULT_PLAYLIST_SETTINGS),
    items: z
      .array(PlaylistItem)
      .min(1)
      .refine((items) => new Set(items.map((i) => i.id)).size === items.length, 'item ids must be unique'),
  })
  .strict();
export type PlaylistFile = z.infer<typeof PlaylistFile>;

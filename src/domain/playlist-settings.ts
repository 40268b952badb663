import { z } from 'zod';

/** Share of airtime per organisation, in percent of a day's scheduled time; the two must add up to 100. */
export const AirtimeShares = z
  .object({
    kommun: z.number().min(0).max(100),
    konserthus: z.number().min(0).max(100),
  })
  .strict()
  .refine((s) => Math.abs(s.kommun + s.konserthus - 100) < 1e-9, {
    message: 'the shares are percentages of the airtime and must add up to 100, e.g. {"kommun": 50, "konserthus": 50}',
  });
export type AirtimeShares = z.infer<typeof AirtimeShares>;

export const DEFAULT_SHARES: AirtimeShares = { kommun: 50, konserthus: 50 };

/** Settings of the shared playlist that go live with it when it is published. */
export const PlaylistSettings = z
  .object({
    shares: AirtimeShares.default(DEFAULT_SHARES).describe(
      'share of airtime per organisation, percent (default 50/50)',
    ),
  })
  .strict();
export type PlaylistSettings = z.infer<typeof PlaylistSettings>;

export const DEFAULT_PLAYLIST_SETTINGS: PlaylistSettings = { shares: DEFAULT_SHARES };

/**
 * The generic crisis page, kept uploaded in each sign's reserved crisis slot so a takeover is one command
 * (DESIGN.md); and the text every crisis falls back to when its own does not fit a sign.
 */
export const GENERIC_CRISIS = { headline: 'Lyssna på', instruction: 'Sveriges Radio P4' } as const;

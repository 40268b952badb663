import { readFileSync } from 'node:fs';
import { describeIssues } from '../domain/config-error.ts';
import { PlaylistFile } from '../domain/playlist.ts';

export class PlaylistFileError extends Error {
  constructor(
    readonly path: string,
    readonly problems: string[],
  ) {
    super(`${path} is not a valid playlist:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PlaylistFileError';
  }
}

/** Reads and validates a playlist file; every bad field is named in the error. */
export function readPlaylistFile(path: string): PlaylistFile {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error: unknown) {
    throw new PlaylistFileError(path, [(error as Error).message]);
  }
  const parsed = PlaylistFile.safeParse(raw);
  if (!parsed.success) throw new PlaylistFileError(path, describeIssues(parsed.error));
  return parsed.data;
}

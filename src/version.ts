import { readFileSync } from 'node:fs';

/** The package version, read once (package.json is the single source). */
export const VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

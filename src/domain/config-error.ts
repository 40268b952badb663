import type { z } from 'zod';

/** Start-up stops on this; its message names every bad field and what it should be. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration in ${source}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export function describeIssues(error: z.ZodError, prefix = ''): string[] {
  const lines = error.issues.map((issue) => {
    const where = [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || '(top level)';
    return `${where}: ${issue.message}`;
  });
  return [...new Set(lines)];
}

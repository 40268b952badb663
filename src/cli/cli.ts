import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import { ItemInput, PlaylistDraftInput } from '../domain/item-input.ts';
import { PlaylistFile } from '../domain/playlist.ts';
import { VERSION } from '../version.ts';

const USAGE = `usage: skylt <command>

  start                         start Skylt (same as npm start)
  playlist validate FILE        check a playlist file; names every bad field
  playlist import FILE [--publish] [--note TEXT]
                                items become approved (after the lint); the draft becomes the file
  playlist export [FILE] [--draft | --revision N]
                                the live revision (or the draft, or revision N) as a playlist file
  user add|list|disable|enable  users (see "skylt user" for the options)
  token create|list|revoke      API tokens (see "skylt token")
  render FILE [--sign ID] [--out DIR]
                                render an item or playlist file to PNGs
  schemas [--check]             write the JSON Schemas in schemas/ (--check: fail if stale)
  backup FILE                   online backup of the database (safe while Skylt runs)
  restore FILE                  replace the database with a backup (Skylt must be stopped)
  version                       print the version
`;

/** JSON Schemas generated from the zod schemas: one source of truth (CI fails when they are stale). */
export const GENERATED_SCHEMAS: Record<string, z.ZodType> = {
  'playlist.schema.json': PlaylistFile,
  'item.schema.json': ItemInput,
  'playlist-draft.schema.json': PlaylistDraftInput,
};

export function schemaText(schema: z.ZodType): string {
  return `${JSON.stringify(z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12' }), null, 2)}\n`;
}

/**
 * `skylt token list | head`: when the reader goes away, stop quietly with success, as Unix tools do, instead of
 * dying of an unhandled EPIPE with a stack trace.
 */
export function quietOnClosedPipe(stream: NodeJS.WriteStream = process.stdout): void {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command !== 'start' && command !== undefined) quietOnClosedPipe();
  switch (command) {
    case undefined:
    case 'start': {
      const { startSkylt } = await import('../main.ts');
      await startSkylt();
      return 0;
    }
    case 'version':
      console.log(VERSION);
      return 0;
    case 'playlist': {
      const { playlistCommand } = await import('./workflow-commands.ts');
      return playlistCommand(rest);
    }
    case 'user': {
      const { userCommand } = await import('./workflow-commands.ts');
      return userCommand(rest);
    }
    case 'token': {
      const { tokenCommand } = await import('./workflow-commands.ts');
      return tokenCommand(rest);
    }
    case 'schemas':
      return schemasCommand(rest.includes('--check'));
    case 'backup':
    case 'restore':
      return backupCommand(command, rest[0]);
    case 'render': {
      const { renderCommand } = await import('./render-command.ts');
      return renderCommand(rest);
    }
    default:
      console.error(
        command === '--help' || command === 'help' ? USAGE : `skylt: unknown command "${command}"\n\n${USAGE}`,
      );
      return command === '--help' || command === 'help' ? 0 : 2;
  }
}

async function backupCommand(command: 'backup' | 'restore', file: string | undefined): Promise<number> {
  if (!file) {
    console.error(`usage: skylt ${command} FILE`);
    return 2;
  }
  const { loadConfig } = await import('../config.ts');
  const { BackupError, backupDatabase, restoreDatabase } = await import('../store/backup.ts');
  const database = resolve(loadConfig().dataDir, 'skylt.db');
  try {
    if (command === 'backup') {
      const { pages } = await backupDatabase(database, resolve(file));
      console.log(`backed up ${database} to ${file} (${pages} pages)`);
    } else {
      const { version } = restoreDatabase(database, resolve(file));
      console.log(`restored ${file} into ${database} (schema version ${version}); start Skylt to use it`);
    }
    return 0;
  } catch (error: unknown) {
    if (error instanceof BackupError) {
      console.error(`skylt ${command}: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

function schemasCommand(check: boolean): number {
  let stale = 0;
  for (const [name, schema] of Object.entries(GENERATED_SCHEMAS)) {
    const path = resolve('schemas', name);
    const text = schemaText(schema);
    if (check) {
      let current = '';
      try {
        current = readFileSync(path, 'utf8');
      } catch {
        // missing counts as stale
      }
      if (current !== text) {
        console.error(`schemas/${name} is stale: run "npm run schemas"`);
        stale++;
      }
    } else writeFileSync(path, text);
  }
  return stale ? 1 : 0;
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));

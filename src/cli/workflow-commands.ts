import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname, resolve } from 'node:path';
import type { Actor } from '../auth/accounts.ts';
import { loadConfig } from '../config.ts';
import { systemClock } from '../domain/clock.ts';
import { Organisation } from '../domain/item-content.ts';
import type { PlaylistFile } from '../domain/playlist.ts';
import { Refusal } from '../domain/refusal.ts';
import { Role } from '../domain/roles.ts';
import { PlaylistFileError, readPlaylistFile } from '../schedule/playlist-file.ts';
import { openDatabase } from '../store/database.ts';
import { playlistFileProblems } from '../workflow/playlist-checks.ts';
import { Workflow } from '../workflow/workflow.ts';
import { WorkflowError } from '../workflow/workflow-error.ts';

/**
 * `skylt user|token|playlist ...`: the same workflow as the API, on the same SQLite file (SKYLT_DATA_DIR), run by
 * whoever has a shell on the box. The audit log records them as "cli:<os user>".
 */

export interface Io {
  out(text: string): void;
  err(text: string): void;
  readStdin(): Promise<string>;
}

export const consoleIo: Io = {
  out: (t) => process.stdout.write(`${t}\n`),
  err: (t) => process.stderr.write(`${t}\n`),
  readStdin: async () => {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  },
};

export const USER_USAGE = `usage:
  skylt user add USERNAME --org kommun|konserthus --role submitter|communicator|admin [--name "Full Name"] [--password-stdin]
  skylt user list
  skylt user disable USERNAME
  skylt user enable USERNAME`;

export const TOKEN_USAGE = `usage:
  skylt token create NAME --org kommun|konserthus --role submitter|communicator|admin [--expires 2027-12-31T00:00:00Z]
  skylt token list
  skylt token revoke ID|PREFIX`;

export const PLAYLIST_USAGE = `usage:
  skylt playlist validate FILE
  skylt playlist import FILE [--publish] [--note TEXT]
  skylt playlist export [FILE] [--draft | --revision N]   (default: the live revision; stdout without FILE)`;

function actor(): Actor {
  let name = 'unknown';
  try {
    name = userInfo().username;
  } catch {
    // no passwd entry in some containers
  }
  return { username: `cli:${name}`, organisation: 'kommun', role: 'admin' };
}

function flags(
  args: string[],
  valued: string[],
): { positional: string[]; values: Map<string, string>; bools: Set<string> } | string {
  const positional: string[] = [];
  const values = new Map<string, string>();
  const bools = new Set<string>();
  for (let i = 0; i < args.length; i++) {
    const a = args[i] as string;
    if (!a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    const name = a.slice(2);
    if (valued.includes(name)) {
      const v = args[i + 1];
      if (v === undefined || v.startsWith('--')) return `--${name} needs a value`;
      values.set(name, v);
      i++;
    } else bools.add(name);
  }
  return { positional, values, bools };
}

/** Opens the workflow on the configured database for one command, and always closes the database after. */
async function withWorkflow<T>(
  env: NodeJS.ProcessEnv,
  command: (w: ReturnType<typeof openWorkflow>) => Promise<T> | T,
): Promise<T> {
  const w = openWorkflow(env);
  try {
    return await command(w);
  } finally {
    w.close();
  }
}

function openWorkflow(env: NodeJS.ProcessEnv): { workflow: Workflow; close(): void; signIds: string[] } {
  const config = loadConfig(env);
  const db = openDatabase(resolve(config.dataDir, 'skylt.db'));
  const workflow = new Workflow({ db, clock: systemClock, signs: config.signs, settings: config.workflow });
  return { workflow, close: () => db.close(), signIds: config.signs.map((s) => s.id) };
}

/** Runs `fn`, turning the core's refusals into a message and exit code 1. */
async function guarded(io: Io, fn: () => Promise<number> | number): Promise<number> {
  try {
    return await fn();
  } catch (error: unknown) {
    if (error instanceof Refusal) {
      io.err(`skylt: ${error.message}`);
      return 1;
    }
    if (error instanceof Error && (error.name === 'ConfigError' || error.name === 'MigrationError')) {
      io.err(`skylt: ${error.message}`);
      return 1;
    }
    throw error;
  }
}

/** Rows as aligned columns: each padded to its widest value plus two spaces, so long names never run together. */
export function columns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - [...cell].length + 2)))
      .join(''),
  );
}

export async function userCommand(
  args: string[],
  io: Io = consoleIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const parsed = flags(args.slice(1), ['org', 'role', 'name']);
  const sub = args[0];
  if (typeof parsed === 'string' || !sub) {
    io.err(typeof parsed === 'string' ? `skylt user: ${parsed}\n${USER_USAGE}` : USER_USAGE);
    return 2;
  }
  const [username] = parsed.positional;
  return guarded(io, async () => {
    if (sub === 'add') {
      const org = Organisation.safeParse(parsed.values.get('org'));
      const role = Role.safeParse(parsed.values.get('role'));
      if (!username || !org.success || !role.success) {
        io.err(
          `skylt user add: give USERNAME, --org (kommun or konserthus) and --role (submitter, communicator or admin)\n${USER_USAGE}`,
        );
        return 2;
      }
      const password = parsed.bools.has('password-stdin') ? (await io.readStdin()).replace(/\r?\n$/, '') : undefined;
      return withWorkflow(env, async (w) => {
        const { user, generatedPassword } = await w.workflow.accounts.createUser(
          { username, organisation: org.data, role: role.data, displayName: parsed.values.get('name'), password },
          actor(),
        );
        io.out(`created user "${user.username}" (${user.organisation} ${user.role}, id ${user.id})`);
        if (generatedPassword) io.out(`password (shown only now): ${generatedPassword}`);
        return 0;
      });
    }
    if (sub === 'list') {
      return withWorkflow(env, async (w) => {
        const { items } = w.workflow.accounts.listUsers(1000, 0);
        const rows = items.map((u) => [
          String(u.id),
          u.username,
          u.organisation,
          u.role,
          u.disabled
            ? 'disabled'
            : u.lockedUntil && Date.parse(u.lockedUntil) > Date.now()
              ? `locked until ${u.lockedUntil}`
              : 'active',
        ]);
        for (const line of columns([['ID', 'USERNAME', 'ORGANISATION', 'ROLE', 'STATUS'], ...rows])) io.out(line);
        return 0;
      });
    }
    if (sub === 'disable' || sub === 'enable') {
      if (!username) {
        io.err(USER_USAGE);
        return 2;
      }
      return withWorkflow(env, async (w) => {
        const user = w.workflow.accounts.findUser(username);
        if (!user) throw new WorkflowError('notFound', `no user "${username}"`);
        await w.workflow.accounts.updateUser(
          user.id,
          { disabled: sub === 'disable', ...(sub === 'enable' ? { unlock: true } : {}) },
          actor(),
        );
        io.out(`${sub}d user "${user.username}"${sub === 'disable' ? '; their sessions have ended' : ''}`);
        return 0;
      });
    }
    io.err(`skylt user: unknown subcommand "${sub}"\n${USER_USAGE}`);
    return 2;
  });
}

export async function tokenCommand(
  args: string[],
  io: Io = consoleIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const parsed = flags(args.slice(1), ['org', 'role', 'expires']);
  const sub = args[0];
  if (typeof parsed === 'string' || !sub) {
    io.err(typeof parsed === 'string' ? `skylt token: ${parsed}\n${TOKEN_USAGE}` : TOKEN_USAGE);
    return 2;
  }
  const [arg] = parsed.positional;
  return guarded(io, () => {
    if (sub === 'create') {
      const org = Organisation.safeParse(parsed.values.get('org'));
      const role = Role.safeParse(parsed.values.get('role'));
      const expires = parsed.values.get('expires');
      if (!arg || !org.success || !role.success || (expires && Number.isNaN(Date.parse(expires)))) {
        io.err(
          `skylt token create: give NAME, --org (kommun or konserthus), --role (submitter, communicator or admin), and --expires as an ISO date\n${TOKEN_USAGE}`,
        );
        return 2;
      }
      return withWorkflow(env, async (w) => {
        const { token, view } = w.workflow.accounts.createToken(
          {
            name: arg,
            organisation: org.data,
            role: role.data,
            expiresAt: expires ? new Date(expires).toISOString() : undefined,
          },
          actor(),
        );
        io.err(
          `created API token ${view.id} "${view.name}" (${view.organisation} ${view.role}); it is shown only now:`,
        );
        io.out(token);
        return 0;
      });
    }
    if (sub === 'list') {
      return withWorkflow(env, async (w) => {
        const rows = w.workflow.accounts
          .listTokens(1000, 0)
          .items.map((t) => [
            String(t.id),
            t.name,
            t.prefix,
            t.organisation,
            t.role,
            t.revokedAt
              ? `revoked ${t.revokedAt}`
              : t.expiresAt && Date.parse(t.expiresAt) <= Date.now()
                ? 'expired'
                : 'active',
          ]);
        for (const line of columns([['ID', 'NAME', 'PREFIX', 'ORGANISATION', 'ROLE', 'STATUS'], ...rows])) io.out(line);
        return 0;
      });
    }
    if (sub === 'revoke') {
      if (!arg) {
        io.err(TOKEN_USAGE);
        return 2;
      }
      return withWorkflow(env, async (w) => {
        const token = w.workflow.accounts.findToken(arg);
        if (!token)
          throw new WorkflowError(
            'notFound',
            `no API token "${arg}" (give its id or its prefix, see "skylt token list")`,
          );
        const view = w.workflow.accounts.revokeToken(token.id, actor());
        io.out(`revoked API token ${view.id} "${view.name}"`);
        return 0;
      });
    }
    io.err(`skylt token: unknown subcommand "${sub}"\n${TOKEN_USAGE}`);
    return 2;
  });
}

/** validate, import and export, in the format of playlists/*.json (the same the API takes and gives). */
export async function playlistCommand(
  args: string[],
  io: Io = consoleIo,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const parsed = flags(args.slice(1), ['note', 'revision']);
  const sub = args[0];
  if (typeof parsed === 'string' || !sub) {
    io.err(typeof parsed === 'string' ? `skylt playlist: ${parsed}\n${PLAYLIST_USAGE}` : PLAYLIST_USAGE);
    return 2;
  }
  const [file] = parsed.positional;
  const read = (path: string): PlaylistFile | null => {
    try {
      return readPlaylistFile(resolve(path));
    } catch (error: unknown) {
      if (error instanceof PlaylistFileError) {
        io.err(error.message);
        return null;
      }
      throw error;
    }
  };
  return guarded(io, async () => {
    if (sub === 'validate') {
      if (!file) {
        io.err(PLAYLIST_USAGE);
        return 2;
      }
      const playlist = read(file);
      if (!playlist) return 1;
      const config = loadConfig(env);
      const problems = playlistFileProblems(playlist, {
        signIds: config.signs.map((s) => s.id),
        allowedLinkHosts: loadConfig(env).workflow.allowedLinkHosts,
      });
      if (problems.length) {
        io.err(`${file} is not a valid playlist here:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
        return 1;
      }
      io.out(`${file}: valid playlist "${playlist.name}" with ${playlist.items.length} items`);
      return 0;
    }
    if (sub === 'import') {
      if (!file) {
        io.err(PLAYLIST_USAGE);
        return 2;
      }
      const playlist = read(file);
      if (!playlist) return 1;
      return withWorkflow(env, async (w) => {
        const resolved = await importLocalImages(w.workflow, playlist, dirname(resolve(file)), io);
        const r = await w.workflow.playlist.importFile(resolved, actor(), {
          publish: parsed.bools.has('publish'),
          note: parsed.values.get('note') ?? null,
        });
        io.out(
          `imported "${playlist.name}": ${r.created.length} created, ${r.updated.length} updated, ${r.unchanged.length} unchanged; the draft is the file`,
        );
        if (r.revision) io.out(`published revision ${r.revision.revision}`);
        else if (parsed.bools.has('publish')) io.out('nothing to publish: the live revision already matches');
        return 0;
      });
    }
    if (sub === 'export') {
      const revision = parsed.values.get('revision');
      if (revision !== undefined && !/^\d+$/.test(revision)) {
        io.err(`skylt playlist export: --revision needs a number\n${PLAYLIST_USAGE}`);
        return 2;
      }
      return withWorkflow(env, async (w) => {
        const which = parsed.bools.has('draft') ? 'draft' : revision ? Number(revision) : 'live';
        const { file: out, skipped } = w.workflow.playlist.exportFile(which);
        for (const s of skipped) io.err(`skipped: ${s}`);
        const text = `${JSON.stringify(out, null, 2)}\n`;
        if (file) {
          writeFileSync(resolve(file), text);
          io.err(`wrote ${file} (${out.items.length} items)`);
        } else io.out(text.trimEnd());
        return 0;
      });
    }
    io.err(`skylt playlist: unknown subcommand "${sub}"\n${PLAYLIST_USAGE}`);
    return 2;
  });
}

/** An image item may name a picture file next to the playlist; it is uploaded and the item points at the upload. */
async function importLocalImages(
  workflow: Workflow,
  playlist: PlaylistFile,
  baseDir: string,
  io: Io,
): Promise<PlaylistFile> {
  const items = [];
  for (const item of playlist.items) {
    const c = item.content;
    if (c.kind === 'image' && !workflow.items.images.byId(c.image)) {
      const path = resolve(baseDir, c.image);
      if (existsSync(path)) {
        const image = await workflow.items.uploadImage(readFileSync(path), c.image, actor(), item.organisation);
        io.err(`uploaded ${c.image} as ${image.id}`);
        items.push({ ...item, content: { ...c, image: image.id } });
        continue;
      }
    }
    items.push(item);
  }
  return { ...playlist, items };
}

import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The generated first-start password, in a file only the owner can read (0600), written whole or not at all:
 * stdout is the log under systemd and Docker, so the password never goes there. Returns where it is.
 */
export function writeFirstAdminPassword(dataDir: string, username: string, password: string): string {
  const path = resolve(join(dataDir, 'first-admin-password.txt'));
  // A new file (flag wx) so the mode applies: an old file of the same name could be readable by others.
  rmSync(path, { force: true });
  writeFileSync(
    path,
    `Skylt: the first admin user "${username}" has this one-time password. Sign in with it and choose your own.\n${password}\n`,
    { mode: 0o600, flag: 'wx' },
  );
  return path;
}

import type { Organisation } from '../domain/item-content.ts';
import type { Role } from '../domain/roles.ts';
import type { Db } from './database.ts';

export interface UserRecord {
  id: number;
  username: string;
  displayName: string;
  organisation: Organisation;
  role: Role;
  passwordHash: string;
  failedLogins: number;
  lockedUntil: string | null;
  disabledAt: string | null;
  /** A generated password (first start, admin reset): the user must choose their own at the next sign-in. */
  mustChangePassword: boolean;
  createdAt: string;
  updatedAt: string;
}

const toUser = (r: Record<string, unknown>): UserRecord => ({
  id: r.id as number,
  username: r.username as string,
  displayName: r.display_name as string,
  organisation: r.organisation as Organisation,
  role: r.role as Role,
  passwordHash: r.password_hash as string,
  failedLogins: r.failed_logins as number,
  lockedUntil: (r.locked_until as string | null) ?? null,
  disabledAt: (r.disabled_at as string | null) ?? null,
  mustChangePassword: r.must_change_password === 1,
  createdAt: r.created_at as string,
  updatedAt: r.updated_at as string,
});

export function userRepository(db: Db) {
  const byId = db.prepare('SELECT * FROM users WHERE id = ?');
  const byName = db.prepare('SELECT * FROM users WHERE username = ?');
  const page = db.prepare('SELECT * FROM users ORDER BY id LIMIT ? OFFSET ?');
  const count = db.prepare('SELECT count(*) FROM users').pluck();
  const insert = db.prepare(
    `INSERT INTO users (username, display_name, organisation, role, password_hash, must_change_password, created_at, updated_at)
     VALUES (@username, @displayName, @organisation, @role, @passwordHash, @mustChange, @at, @at)`,
  );
  const update = db.prepare(
    `UPDATE users SET display_name = @displayName, organisation = @organisation, role = @role, password_hash = @passwordHash,
       failed_logins = @failedLogins, locked_until = @lockedUntil, disabled_at = @disabledAt,
       must_change_password = @mustChange, updated_at = @updatedAt
     WHERE id = @id`,
  );
  return {
    byId(id: number): UserRecord | null {
      const r = byId.get(id) as Record<string, unknown> | undefined;
      return r ? toUser(r) : null;
    },
    byUsername(username: string): UserRecord | null {
      const r = byName.get(username) as Record<string, unknown> | undefined;
      return r ? toUser(r) : null;
    },
    list(limit: number, offset: number): { rows: UserRecord[]; total: number } {
      return { rows: (page.all(limit, offset) as Record<string, unknown>[]).map(toUser), total: count.get() as number };
    },
    count(): number {
      return count.get() as number;
    },
    insert(
      u: Pick<UserRecord, 'username' | 'displayName' | 'organisation' | 'role' | 'passwordHash'> & {
        mustChangePassword?: boolean;
      },
      at: string,
    ): UserRecord {
      const { mustChangePassword, ...fields } = u;
      const id = Number(insert.run({ ...fields, mustChange: mustChangePassword ? 1 : 0, at }).lastInsertRowid);
      return this.byId(id) as UserRecord;
    },
    save(u: UserRecord): void {
      const { mustChangePassword, ...fields } = u;
      update.run({ ...fields, mustChange: mustChangePassword ? 1 : 0 });
    },
  };
}
export type UserRepository = ReturnType<typeof userRepository>;

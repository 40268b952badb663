import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../domain/clock.ts';
import type { Organisation } from '../domain/item-content.ts';
import { type Principal, type Role, roleProblem } from '../domain/roles.ts';
import type { AuditRepository } from '../store/audit-repository.ts';
import type { Db } from '../store/database.ts';
import { type SessionRepository, sessionRepository } from '../store/session-repository.ts';
import { storeFaultOf } from '../store/store-health.ts';
import { type TokenRecord, type TokenRepository, tokenRepository } from '../store/token-repository.ts';
import { type UserRecord, type UserRepository, userRepository } from '../store/user-repository.ts';
import { badRequest, WorkflowError } from '../workflow/workflow-error.ts';
import type { WorkflowSettings } from '../workflow/workflow-settings.ts';
import {
  dummyHash,
  generatePassword,
  hashPassword,
  hashPasswordSync,
  passwordProblem,
  randomToken,
  safeEqual,
  sha256,
  verifyPassword,
} from './password.ts';

/** Who did something, for the audit log: a principal, the command line on the box, or Skylt itself. */
export type Actor = Pick<Principal, 'username' | 'organisation' | 'role'>;

export const SYSTEM_ACTOR: Actor = { username: 'system', organisation: 'kommun', role: 'admin' };

export const Username = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$/, '2-64 letters, digits, ".", "_", "@" or "-", e.g. "anna.k"');

/** A user as the API shows it: never the hash. */
export interface UserView {
  id: number;
  username: string;
  displayName: string;
  organisation: Organisation;
  role: Role;
  disabled: boolean;
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface TokenView {
  id: number;
  name: string;
  /** The token's public part: enough to recognise it, useless without the secret. */
  prefix: string;
  organisation: Organisation;
  role: Role;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

export const userView = (u: UserRecord): UserView => ({
  id: u.id,
  username: u.username,
  displayName: u.displayName,
  organisation: u.organisation,
  role: u.role,
  disabled: u.disabledAt !== null,
  lockedUntil: u.lockedUntil,
  createdAt: u.createdAt,
  updatedAt: u.updatedAt,
});

export const tokenView = (t: TokenRecord): TokenView => ({
  id: t.id,
  name: t.name,
  prefix: `skylt_${t.lookup}`,
  organisation: t.organisation,
  role: t.role,
  createdBy: t.createdBy,
  createdAt: t.createdAt,
  expiresAt: t.expiresAt,
  revokedAt: t.revokedAt,
  lastUsedAt: t.lastUsedAt,
});

export interface NewSession {
  /** The cookie value: shown to the browser, stored only as a hash. */
  cookie: string;
  csrfToken: string;
  expiresAt: string;
  user: UserView;
}

export interface SessionPrincipal {
  principal: Principal;
  csrfToken: string;
  idHash: string;
  expiresAt: string;
}

const TOUCH_EVERY_MS = 60_000;
const TOKEN_RE = /^skylt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** Users, sessions and API tokens, with every change in the audit log. */
export class Accounts {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly tokens: TokenRepository;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly audit: AuditRepository,
    private readonly settings: WorkflowSettings,
  ) {
    this.users = userRepository(db);
    this.sessions = sessionRepository(db);
    this.tokens = tokenRepository(db);
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /**
   * First start: with no users at all, create "admin" from SKYLT_ADMIN_PASSWORD, or with a generated password that
   * is handed to `print` once (stdout, never the log). Returns the username when one was created.
   */
  ensureFirstAdmin(print: (text: string) => void): string | null {
    if (this.users.count() > 0) return null;
    const given = this.settings.adminPassword;
    const password = given ?? generatePassword();
    const passwordHash = hashPasswordSync(password, this.settings.scryptLog2N);
    const created = this.db.transaction(() => {
      if (this.users.count() > 0) return null;
      const user = this.users.insert(
        { username: 'admin', displayName: 'Administratör', organisation: 'kommun', role: 'admin', passwordHash },
        this.now(),
      );
      this.audit.record({
        at: this.now(),
        actor: SYSTEM_ACTOR.username,
        action: 'user.create',
        subject: `user:${user.username}`,
        after: userView(user),
      });
      return user;
    })();
    if (!created) return null;
    if (!given) {
      print(
        `\nSkylt first start: created user "admin" with the password\n\n    ${password}\n\nIt is shown only this once. Sign in and change it (POST /api/auth/password), or set SKYLT_ADMIN_PASSWORD before the first start.\n\n`,
      );
    }
    return created.username;
  }

  // --- users

  async createUser(
    input: {
      username: string;
      displayName?: string | undefined;
      organisation: Organisation;
      role: Role;
      password?: string | undefined;
    },
    actor: Actor,
  ): Promise<{ user: UserView; generatedPassword: string | null }> {
    const problem = roleProblem(input.organisation, input.role);
    if (problem) throw badRequest([{ field: 'role', message: problem }]);
    if (input.password !== undefined) {
      const p = passwordProblem(input.password);
      if (p) throw badRequest([{ field: 'password', message: p }]);
    }
    const parsedName = Username.safeParse(input.username);
    if (!parsedName.success)
      throw badRequest([{ field: 'username', message: parsedName.error.issues[0]?.message ?? 'invalid' }]);
    const username = parsedName.data;
    if (this.users.byUsername(username))
      throw new WorkflowError(409, `a user "${username}" exists already`, [{ field: 'username', message: 'taken' }]);
    const password = input.password ?? generatePassword();
    const passwordHash = await hashPassword(password, this.settings.scryptLog2N);
    const user = this.db.transaction(() => {
      if (this.users.byUsername(username))
        throw new WorkflowError(409, `a user "${username}" exists already`, [{ field: 'username', message: 'taken' }]);
      const u = this.users.insert(
        {
          username,
          displayName: input.displayName ?? '',
          organisation: input.organisation,
          role: input.role,
          passwordHash,
        },
        this.now(),
      );
      this.audit.record({
        at: this.now(),
        actor: actor.username,
        action: 'user.create',
        subject: `user:${u.username}`,
        after: userView(u),
      });
      return u;
    })();
    return { user: userView(user), generatedPassword: input.password === undefined ? password : null };
  }

  listUsers(limit: number, offset: number): { items: UserView[]; total: number } {
    const { rows, total } = this.users.list(limit, offset);
    return { items: rows.map(userView), total };
  }

  getUser(id: number): UserView {
    const u = this.users.byId(id);
    if (!u) throw new WorkflowError(404, `no user with id ${id}`);
    return userView(u);
  }

  findUser(idOrName: string): UserRecord | null {
    return /^\d+$/.test(idOrName) ? this.users.byId(Number(idOrName)) : this.users.byUsername(idOrName);
  }

  /** Changes a user; disabling ends their sessions at once. The last active admin cannot be disabled or demoted. */
  async updateUser(
    id: number,
    patch: {
      displayName?: string | undefined;
      organisation?: Organisation | undefined;
      role?: Role | undefined;
      disabled?: boolean | undefined;
      password?: string | undefined;
      unlock?: boolean | undefined;
    },
    actor: Actor,
  ): Promise<UserView> {
    if (patch.password !== undefined) {
      const p = passwordProblem(patch.password);
      if (p) throw badRequest([{ field: 'password', message: p }]);
    }
    const passwordHash =
      patch.password !== undefined ? await hashPassword(patch.password, this.settings.scryptLog2N) : null;
    return this.db.transaction(() => {
      const before = this.users.byId(id);
      if (!before) throw new WorkflowError(404, `no user with id ${id}`);
      const after: UserRecord = {
        ...before,
        displayName: patch.displayName ?? before.displayName,
        organisation: patch.organisation ?? before.organisation,
        role: patch.role ?? before.role,
        passwordHash: passwordHash ?? before.passwordHash,
        disabledAt:
          patch.disabled === undefined ? before.disabledAt : patch.disabled ? (before.disabledAt ?? this.now()) : null,
        failedLogins: patch.unlock || passwordHash ? 0 : before.failedLogins,
        lockedUntil: patch.unlock || passwordHash ? null : before.lockedUntil,
        updatedAt: this.now(),
      };
      const problem = roleProblem(after.organisation, after.role);
      if (problem) throw badRequest([{ field: 'role', message: problem }]);
      const wasActiveAdmin = before.role === 'admin' && before.disabledAt === null;
      const isActiveAdmin = after.role === 'admin' && after.disabledAt === null;
      if (wasActiveAdmin && !isActiveAdmin && this.activeAdmins() <= 1) {
        throw new WorkflowError(409, `"${before.username}" is the last active admin: make another user admin first`);
      }
      this.users.save(after);
      if (after.disabledAt !== null || passwordHash) this.sessions.removeForUser(id);
      this.audit.record({
        at: this.now(),
        actor: actor.username,
        action: patch.disabled === true && before.disabledAt === null ? 'user.disable' : 'user.update',
        subject: `user:${before.username}`,
        before: userView(before),
        after: { ...userView(after), ...(passwordHash ? { passwordChanged: true } : {}) },
      });
      return userView(after);
    })();
  }

  private activeAdmins(): number {
    return this.db
      .prepare("SELECT count(*) FROM users WHERE role = 'admin' AND disabled_at IS NULL")
      .pluck()
      .get() as number;
  }

  // --- sessions

  /**
   * Checks a password. A wrong one counts towards the account's lockout; an unknown user costs the same time as a
   * known one, and gets the same answer.
   */
  async login(username: string, password: string): Promise<NewSession> {
    const user = this.users.byUsername(username.trim());
    const wrong = () => new WorkflowError(401, 'wrong username or password');
    if (!user) {
      await verifyPassword(password, await dummyHash(this.settings.scryptLog2N));
      this.audit.record({
        at: this.now(),
        actor: 'anonymous',
        action: 'session.login-failed',
        subject: `user:${username.slice(0, 64)}`,
        after: { reason: 'unknown user' },
      });
      throw wrong();
    }
    const now = this.clock.now();
    if (user.lockedUntil && Date.parse(user.lockedUntil) > now) {
      throw new WorkflowError(
        429,
        `the account "${user.username}" is locked after ${this.settings.lockoutFailures} failed logins until ${user.lockedUntil}; wait, or ask an admin to unlock it`,
      );
    }
    const ok = await verifyPassword(password, user.passwordHash);
    if (!ok) {
      this.db.transaction(() => {
        const fresh = this.users.byId(user.id) ?? user;
        const failures = fresh.failedLogins + 1;
        const locks = failures >= this.settings.lockoutFailures;
        this.users.save({
          ...fresh,
          failedLogins: locks ? 0 : failures,
          lockedUntil: locks ? new Date(now + this.settings.lockoutMs).toISOString() : fresh.lockedUntil,
        });
        this.audit.record({
          at: this.now(),
          actor: 'anonymous',
          action: locks ? 'user.locked' : 'session.login-failed',
          subject: `user:${user.username}`,
          after: { failures, ...(locks ? { lockedForMinutes: this.settings.lockoutMs / 60_000 } : {}) },
        });
      })();
      throw wrong();
    }
    if (user.disabledAt) throw new WorkflowError(403, `the account "${user.username}" is disabled; ask an admin`);
    const cookie = randomToken();
    const csrfToken = randomToken();
    const at = this.now();
    const expiresAt = new Date(now + this.settings.sessionMs).toISOString();
    this.db.transaction(() => {
      this.sessions.removeExpired(at);
      this.sessions.insert({
        idHash: sha256(cookie),
        userId: user.id,
        csrfToken,
        createdAt: at,
        expiresAt,
        lastSeenAt: at,
      });
      if (user.failedLogins > 0 || user.lockedUntil) this.users.save({ ...user, failedLogins: 0, lockedUntil: null });
      this.audit.record({ at, actor: user.username, action: 'session.login', subject: `user:${user.username}` });
    })();
    return { cookie, csrfToken, expiresAt, user: userView(user) };
  }

  /** The principal behind a session cookie, or null when it is unknown, expired, or its user is disabled. */
  session(cookie: string): SessionPrincipal | null {
    const idHash = sha256(cookie);
    const s = this.sessions.byHash(idHash);
    if (!s) return null;
    const now = this.clock.now();
    if (Date.parse(s.expiresAt) <= now) {
      this.sessions.remove(idHash);
      return null;
    }
    const user = this.users.byId(s.userId);
    if (!user || user.disabledAt) return null;
    if (now - Date.parse(s.lastSeenAt) > TOUCH_EVERY_MS)
      touch(() => this.sessions.touch(idHash, new Date(now).toISOString()));
    return {
      principal: {
        kind: 'session',
        id: user.id,
        username: user.username,
        organisation: user.organisation,
        role: user.role,
      },
      csrfToken: s.csrfToken,
      idHash,
      expiresAt: s.expiresAt,
    };
  }

  logout(idHash: string, actor: Actor): void {
    this.db.transaction(() => {
      this.sessions.remove(idHash);
      this.audit.record({
        at: this.now(),
        actor: actor.username,
        action: 'session.logout',
        subject: `user:${actor.username}`,
      });
    })();
  }

  async changePassword(userId: number, current: string, next: string, keepSession: string): Promise<void> {
    const user = this.users.byId(userId);
    if (!user) throw new WorkflowError(404, 'no such user');
    if (!(await verifyPassword(current, user.passwordHash))) {
      throw new WorkflowError(403, 'the current password is wrong', [
        { field: 'currentPassword', message: 'wrong password' },
      ]);
    }
    const p = passwordProblem(next);
    if (p) throw badRequest([{ field: 'newPassword', message: p }]);
    const passwordHash = await hashPassword(next, this.settings.scryptLog2N);
    this.db.transaction(() => {
      this.users.save({ ...user, passwordHash, updatedAt: this.now() });
      // Other sessions end: a changed password is often a response to a leaked one.
      this.db.prepare('DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?').run(userId, keepSession);
      this.audit.record({
        at: this.now(),
        actor: user.username,
        action: 'user.password',
        subject: `user:${user.username}`,
        after: { passwordChanged: true },
      });
    })();
  }

  // --- API tokens

  /** Creates a Bearer token scoped to an organisation and a role. The token itself is returned once and never stored. */
  createToken(
    input: { name: string; organisation: Organisation; role: Role; expiresAt?: string | undefined },
    actor: Actor,
  ): { token: string; view: TokenView } {
    const problem = roleProblem(input.organisation, input.role);
    if (problem) throw badRequest([{ field: 'role', message: problem }]);
    if (input.expiresAt && Date.parse(input.expiresAt) <= this.clock.now()) {
      throw badRequest([{ field: 'expiresAt', message: 'must be in the future' }]);
    }
    const lookup = randomBytes(6).toString('hex');
    const secret = randomToken(32);
    const record = this.db.transaction(() => {
      const t = this.tokens.insert({
        name: input.name,
        lookup,
        secretHash: sha256(secret),
        organisation: input.organisation,
        role: input.role,
        createdBy: actor.username,
        createdAt: this.now(),
        expiresAt: input.expiresAt ? new Date(input.expiresAt).toISOString() : null,
      });
      this.audit.record({
        at: this.now(),
        actor: actor.username,
        action: 'token.create',
        subject: `token:${t.id}`,
        after: tokenView(t),
      });
      return t;
    })();
    return { token: `skylt_${lookup}_${secret}`, view: tokenView(record) };
  }

  listTokens(limit: number, offset: number): { items: TokenView[]; total: number } {
    const { rows, total } = this.tokens.list(limit, offset);
    return { items: rows.map(tokenView), total };
  }

  findToken(idOrPrefix: string): TokenRecord | null {
    if (/^\d+$/.test(idOrPrefix)) return this.tokens.byId(Number(idOrPrefix));
    const m = /^skylt_([0-9a-f]{12})/.exec(idOrPrefix);
    return m?.[1] ? this.tokens.byLookup(m[1]) : null;
  }

  revokeToken(id: number, actor: Actor): TokenView {
    return this.db.transaction(() => {
      const before = this.tokens.byId(id);
      if (!before) throw new WorkflowError(404, `no API token with id ${id}`);
      if (before.revokedAt)
        throw new WorkflowError(409, `API token ${id} ("${before.name}") was revoked already at ${before.revokedAt}`);
      this.tokens.revoke(id, this.now());
      const after = this.tokens.byId(id) as TokenRecord;
      this.audit.record({
        at: this.now(),
        actor: actor.username,
        action: 'token.revoke',
        subject: `token:${id}`,
        before: tokenView(before),
        after: tokenView(after),
      });
      return tokenView(after);
    })();
  }

  /** The principal behind a Bearer token, or null when it is malformed, unknown, revoked or expired. */
  tokenPrincipal(bearer: string): Principal | null {
    const m = TOKEN_RE.exec(bearer.trim());
    if (!m?.[1] || !m[2]) return null;
    const t = this.tokens.byLookup(m[1]);
    if (!t || !safeEqual(sha256(m[2]), t.secretHash)) return null;
    const now = this.clock.now();
    if (t.revokedAt || (t.expiresAt && Date.parse(t.expiresAt) <= now)) return null;
    if (!t.lastUsedAt || now - Date.parse(t.lastUsedAt) > TOUCH_EVERY_MS)
      touch(() => this.tokens.touch(t.id, new Date(now).toISOString()));
    return { kind: 'token', id: t.id, username: `token:${t.name}`, organisation: t.organisation, role: t.role };
  }
}

/**
 * "Last used" bookkeeping on a read: with the disk full or the database read-only it cannot be written, and that
 * must not turn every signed-in read into an error (the writes themselves are refused with a 503).
 */
function touch(write: () => void): void {
  try {
    write();
  } catch (error: unknown) {
    if (!storeFaultOf(error)) throw error;
  }
}

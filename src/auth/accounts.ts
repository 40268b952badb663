import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../domain/clock.ts';
import type { Organisation } from '../domain/item-content.ts';
import { invalidFields, Refusal } from '../domain/refusal.ts';
import { type Principal, type Role, roleProblem } from '../domain/roles.ts';
import type { AuditRepository } from '../store/audit-repository.ts';
import type { Db } from '../store/database.ts';
import { type LoginFailureRepository, loginFailureRepository } from '../store/login-failure-repository.ts';
import { type SessionRepository, sessionRepository } from '../store/session-repository.ts';
import { storeFaultOf } from '../store/store-health.ts';
import { type TokenRecord, type TokenRepository, tokenRepository } from '../store/token-repository.ts';
import { type UserRecord, type UserRepository, userRepository } from '../store/user-repository.ts';
import {
  dummyHash,
  generatePassword,
  hashPassword,
  passwordProblem,
  randomToken,
  safeEqual,
  sha256,
  verifyPassword,
} from './password.ts';

/** Who did something, for the audit log: a principal, the command line on the box, or Skylt itself. */
export type Actor = Pick<Principal, 'username' | 'organisation' | 'role'>;

/** What accounts need to know of the settings (SKYLT_*; src/workflow/workflow-settings.ts reads them). */
export interface AccountSettings {
  /** SKYLT_ADMIN_PASSWORD: the first admin's password, or null to generate one. */
  adminPassword: string | null;
  sessionMs: number;
  lockoutFailures: number;
  lockoutMs: number;
  scryptLog2N: number;
}

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
  /** Until when some address is shut out of this account after failed sign-ins (an admin can unlock). */
  lockedUntil: string | null;
  /** Signed in with a generated password: must choose their own before changing anything. */
  mustChangePassword: boolean;
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
  mustChangePassword: u.mustChangePassword,
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
  mustChangePassword: boolean;
}

/** Sign-in throttling: the key a failure is counted under. Case and spaces do not make a new name to guess with. */
export const throttleKey = (username: string): string => username.trim().toLowerCase().slice(0, 64);

/**
 * When many addresses are locked out of one account (a guessing attack spread over many machines), every further
 * attempt on it waits this long before its answer: guessing slows to a crawl, the owner still gets in.
 */
export function spreadAttackDelayMs(lockedClients: number): number {
  return lockedClients < 3 ? 0 : Math.min(250 * 2 ** (lockedClients - 3), 4000);
}

const TOUCH_EVERY_MS = 60_000;
const TOKEN_RE = /^skylt_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** Users, sessions and API tokens, with every change in the audit log. */
export class Accounts {
  readonly users: UserRepository;
  readonly sessions: SessionRepository;
  readonly tokens: TokenRepository;
  readonly loginFailures: LoginFailureRepository;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly audit: AuditRepository,
    private readonly settings: AccountSettings,
  ) {
    this.users = userRepository(db);
    this.sessions = sessionRepository(db);
    this.tokens = tokenRepository(db);
    this.loginFailures = loginFailureRepository(db);
  }

  /** A user as the API shows it, with the latest lockout of the account from any address. */
  private view(u: UserRecord): UserView {
    return { ...userView(u), lockedUntil: this.loginFailures.lockedUntil(throttleKey(u.username), this.now()) };
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  /**
   * First start: with no users at all, create "admin" from SKYLT_ADMIN_PASSWORD, or with a generated password that
   * the caller hands to the operator (a file only its owner can read: never stdout, which is the log under systemd
   * and Docker). A generated password must be changed at the first sign-in. Returns what was created, or null.
   */
  async ensureFirstAdmin(): Promise<{ username: string; generatedPassword: string | null } | null> {
    if (this.users.count() > 0) return null;
    const given = this.settings.adminPassword;
    const password = given ?? generatePassword();
    // Off the event loop (libuv's thread pool): at first start the signs come up while the hash is made.
    const passwordHash = await hashPassword(password, this.settings.scryptLog2N);
    const created = this.db.transaction(() => {
      if (this.users.count() > 0) return null;
      const user = this.users.insert(
        {
          username: 'admin',
          displayName: 'Administratör',
          organisation: 'kommun',
          role: 'admin',
          passwordHash,
          mustChangePassword: !given,
        },
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
    return { username: created.username, generatedPassword: given ? null : password };
  }

  // --- users

  async createUser(
    input: {
      username: string;
      displayName?: string | undefined;
      organisation: Organisation;
      role: Role;
      password?: string | undefined;
      /** Default: when the password is generated. */
      mustChangePassword?: boolean | undefined;
    },
    actor: Actor,
  ): Promise<{ user: UserView; generatedPassword: string | null }> {
    const problem = roleProblem(input.organisation, input.role);
    if (problem) throw invalidFields([{ field: 'role', message: problem }]);
    if (input.password !== undefined) {
      const p = passwordProblem(input.password);
      if (p) throw invalidFields([{ field: 'password', message: p }]);
    }
    const parsedName = Username.safeParse(input.username);
    if (!parsedName.success)
      throw invalidFields([{ field: 'username', message: parsedName.error.issues[0]?.message ?? 'invalid' }]);
    const username = parsedName.data;
    if (this.users.byUsername(username))
      throw new Refusal('conflict', `a user "${username}" exists already`, [{ field: 'username', message: 'taken' }]);
    const password = input.password ?? generatePassword();
    const passwordHash = await hashPassword(password, this.settings.scryptLog2N);
    const user = this.db.transaction(() => {
      if (this.users.byUsername(username))
        throw new Refusal('conflict', `a user "${username}" exists already`, [{ field: 'username', message: 'taken' }]);
      const u = this.users.insert(
        {
          username,
          displayName: input.displayName ?? '',
          organisation: input.organisation,
          role: input.role,
          passwordHash,
          // A generated password is only a way in: the user chooses their own at the first sign-in.
          mustChangePassword: input.mustChangePassword ?? input.password === undefined,
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
    return { user: this.view(user), generatedPassword: input.password === undefined ? password : null };
  }

  listUsers(limit: number, offset: number): { items: UserView[]; total: number } {
    const { rows, total } = this.users.list(limit, offset);
    return { items: rows.map((u) => this.view(u)), total };
  }

  getUser(id: number): UserView {
    const u = this.users.byId(id);
    if (!u) throw new Refusal('notFound', `no user with id ${id}`);
    return this.view(u);
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
      if (p) throw invalidFields([{ field: 'password', message: p }]);
    }
    const passwordHash =
      patch.password !== undefined ? await hashPassword(patch.password, this.settings.scryptLog2N) : null;
    return this.db.transaction(() => {
      const before = this.users.byId(id);
      if (!before) throw new Refusal('notFound', `no user with id ${id}`);
      const after: UserRecord = {
        ...before,
        displayName: patch.displayName ?? before.displayName,
        organisation: patch.organisation ?? before.organisation,
        role: patch.role ?? before.role,
        passwordHash: passwordHash ?? before.passwordHash,
        disabledAt:
          patch.disabled === undefined ? before.disabledAt : patch.disabled ? (before.disabledAt ?? this.now()) : null,
        // A password an admin sets for someone else is a way in, not theirs: they choose their own at sign-in.
        mustChangePassword: passwordHash ? true : before.mustChangePassword,
        updatedAt: this.now(),
      };
      const problem = roleProblem(after.organisation, after.role);
      if (problem) throw invalidFields([{ field: 'role', message: problem }]);
      const wasActiveAdmin = before.role === 'admin' && before.disabledAt === null;
      const isActiveAdmin = after.role === 'admin' && after.disabledAt === null;
      if (wasActiveAdmin && !isActiveAdmin && this.activeAdmins() <= 1) {
        throw new Refusal('conflict', `"${before.username}" is the last active admin: make another user admin first`);
      }
      this.users.save(after);
      if (patch.unlock || passwordHash) this.loginFailures.clearUsername(throttleKey(before.username));
      if (after.disabledAt !== null || passwordHash) this.sessions.removeForUser(id);
      this.audit.record({
        at: this.now(),
        actor: actor.username,
        action: patch.disabled === true && before.disabledAt === null ? 'user.disable' : 'user.update',
        subject: `user:${before.username}`,
        before: userView(before),
        after: {
          ...userView(after),
          ...(passwordHash ? { passwordChanged: true } : {}),
          ...(patch.unlock ? { unlocked: true } : {}),
        },
      });
      return this.view(after);
    })();
  }

  /**
   * An admin's "new password" for someone who forgot theirs: a generated one-time password, shown once to the
   * admin to pass on; it works for one sign-in, after which the user must choose their own. Sessions end, locks go.
   */
  async resetPassword(id: number, actor: Actor): Promise<{ user: UserView; generatedPassword: string }> {
    const password = generatePassword();
    const passwordHash = await hashPassword(password, this.settings.scryptLog2N);
    return this.db.transaction(() => {
      const before = this.users.byId(id);
      if (!before) throw new Refusal('notFound', `no user with id ${id}`);
      const after: UserRecord = { ...before, passwordHash, mustChangePassword: true, updatedAt: this.now() };
      this.users.save(after);
      this.loginFailures.clearUsername(throttleKey(before.username));
      this.sessions.removeForUser(id);
      this.audit.record({
        at: this.now(),
        actor: actor.username,
        action: 'user.password-reset',
        subject: `user:${before.username}`,
        after: { passwordChanged: true, mustChangePassword: true },
      });
      return { user: this.view(after), generatedPassword: password };
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
   * Checks a password for a client address. Failures are counted per username (as typed) and address, for names
   * that exist and names that do not alike: after `lockoutFailures` in a row that address is shut out of that name
   * for the lockout period, with the same answer either way, so a lockout reveals nothing about who has an account
   * and an attacker shuts out only themselves, never the owner signing in from elsewhere. When many addresses are
   * shut out of one name (a spread-out attack), every attempt on it is slowed instead (spreadAttackDelayMs).
   */
  async login(username: string, password: string, client = 'unknown'): Promise<NewSession> {
    const key = throttleKey(username);
    const now = this.clock.now();
    const at = this.now();
    const failures = this.loginFailures.get(key, client);
    if (failures.lockedUntil && Date.parse(failures.lockedUntil) > now) throw this.lockedOut(failures.lockedUntil);
    const delay = spreadAttackDelayMs(this.loginFailures.lockedClients(key, at));
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const user = this.users.byUsername(username.trim());
    // An unknown name costs the same work as a known one.
    const ok = await verifyPassword(password, user?.passwordHash ?? (await dummyHash(this.settings.scryptLog2N)));
    if (!user || !ok) {
      const count = failures.failures + 1;
      const locks = count >= this.settings.lockoutFailures;
      const lockedUntil = locks ? new Date(now + this.settings.lockoutMs).toISOString() : null;
      this.db.transaction(() => {
        this.loginFailures.save(key, client, { failures: locks ? 0 : count, lockedUntil }, at);
        this.audit.record({
          at,
          actor: 'anonymous',
          action: locks ? 'user.locked' : 'session.login-failed',
          subject: `user:${username.trim().slice(0, 64)}`,
          after: {
            failures: count,
            client,
            ...(user ? {} : { reason: 'unknown user' }),
            ...(locks ? { lockedForMinutes: this.settings.lockoutMs / 60_000 } : {}),
          },
        });
      })();
      if (lockedUntil) throw this.lockedOut(lockedUntil);
      throw new Refusal('unauthenticated', 'wrong username or password');
    }
    if (user.disabledAt) throw new Refusal('forbidden', `the account "${user.username}" is disabled; ask an admin`);
    const cookie = randomToken();
    const csrfToken = randomToken();
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
      this.loginFailures.clear(key, client);
      this.loginFailures.prune(new Date(now - 24 * 3600_000).toISOString());
      this.audit.record({ at, actor: user.username, action: 'session.login', subject: `user:${user.username}` });
    })();
    return { cookie, csrfToken, expiresAt, user: this.view(user) };
  }

  private lockedOut(until: string): Refusal {
    return new Refusal(
      'rateLimited',
      `too many failed sign-ins with this username from this address: try again after ${until}, or ask an admin to unlock the account`,
    );
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
      mustChangePassword: user.mustChangePassword,
    };
  }

  /**
   * Keeps a live session for another full session length from now: the UI asks when its reader, warned that the
   * session is about to end, chooses to stay. Returns the new end, or null when the session has already ended.
   */
  extendSession(idHash: string): string | null {
    const now = this.clock.now();
    const s = this.sessions.byHash(idHash);
    if (!s || Date.parse(s.expiresAt) <= now) return null;
    const expiresAt = new Date(now + this.settings.sessionMs).toISOString();
    return this.sessions.extend(idHash, expiresAt, new Date(now).toISOString()) ? expiresAt : null;
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
    if (!user) throw new Refusal('notFound', 'no such user');
    if (!(await verifyPassword(current, user.passwordHash))) {
      throw new Refusal('forbidden', 'the current password is wrong', [
        { field: 'currentPassword', message: 'wrong password' },
      ]);
    }
    const p = passwordProblem(next);
    if (p) throw invalidFields([{ field: 'newPassword', message: p }]);
    const passwordHash = await hashPassword(next, this.settings.scryptLog2N);
    if (await verifyPassword(next, user.passwordHash)) {
      throw invalidFields([{ field: 'newPassword', message: 'choose a new password, not the one you have now' }]);
    }
    this.db.transaction(() => {
      this.users.save({ ...user, passwordHash, mustChangePassword: false, updatedAt: this.now() });
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
    if (problem) throw invalidFields([{ field: 'role', message: problem }]);
    if (input.expiresAt && Date.parse(input.expiresAt) <= this.clock.now()) {
      throw invalidFields([{ field: 'expiresAt', message: 'must be in the future' }]);
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
      if (!before) throw new Refusal('notFound', `no API token with id ${id}`);
      if (before.revokedAt)
        throw new Refusal('conflict', `API token ${id} ("${before.name}") was revoked already at ${before.revokedAt}`);
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

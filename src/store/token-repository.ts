import type { Organisation } from '../domain/item-content.ts';
import type { Role } from '../domain/roles.ts';
import type { Db } from './database.ts';

export interface TokenRecord {
  id: number;
  name: string;
  lookup: string;
  secretHash: string;
  organisation: Organisation;
  role: Role;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  revokedAt: string | null;
  lastUsedAt: string | null;
}

const toToken = (r: Record<string, unknown>): TokenRecord => ({
  id: r.id as number,
  name: r.name as string,
  lookup: r.lookup as string,
  secretHash: r.secret_hash as string,
  organisation: r.organisation as Organisation,
  role: r.role as Role,
  createdBy: r.created_by as string,
  createdAt: r.created_at as string,
  expiresAt: (r.expires_at as string | null) ?? null,
  revokedAt: (r.revoked_at as string | null) ?? null,
  lastUsedAt: (r.last_used_at as string | null) ?? null,
});

export function tokenRepository(db: Db) {
  const insert = db.prepare(
    `INSERT INTO api_tokens (name, lookup, secret_hash, organisation, role, created_by, created_at, expires_at)
     VALUES (@name, @lookup, @secretHash, @organisation, @role, @createdBy, @createdAt, @expiresAt)`,
  );
  const byId = db.prepare('SELECT * FROM api_tokens WHERE id = ?');
  const byLookup = db.prepare('SELECT * FROM api_tokens WHERE lookup = ?');
  const page = db.prepare('SELECT * FROM api_tokens ORDER BY id LIMIT ? OFFSET ?');
  const count = db.prepare('SELECT count(*) FROM api_tokens').pluck();
  const revoke = db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL');
  const touch = db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?');
  return {
    insert(t: Omit<TokenRecord, 'id' | 'revokedAt' | 'lastUsedAt'>): TokenRecord {
      const id = Number(insert.run(t).lastInsertRowid);
      return this.byId(id) as TokenRecord;
    },
    byId(id: number): TokenRecord | null {
      const r = byId.get(id) as Record<string, unknown> | undefined;
      return r ? toToken(r) : null;
    },
    byLookup(lookup: string): TokenRecord | null {
      const r = byLookup.get(lookup) as Record<string, unknown> | undefined;
      return r ? toToken(r) : null;
    },
    list(limit: number, offset: number): { rows: TokenRecord[]; total: number } {
      return {
        rows: (page.all(limit, offset) as Record<string, unknown>[]).map(toToken),
        total: count.get() as number,
      };
    },
    revoke(id: number, at: string): boolean {
      return revoke.run(at, id).changes > 0;
    },
    touch(id: number, at: string): void {
      touch.run(at, id);
    },
  };
}
export type TokenRepository = ReturnType<typeof tokenRepository>;

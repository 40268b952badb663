import { z } from 'zod';
import type { Organisation } from './item-content.ts';

/**
 * Who may do what. `submitter`: submit and fix its organisation's items. `communicator` (Vara kommun only):
 * review, publish the shared playlist, crisis. `admin`: users, API tokens, signs, settings, and everything else.
 */
export const ROLES = ['submitter', 'communicator', 'admin'] as const;
export const Role = z.enum(ROLES);
export type Role = z.infer<typeof Role>;

/** The organisation that may hold a role: communicators review and publish on behalf of Vara kommun. */
export function roleProblem(organisation: Organisation, role: Role): string | null {
  if (role === 'communicator' && organisation !== 'kommun') {
    return 'the communicator role belongs to Vara kommun: use organisation "kommun", or role "submitter"';
  }
  return null;
}

/** Who is calling: a signed-in user (session cookie) or an integration (Bearer token). */
export interface Principal {
  readonly kind: 'session' | 'token';
  /** users.id for a session, api_tokens.id for a token. */
  readonly id: number;
  /** For sessions the username; for tokens "token:<name>". The audit log records it as the actor. */
  readonly username: string;
  readonly organisation: Organisation;
  readonly role: Role;
}

/** Reviewers see every organisation's submitted items and decide on them. */
export function isReviewer(p: Pick<Principal, 'role'>): boolean {
  return p.role === 'communicator' || p.role === 'admin';
}

import { z } from 'zod';

/**
 * The life of a submitted item: draft -> pending -> approved | rejected -> expired | archived.
 * A pure table: the store and the API ask it, and a refusal says why in words a user can act on.
 */

export const ITEM_STATES = ['draft', 'pending', 'approved', 'rejected', 'expired', 'archived'] as const;
export const ItemState = z.enum(ITEM_STATES);
export type ItemState = z.infer<typeof ItemState>;

/** `edit` is any change to what the item shows or when and where; `expire` is done by Skylt, not by a person. */
export const ITEM_ACTIONS = ['edit', 'submit', 'approve', 'reject', 'expire', 'archive'] as const;
export type ItemAction = (typeof ITEM_ACTIONS)[number];

const TRANSITIONS: Record<ItemAction, Partial<Record<ItemState, ItemState>>> = {
  // An edit of an approved item must be reviewed again; a rejected item stays rejected (its reason shown) until resubmitted.
  edit: { draft: 'draft', pending: 'pending', approved: 'pending', rejected: 'rejected', expired: 'draft' },
  submit: { draft: 'pending', rejected: 'pending' },
  approve: { pending: 'approved' },
  reject: { pending: 'rejected' },
  expire: { pending: 'expired', approved: 'expired' },
  archive: { draft: 'archived', pending: 'archived', approved: 'archived', rejected: 'archived', expired: 'archived' },
};

const WHY: Record<ItemAction, string> = {
  edit: 'an archived item cannot be changed; create a new item instead',
  submit: 'only a draft or a rejected item can be submitted for review',
  approve: 'only a pending item can be approved; submit it first',
  reject: 'only a pending item can be rejected',
  expire: 'only a pending or approved item can expire',
  archive: 'the item is already archived',
};

export type TransitionResult = { ok: true; to: ItemState } | { ok: false; reason: string };

export function transition(from: ItemState, action: ItemAction): TransitionResult {
  const to = TRANSITIONS[action][from];
  if (to) return { ok: true, to };
  return { ok: false, reason: `the item is ${from}: ${WHY[action]}` };
}

/** What can be done to an item in this state (for the UI's buttons). */
export function allowedActions(state: ItemState): ItemAction[] {
  return ITEM_ACTIONS.filter((a) => a !== 'expire' && TRANSITIONS[a][state] !== undefined);
}

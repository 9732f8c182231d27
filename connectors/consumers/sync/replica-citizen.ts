// One citizen in a sector's replica, and the rule for applying a change to it. Kept free of the
// database so the rule can be tested on its own: a change already applied is never applied again.
import type { Change } from '../../../proto/gen/dancu/exchange/v1/exchange.ts';

export interface ReplicaField {
  /** The value as the hub disclosed it (null: the source registered that it no longer holds). */
  value: unknown;
  source: string;
  effectiveAt: Date | null;
  authoritative: boolean;
  changeId: string;
  /** R15: the agreement this value was received under, whose terms (onward sharing included) bind it. */
  agreement: string;
}

/** `_id` is the personal id; every granted field the hub has sent sits at the top level. */
export interface ReplicaCitizen {
  _id: string;
  [field: string]: ReplicaField | string | string[] | Date;
  /** R15: the agreement the replica holds this citizen's data under (the one its latest change came by). */
  heldUnder: string;
  /** The latest changes applied, newest last: what a resumed stream may deliver again. */
  appliedChangeIds: string[];
  updatedAt: Date;
}

/**
 * How many applied change ids a citizen remembers. A resumed stream re-delivers at most the
 * changes applied after the last saved cursor; the cursor is saved after every change, so one is
 * the normal case and this bound is generous.
 */
export const REMEMBERED_CHANGES = 64;

const RESERVED = new Set(['_id', 'appliedChangeIds', 'updatedAt', 'heldUnder']);

/**
 * The citizen after `change`, received under agreement `heldUnder`, or null when the change was
 * applied already (a redelivery).
 */
export function applyChange(current: ReplicaCitizen | null, change: Change, heldUnder: string, now = new Date()): ReplicaCitizen | null {
  const field = change.value?.field ?? '';
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(field) || RESERVED.has(field))
    throw new Error(`change ${change.changeId} names no usable field (${JSON.stringify(field)})`);
  const applied = current?.appliedChangeIds ?? [];
  if (applied.includes(change.changeId)) return null;
  const next: ReplicaCitizen = {
    ...(current ?? { _id: change.personalId }),
    heldUnder,
    appliedChangeIds: [...applied, change.changeId].slice(-REMEMBERED_CHANGES),
    updatedAt: now,
  };
  next[field] = {
    value: change.value?.value ?? null,
    source: change.value?.source ?? '',
    effectiveAt: change.value?.effectiveAt ?? null,
    authoritative: change.value?.authoritative ?? false,
    changeId: change.changeId,
    agreement: heldUnder,
  };
  return next;
}

import { DomainError } from '../shared/errors.ts';
import type { SeniorStatus } from './senior.model.ts';

/** PRODUCT.md §5 lifecycle as a table: action → the states it may start from and where it ends. */
export const SENIOR_TRANSITIONS = {
  approve: { from: ['pending_review'], to: 'active' },
  reject: { from: ['pending_review'], to: 'rejected' },
  suspend: { from: ['active'], to: 'suspended' },
  resume: { from: ['suspended'], to: 'active' },
  deactivate: { from: ['active', 'suspended'], to: 'deactivated' },
} as const satisfies Record<string, { from: readonly SeniorStatus[]; to: SeniorStatus }>;

export type SeniorAction = keyof typeof SENIOR_TRANSITIONS;

/** The state `action` leads to from `from`, or 409 INVALID_TRANSITION. */
export function assertSeniorTransition(from: SeniorStatus, action: SeniorAction): SeniorStatus {
  const transition = SENIOR_TRANSITIONS[action];
  if (!(transition.from as readonly SeniorStatus[]).includes(from)) {
    throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: `${action} is not allowed from ${from}` }], undefined, { from, action });
  }
  return transition.to;
}

/** Statuses in which the record may still be edited. */
export const EDITABLE_STATUSES: readonly SeniorStatus[] = ['pending_review', 'active', 'suspended'];

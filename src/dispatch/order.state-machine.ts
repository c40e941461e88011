import { DomainError } from '../shared/errors.ts';

export const ORDER_STATUSES = [
  'pending_dispatch', 'offered', 'unassigned', 'accepted', 'assigned', 'in_service', 'completed', 'confirmed', 'disputed', 'rejected', 'cancelled', 'settled',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/**
 * PRODUCT.md §7 as a table: action → the states it may start from → the state it leads to.
 * `offer` covers the first offer, a re-offer after a decline or expiry (offered → offered) and a
 * manual dispatch of an unassigned order. Nothing else may move an order.
 */
export const ORDER_TRANSITIONS = {
  offer: { from: ['pending_dispatch', 'offered', 'unassigned'], to: 'offered' },
  unassign: { from: ['pending_dispatch', 'offered'], to: 'unassigned' },
  accept: { from: ['offered'], to: 'accepted' },
  assign: { from: ['accepted', 'assigned'], to: 'assigned' },
  check_in: { from: ['assigned'], to: 'in_service' },
  complete: { from: ['in_service'], to: 'completed' },
  confirm: { from: ['completed', 'in_service'], to: 'confirmed' },
  cancel: { from: ['pending_dispatch', 'offered', 'unassigned', 'accepted', 'assigned'], to: 'cancelled' },
  dispute: { from: ['completed', 'confirmed', 'settled'], to: 'disputed' },
  uphold: { from: ['disputed'], to: 'confirmed' },
  reject: { from: ['disputed'], to: 'rejected' },
  settle: { from: ['confirmed'], to: 'settled' },
} as const satisfies Record<string, { from: readonly OrderStatus[]; to: OrderStatus }>;

export type OrderAction = keyof typeof ORDER_TRANSITIONS;

export function canTransition(from: OrderStatus, action: OrderAction): boolean {
  return (ORDER_TRANSITIONS[action].from as readonly OrderStatus[]).includes(from);
}

/** The state `action` leads to from `from`, or 409 INVALID_TRANSITION. */
export function assertOrderTransition(from: OrderStatus, action: OrderAction): OrderStatus {
  if (!canTransition(from, action)) {
    throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: `${action} is not allowed from ${from}` }], undefined, { from, action });
  }
  return ORDER_TRANSITIONS[action].to;
}

/** States in which the order still holds voucher money that a cancellation must release. */
export const OPEN_STATUSES: readonly OrderStatus[] = ['pending_dispatch', 'offered', 'unassigned', 'accepted', 'assigned', 'in_service', 'completed'];

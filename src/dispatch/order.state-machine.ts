import { DomainError } from '../shared/errors.ts';
import { bilingual } from '../shared/i18n.ts';

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
  // A visit begun or done, unconfirmed, for a senior deactivated from a day on or before it
  // (senior-lifecycle.ts): it cannot have been for them, and is called off with its hold released.
  void: { from: ['in_service', 'completed'], to: 'cancelled' },
  dispute: { from: ['completed', 'confirmed', 'settled'], to: 'disputed' },
  uphold: { from: ['disputed'], to: 'confirmed' },
  reject: { from: ['disputed'], to: 'rejected' },
  settle: { from: ['confirmed'], to: 'settled' },
} as const satisfies Record<string, { from: readonly OrderStatus[]; to: OrderStatus }>;

export type OrderAction = keyof typeof ORDER_TRANSITIONS;

/** How states and actions are named in messages people read. */
export const ORDER_STATUS_ZH: Record<OrderStatus, string> = {
  pending_dispatch: '待派单', offered: '已派单待接单', unassigned: '无人接单', accepted: '已接单', assigned: '已指派护理员',
  in_service: '服务中', completed: '已完成待核验', confirmed: '已核验', disputed: '有争议', rejected: '已驳回', cancelled: '已取消', settled: '已结算',
};
const ORDER_ACTION_ZH: Record<OrderAction, string> = {
  offer: '派单', unassign: '转为无人接单', accept: '接单', assign: '指派护理员', check_in: '签到', complete: '签退', confirm: '核验确认',
  cancel: '取消', void: '作废', dispute: '提出争议', uphold: '维持服务', reject: '驳回', settle: '结算',
};

export function canTransition(from: OrderStatus, action: OrderAction): boolean {
  return (ORDER_TRANSITIONS[action].from as readonly OrderStatus[]).includes(from);
}

/** The state `action` leads to from `from`, or 409 INVALID_TRANSITION. */
export function assertOrderTransition(from: OrderStatus, action: OrderAction): OrderStatus {
  if (!canTransition(from, action)) {
    throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: bilingual(`${ORDER_STATUS_ZH[from]}的工单不能${ORDER_ACTION_ZH[action]}`, `${action} is not allowed from ${from}`) }], undefined, { from, action });
  }
  return ORDER_TRANSITIONS[action].to;
}

/** States in which the order still holds voucher money that a cancellation must release. */
export const OPEN_STATUSES: readonly OrderStatus[] = ['pending_dispatch', 'offered', 'unassigned', 'accepted', 'assigned', 'in_service', 'completed'];

import { DomainError } from '../shared/errors.ts';
import { findInScope } from '../shared/scope.ts';
import { businessMonth } from '../shared/time.ts';
import { redeemForOrder, refundForOrder, releaseForOrder } from '../vouchers/index.ts';
import { contextOf, transitionOrder, type OrderCall as Call } from './order-transition.ts';
import { OrderModel, type OrderDoc } from './order.model.ts';
import { orderScope } from './order.scope.ts';
import { runDisputeHooks } from './orders.settlement.ts';
import { bilingual } from '../shared/i18n.ts';


/**
 * Cancels before the visit starts and releases the hold (keyed by the order: at most once). A
 * provider may cancel only an order it accepted, and that records a penalty for settlement.
 */
export async function cancelOrder(orderId: string, reason: string, call: Call): Promise<OrderDoc> {
  const order = await findInScope<OrderDoc>(OrderModel, orderId, orderScope, call.actor);
  const byProvider = call.actor.role === 'provider_admin';
  if (byProvider && (order.providerId !== call.actor.providerId || !['accepted', 'assigned'].includes(order.status))) {
    throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: bilingual('服务商只能取消本服务商已接的工单', 'a provider cancels only an order it has accepted') }]);
  }
  const now = call.now ?? new Date();
  const penalty = byProvider ? { providerId: call.actor.providerId, at: now, reason, month: businessMonth(now, call.config.businessTimeZone) } : null;
  const cancelled = await transitionOrder(order, 'cancel', contextOf(call), { set: { offer: null, ...(penalty ? { providerPenalty: penalty } : {}) }, reason, details: penalty ? { providerPenalty: true } : undefined });
  if (cancelled.holdRef) await releaseForOrder({ orderId: cancelled.holdRef, by: call.actor.id, reason: 'order cancelled' });
  return cancelled;
}

export async function disputeOrder(orderId: string, reason: string, call: Call): Promise<OrderDoc> {
  const order = await findInScope<OrderDoc>(OrderModel, orderId, orderScope, call.actor);
  const disputed = await transitionOrder(order, 'dispute', contextOf(call), { set: { disputedFrom: order.status }, reason });
  await runDisputeHooks({ orderId, statementId: disputed.statementId ?? null, actorId: call.actor.id });
  return disputed;
}

/**
 * Settles a dispute. Valid: the visit stands (confirmed; its hold is redeemed if it was not yet).
 * Invalid: the visit is rejected and the senior gets the voucher amount back — a release while
 * it is still held, a refund once it was redeemed.
 */
export async function resolveDispute(orderId: string, outcome: 'valid' | 'invalid', note: string, call: Call): Promise<OrderDoc> {
  const order = await findInScope<OrderDoc>(OrderModel, orderId, orderScope, call.actor);
  const month = businessMonth(call.now ?? new Date(), call.config.businessTimeZone);
  if (outcome === 'valid') {
    const upheld = await transitionOrder(order, 'uphold', contextOf(call), { set: { confirmedMonth: order.confirmedMonth ?? month }, reason: note });
    if (upheld.holdRef) await redeemForOrder({ orderId: upheld.holdRef, by: call.actor.id });
    return upheld;
  }
  const rejected = await transitionOrder(order, 'reject', contextOf(call), { reason: note });
  if (rejected.holdRef) {
    const released = await releaseForOrder({ orderId: rejected.holdRef, by: call.actor.id, reason: 'visit rejected' }).catch((error: unknown) => {
      if ((error as { code?: string }).code === 'ALREADY_SETTLED') return null;
      throw error;
    });
    if (!released) await refundForOrder({ orderId: rejected.holdRef, by: call.actor.id, month, reason: note });
  }
  return rejected;
}

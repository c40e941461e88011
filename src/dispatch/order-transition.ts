import { recordAudit } from '../audit/index.ts';
import type { Config } from '../config/env.ts';
import type { Actor } from '../shared/roles.ts';
import { DomainError } from '../shared/errors.ts';
import { countOrderChange } from './order-counts.ts';
import { offeredToOf, OrderHistoryModel, OrderModel, type OrderDoc } from './order.model.ts';
import { assertOrderTransition, type OrderAction, type OrderStatus } from './order.state-machine.ts';

/** A person's call on an order, as routes and services pass it around. */
export interface OrderCall {
  actor: Actor;
  config: Config;
  requestId: string | null;
  now?: Date;
}

export const contextOf = (call: OrderCall): TransitionContext => ({ actorId: call.actor.id, actorRole: call.actor.role, requestId: call.requestId, now: call.now ?? new Date() });

export interface TransitionContext {
  actorId: string;
  actorRole: string;
  requestId: string | null;
  now: Date;
}

/**
 * Moves an order by `action` from the state it was read in: a conditional update on that state
 * (plus `extraCondition`, e.g. the offer still being the one read), so of two concurrent moves
 * exactly one applies and the other answers 409. History and audit follow the update.
 */
export async function transitionOrder(
  order: OrderDoc,
  action: OrderAction,
  ctx: TransitionContext,
  change: { set?: Record<string, unknown>; inc?: Record<string, number>; reason?: string | null; details?: unknown; extraCondition?: Record<string, unknown>; conflict?: DomainError } = {},
): Promise<OrderDoc> {
  const from = order.status as OrderStatus;
  const to = assertOrderTransition(from, action);
  const set: Record<string, unknown> = { ...(change.set ?? {}), status: to };
  // The offer's provider, top-level, follows the offer in the same write (order.model.ts).
  if ('offer' in set) set.offeredTo = offeredToOf(to, set.offer as { providerId?: string } | null);
  const update: Record<string, unknown> = { $set: set };
  if (change.inc) update.$inc = change.inc;
  const updated = await OrderModel.findOneAndUpdate({ _id: order._id, status: from, ...(change.extraCondition ?? {}) }, update, { returnDocument: 'after' }).lean();
  if (!updated) throw change.conflict ?? new DomainError('INVALID_TRANSITION', [{ path: 'status', message: '服务单已被他人更改，请刷新后重试' }]);
  const orderId = String(order._id);
  // The three follow the move and not each other, so they go together (a third of an order's
  // round trips). A crash among them leaves some written and some not — each is what a crash right
  // after the move leaves: counters the nightly repair recounts, a history row or audit entry missing.
  await Promise.all([
    countOrderChange(order, updated as OrderDoc),
    OrderHistoryModel.create({ orderId, at: ctx.now, actorId: ctx.actorId, action, fromStatus: from, toStatus: to, reason: change.reason ?? null, details: change.details ?? null }),
    recordAudit({
      actor: ctx.actorId === 'system' ? 'system' : { id: ctx.actorId, role: ctx.actorRole as never },
      action: `order.${action}`, entityType: 'service_order', entityId: orderId, requestId: ctx.requestId,
      before: { status: from }, after: { status: to, reason: change.reason ?? null, ...(change.details && typeof change.details === 'object' ? change.details : {}) },
    }),
  ]);
  return updated as OrderDoc;
}

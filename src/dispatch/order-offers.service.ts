import type { Config } from '../config/env.ts';
import { DomainError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { Actor } from '../shared/roles.ts';
import { findInScope } from '../shared/scope.ts';
import { dispatchOrder } from './order-dispatch.service.ts';
import { transitionOrder, type TransitionContext } from './order-transition.ts';
import { OrderModel, type OrderDoc } from './order.model.ts';
import { orderScope } from './order.scope.ts';
import { attemptsOf } from './order.view.ts';
import { bilingual } from '../shared/i18n.ts';
import { ORDER_STATUS_ZH } from './order.state-machine.ts';

const offerNotActive = () => new DomainError('OFFER_NOT_ACTIVE');

/** The live offer's condition: still offered, to this provider, this offer, not yet expired. */
function liveOffer(order: OrderDoc, providerId: string, now: Date) {
  if (order.status !== 'offered' || order.offer?.providerId !== providerId || !order.offer.expiresAt || order.offer.expiresAt <= now) throw offerNotActive();
  return { 'offer.providerId': providerId, 'offer.offeredAt': order.offer.offeredAt, 'offer.expiresAt': { $gt: now } };
}

/** Of two providers, or two clicks, accepting at once exactly one wins; the other gets 409. */
export async function acceptOffer(orderId: string, actor: Actor, ctx: { requestId: string | null; now?: Date }): Promise<OrderDoc> {
  const now = ctx.now ?? new Date();
  const order = await findInScope<OrderDoc>(OrderModel, orderId, orderScope, actor);
  const condition = liveOffer(order, actor.providerId as string, now);
  const attempts = attemptsOf(order).map((a, i, all) => (i === all.length - 1 ? { ...a, outcome: 'accepted', answeredAt: now } : a));
  return transitionOrder(order, 'accept', { actorId: actor.id, actorRole: actor.role, requestId: ctx.requestId, now }, {
    set: { providerId: actor.providerId, offer: null, 'dispatch.attempts': attempts },
    extraCondition: condition,
    conflict: offerNotActive(),
    details: { providerId: actor.providerId },
  });
}

/** A decline re-dispatches at once; the declining provider is not offered this order again. */
export async function declineOffer(orderId: string, reason: string, actor: Actor, ctx: { config: Config; requestId: string | null; now?: Date }): Promise<OrderDoc> {
  const now = ctx.now ?? new Date();
  const order = await findInScope<OrderDoc>(OrderModel, orderId, orderScope, actor);
  liveOffer(order, actor.providerId as string, now);
  return dispatchOrder(order, { actorId: actor.id, actorRole: actor.role, requestId: ctx.requestId, now }, { config: ctx.config, lastOutcome: { outcome: 'declined', reason } });
}

/** A human dispatches an unassigned order, to a named eligible provider or the best one. */
export async function dispatchManually(orderId: string, providerId: string | undefined, actor: Actor, ctx: { config: Config; requestId: string | null; now?: Date }): Promise<OrderDoc> {
  const order = await findInScope<OrderDoc>(OrderModel, orderId, orderScope, actor);
  if (order.status !== 'unassigned') throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: bilingual(`只有无人接单的工单才能人工派单（该工单${ORDER_STATUS_ZH[order.status]}）`, `only an unassigned order is dispatched by hand (this one is ${order.status})`) }]);
  return dispatchOrder(order, { actorId: actor.id, actorRole: actor.role, requestId: ctx.requestId, now: ctx.now ?? new Date() }, { config: ctx.config, providerId });
}

/**
 * The sweeper (every minute): every offer past its expiry moves on to the next provider. An offer
 * accepted or moved meanwhile loses the conditional update and is left alone.
 */
export async function sweepExpiredOffers(config: Config, logger: Logger, now = new Date()): Promise<{ expired: number; reoffered: number; unassigned: number; raced: number }> {
  const counts = { expired: 0, reoffered: 0, unassigned: 0, raced: 0 };
  const ctx: TransitionContext = { actorId: 'system', actorRole: 'system', requestId: null, now };
  for await (const order of OrderModel.find({ status: 'offered', 'offer.expiresAt': { $lte: now } }).lean().cursor({ batchSize: 200 })) {
    counts.expired += 1;
    try {
      const next = await dispatchOrder(order as OrderDoc, ctx, { config, lastOutcome: { outcome: 'expired', reason: 'no answer within the offer time' } });
      if (next.status === 'offered') counts.reoffered += 1;
      else counts.unassigned += 1;
    } catch (error) {
      if ((error as { code?: string }).code !== 'INVALID_TRANSITION') throw error;
      counts.raced += 1;
      logger.info({ orderId: String(order._id) }, 'expired offer was answered meanwhile');
    }
  }
  return counts;
}

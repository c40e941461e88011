import { recordAudit } from '../audit/index.ts';
import type { Config } from '../config/env.ts';
import { canTransition, disputeOrder, orderForReports, type OrderStatus } from '../dispatch/index.ts';
import { displayNamesOf } from '../identity/index.ts';
import { byKeys } from '../shared/by-keys.ts';
import { DomainError } from '../shared/errors.ts';
import { bilingual } from '../shared/i18n.ts';
import type { Actor } from '../shared/roles.ts';
import { AnomalyReviewModel, type AnomalyReviewDoc, type ReviewOutcome } from './anomaly-review.model.ts';

export interface ReviewCall {
  actor: Actor;
  config: Config;
  requestId: string | null;
  now?: Date;
}

export interface VisitReview {
  outcome: ReviewOutcome;
  note: string;
  by: string;
  byName: string | null;
  at: Date;
}

/**
 * An inspector reviews a suspect visit: fine, or a dispute opened on the order (PRODUCT.md §7's
 * dispute, with the note as its reason). The order must be in the caller's order scope (else 404).
 * A dispute needs a disputable order (completed, confirmed, settled; else 409 and nothing stored).
 * The review is written before the dispute so that a retry after a crash between the two finds the
 * order still disputable and completes both; a dispute lost to a concurrent change puts the
 * previous review back.
 */
export async function reviewSuspectVisit(input: { orderId: string; outcome: ReviewOutcome; note: string }, call: ReviewCall): Promise<VisitReview & { orderId: string; orderStatus: OrderStatus }> {
  const order = await orderForReports(input.orderId, call.actor);
  if (input.outcome === 'dispute' && !canTransition(order.status, 'dispute')) {
    throw new DomainError('INVALID_TRANSITION', [{ path: 'outcome', message: bilingual('该工单当前状态不能提出争议：只有已完成、已核验或已结算的服务可以提出争议', 'only a completed, confirmed or settled visit can be disputed') }]);
  }
  const previous = await AnomalyReviewModel.findById(order.orderId).lean();
  const review = { outcome: input.outcome, note: input.note, by: call.actor.id, at: call.now ?? new Date() };
  await AnomalyReviewModel.updateOne({ _id: order.orderId }, { $set: review }, { upsert: true });
  let orderStatus = order.status;
  if (input.outcome === 'dispute') {
    try {
      orderStatus = (await disputeOrder(order.orderId, input.note, call)).status as OrderStatus;
    } catch (error) {
      await restoreReview(order.orderId, review, previous);
      throw error;
    }
  }
  await recordAudit({
    actor: call.actor, action: 'anomaly.review', entityType: 'service_order', entityId: order.orderId, requestId: call.requestId,
    before: previous ? { outcome: previous.outcome } : null, after: { outcome: review.outcome, note: review.note, orderStatus },
  });
  const names = await displayNamesOf([review.by]);
  return { orderId: order.orderId, ...review, byName: names.get(review.by) ?? null, orderStatus };
}

/** Puts back what was there before this review, unless someone has reviewed the order since. */
async function restoreReview(orderId: string, review: { by: string; at: Date }, previous: AnomalyReviewDoc | null): Promise<void> {
  const mine = { _id: orderId, by: review.by, at: review.at };
  if (previous) await AnomalyReviewModel.replaceOne(mine, previous);
  else await AnomalyReviewModel.deleteOne(mine);
}

/** The reviews of these orders, by order id, in one read by key; the reviewers named. */
export async function reviewsOf(orderIds: string[]): Promise<Map<string, VisitReview>> {
  if (orderIds.length === 0) return new Map();
  const reviews = await AnomalyReviewModel.find({ _id: { $in: orderIds } }).setOptions(byKeys(orderIds.length)).lean();
  const names = await displayNamesOf(reviews.map((review) => review.by));
  return new Map(reviews.map((review) => [String(review._id), {
    outcome: review.outcome as ReviewOutcome, note: review.note, by: review.by, byName: names.get(review.by) ?? null, at: review.at,
  }]));
}

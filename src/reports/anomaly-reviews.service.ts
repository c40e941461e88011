import { displayNamesOf } from '../identity/index.ts';
import { byKeys } from '../shared/by-keys.ts';
import { AnomalyReviewModel, type ReviewOutcome } from './anomaly-review.model.ts';

export interface VisitReview {
  outcome: ReviewOutcome;
  note: string;
  by: string;
  byName: string | null;
  at: Date;
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

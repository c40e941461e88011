import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const REVIEW_OUTCOMES = ['fine', 'dispute'] as const;
export type ReviewOutcome = (typeof REVIEW_OUTCOMES)[number];

/**
 * An inspector's word on a suspect visit: looked at and fine, or disputed (the order then carries
 * the dispute). One per order, keyed by the order's id; a later review replaces it, and the audit
 * chain keeps every one.
 */
const anomalyReviewSchema = new Schema(
  {
    _id: { type: String, required: true },
    outcome: { type: String, enum: REVIEW_OUTCOMES, required: true },
    note: { type: String, required: true },
    by: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'anomaly_reviews', versionKey: false },
);

export type AnomalyReviewDoc = InferSchemaType<typeof anomalyReviewSchema>;
export const AnomalyReviewModel = mongoose.model('AnomalyReview', anomalyReviewSchema);

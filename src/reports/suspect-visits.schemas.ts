import { z } from 'zod';
import { ORDER_STATUSES } from '../dispatch/index.ts';
import { dateTimeOut } from '../shared/http/schemas.ts';
import { bilingual } from '../shared/i18n.ts';
import { REVIEW_OUTCOMES } from './anomaly-review.model.ts';
import { REASON_CODES, REASON_WEIGHTS, SUSPECT_THRESHOLD, type ReasonCode } from './suspect-score.ts';

/* The anomaly report's suspect visits and the inspector's review of one (POST /reports/anomalies/reviews). */

export const orderNumber = z.string().nullable().openapi({ description: 'the human order number (GD…); null on orders made before numbers' });

const reasonCode = z.enum(REASON_CODES as [ReasonCode, ...ReasonCode[]]);

export const SUSPECT_RULE = `A visit's score is the sum of the weights of its distinct reasons, capped at 100 (${Object.entries(REASON_WEIGHTS).map(([code, weight]) => `${code} ${weight}`).join(', ')}); `
  + `it is listed when the score reaches ${SUSPECT_THRESHOLD}: one strong or medium reason suffices, the weak ones (late_sync, clock_drift) alone never do.`;

export const reviewSchema = z
  .object({
    outcome: z.enum(REVIEW_OUTCOMES).openapi({ description: 'fine: looked at, nothing wrong; dispute: a dispute was opened on the order' }),
    note: z.string(),
    by: z.string().openapi({ description: 'the reviewer\'s user id' }),
    byName: z.string().nullable().optional(),
    at: dateTimeOut,
  })
  .openapi('AnomalyReview');

export const suspectVisitSchema = z
  .object({
    orderId: z.string(),
    orderNumber,
    reasons: z.array(reasonCode).min(1).openapi({ description: 'strongest first' }),
    score: z.number().int().min(0).max(100),
    scheduledStart: dateTimeOut,
    providerId: z.string().nullable(),
    providerName: z.string().nullable(),
    caregiverId: z.string().nullable(),
    caregiverName: z.string().nullable(),
    communityId: z.string(),
    serviceTypeCode: z.string(),
    status: z.enum(ORDER_STATUSES),
    review: reviewSchema.nullable().openapi({ description: 'the inspector\'s review of the visit; null when not reviewed' }),
  })
  .openapi('SuspectVisit');

export const reviewBody = z
  .object({
    orderId: z.string().regex(/^[0-9a-f]{24}$/, bilingual('工单编号格式不正确', 'Must be an order id')),
    outcome: z.enum(REVIEW_OUTCOMES),
    note: z.string().trim().min(1).max(500).openapi({ description: 'why: what was checked (required); with dispute, the dispute\'s reason' }),
  })
  .strict()
  .openapi('AnomalyReviewBody');

export const reviewResultSchema = reviewSchema
  .extend({ orderId: z.string(), orderStatus: z.enum(ORDER_STATUSES).openapi({ description: 'the order\'s status after the review: disputed after a dispute' }) })
  .openapi('AnomalyReviewResult');

export type ReviewBody = z.output<typeof reviewBody>;
export type ReviewResult = z.input<typeof reviewResultSchema>;

import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import type { ScopeRules } from '../shared/scope.ts';
import { scopeBy } from '../shared/scope.ts';

/** `paused`: the senior is suspended (a hospital stay); the plan makes no orders until the senior resumes. */
export const CARE_PLAN_STATUSES = ['active', 'paused', 'stopped'] as const;

// communityId and streetId are copied from the senior at creation, so scope is a plain filter.
const carePlanSchema = new Schema(
  {
    seniorId: { type: String, required: true },
    communityId: { type: String, required: true },
    streetId: { type: String, required: true },
    serviceTypeCode: { type: String, required: true },
    quantity: { type: Number, required: true },
    /** ISO weekdays, Monday = 1. */
    weekdays: { type: [Number], required: true },
    /** 'HH:mm' in the business time zone. */
    time: { type: String, required: true },
    startDate: { type: String, required: true },
    endDate: { type: String, default: null },
    status: { type: String, enum: CARE_PLAN_STATUSES, required: true },
    createdBy: { type: String, required: true },
    stoppedAt: { type: Date, default: null },
    stoppedBy: { type: String, default: null },
    /** When the senior's suspension paused the plan; null when it is not paused. */
    pausedAt: { type: Date, default: null },
  },
  { collection: 'care_plans', versionKey: false, timestamps: true, minimize: false },
);
carePlanSchema.index({ status: 1 });
carePlanSchema.index({ communityId: 1, status: 1 });
carePlanSchema.index({ seniorId: 1 });
carePlanSchema.index({ seniorId: 1, status: 1 });

export type CarePlanDoc = InferSchemaType<typeof carePlanSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; updatedAt: Date };
export const CarePlanModel = mongoose.model('CarePlan', carePlanSchema);

/**
 * One document per (plan, day), `_id` = `${planId}:${day}`: inserting it is the claim that makes
 * generation idempotent across retries and instances. `claimed` without an order id is a run in
 * progress, or one that crashed between the two writes (taken over once stale); `skipped` keeps
 * the reason and is tried again by the next run (the senior may be active again).
 */
const occurrenceSchema = new Schema(
  {
    _id: { type: String, required: true },
    planId: { type: String, required: true },
    day: { type: String, required: true },
    status: { type: String, enum: ['claimed', 'created', 'skipped'], required: true },
    claimToken: { type: String, required: true },
    claimedAt: { type: Date, required: true },
    orderId: { type: String, default: null },
    reason: { type: String, default: null },
  },
  { collection: 'care_plan_occurrences', versionKey: false, minimize: false },
);
occurrenceSchema.index({ planId: 1, day: 1 });

export type OccurrenceDoc = InferSchemaType<typeof occurrenceSchema>;
export const OccurrenceModel = mongoose.model('CarePlanOccurrence', occurrenceSchema);

/** Like orders: community staff their communities', street officers their street's. */
export const carePlanScope: ScopeRules = {
  admin: 'all',
  auditor: 'all',
  street_officer: scopeBy.streetField('streetId'),
  community_staff: scopeBy.communityField('communityId'),
};

import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { ORDER_STATUSES } from './order.state-machine.ts';

/** How an order came to be; `provider_record` is a visit a provider uploaded from its own system (service-records). */
export const ORDER_SOURCES = ['hotline', 'staff', 'care_plan', 'emergency', 'provider_record'] as const;

/**
 * How a visit was confirmed: at the door with the order's code or the senior's PIN, afterwards by a
 * staff callback, or by the senior's own answer to the SMS question (issue 20).
 */
export const CONFIRMATION_METHODS = ['visit_code', 'senior_pin', 'callback', 'sms_reply'] as const;
export type ConfirmationMethod = (typeof CONFIRMATION_METHODS)[number];

export const ORDER_FLAGS = ['geofence_check_in', 'geofence_check_out', 'short_visit', 'caregiver_overlap', 'late_sync', 'clock_drift'] as const;
export type OrderFlag = (typeof ORDER_FLAGS)[number];

const rankingEntry = new Schema({ providerId: String, score: Number, distanceKm: Number, reasons: [String] }, { _id: false });
// `at` is when it happened (the phone's time when credible), `receivedAt` when the service got it;
// `clientRecordId` makes a replay of the same record (an offline queue sending twice) change nothing.
const point = new Schema({ at: Date, lng: Number, lat: Number, distanceM: Number, accuracyM: Number, receivedAt: Date, clientRecordId: String }, { _id: false });

// Everything a later step needs is copied onto the order at creation (communityId, streetId, the
// senior's location, expected minutes): settlement and reports read orders alone (no $lookup).
const orderSchema = new Schema(
  {
    /**
     * The human order number (order-number.ts), GD202612030001. Orders created before numbers
     * existed have none: the field is left out, never null, and the view answers null.
     */
    number: { type: String },
    seniorId: { type: String, required: true },
    communityId: { type: String, required: true },
    streetId: { type: String, required: true },
    seniorLocation: { type: new Schema({ lng: Number, lat: Number }, { _id: false }), required: true },
    preferredProviderId: { type: String, default: null },
    serviceTypeCode: { type: String, required: true },
    quantity: { type: Number, required: true },
    expectedMinutes: { type: Number, required: true },
    scheduledStart: { type: Date, required: true },
    scheduledDay: { type: String, required: true },
    notes: { type: String, default: null },
    source: { type: String, enum: ORDER_SOURCES, required: true },
    /**
     * A provider_record's key: `<providerId>:<the provider's own record id>`. Unique where present,
     * so the same row uploaded twice (a retry, the same file again) finds its order instead of
     * making a second; left out (never null) on every other order, as `number` is (see below).
     */
    recordKey: { type: String },
    /** The provider's own id of an uploaded visit record (外部记录号), as it gave it. */
    externalId: { type: String },
    priority: { type: String, enum: ['normal', 'emergency'], required: true },
    status: { type: String, enum: ORDER_STATUSES, required: true },
    providerId: { type: String, default: null },
    caregiverId: { type: String, default: null },
    offer: { type: new Schema({ providerId: String, offeredAt: Date, expiresAt: Date }, { _id: false }), default: null },
    /**
     * offer.providerId while the order is offered, else null: a top-level field, so a provider's
     * open offers are an index walk (the engine pushes down top-level equalities only). Set with
     * `offer` in the same update (transitionOrder); the nightly order-counts repair fixes orders
     * written before it existed.
     */
    offeredTo: { type: String, default: null },
    dispatch: {
      // answeredAt: when the offer was accepted, declined or found expired (reports' time to accept);
      // attempts recorded before the field existed have none.
      attempts: { type: [new Schema({ providerId: String, offeredAt: Date, answeredAt: { type: Date, default: null }, outcome: String, reason: String }, { _id: false })], default: [] },
      // Orders dispatched before issue 16 carry their ranking here; since then it lives beside the
      // order (service_order_rankings, by rankingRef) and the order stays small for the lists.
      ranking: { type: [rankingEntry], default: undefined },
    },
    /** The `_id` in service_order_rankings of the ranking behind the current offer; null when none. */
    rankingRef: { type: String, default: null },
    priceFen: { type: Number, required: true, validate: Number.isSafeInteger },
    subsidyFen: { type: Number, required: true, validate: Number.isSafeInteger },
    selfPayFen: { type: Number, required: true, validate: Number.isSafeInteger },
    subsidyRatePct: { type: Number, required: true },
    /** The key the voucher hold was made under (a new one when a new price re-holds). */
    holdRef: { type: String, default: null },
    visitCodeHash: { type: String, required: true },
    visitCodeFailures: { type: Number, default: 0 },
    checkIn: { type: point, default: null },
    checkOut: { type: point, default: null },
    durationMinutes: { type: Number, default: null },
    flags: { type: [String], enum: ORDER_FLAGS, default: [] },
    /** flags.length > 0, kept as a field so "flagged orders" is a plain equality filter. */
    isFlagged: { type: Boolean, default: false },
    confirmation: { type: new Schema({ method: { type: String, enum: CONFIRMATION_METHODS }, at: Date, by: String, satisfaction: Number }, { _id: false }), default: null },
    /**
     * Why the caregiver checked out without the senior's code or PIN (老人无法提供核验码), for
     * the community worker who confirms the visit by callback.
     */
    noCodeReason: { type: String, default: null },
    /** The month (Asia/Shanghai) of confirmation: settlement's period key. */
    confirmedMonth: { type: String, default: null },
    /** The settlement statement whose line pays this visit (set once, by settlement). */
    statementId: { type: String, default: null },
    /** The statement carrying this order's provider-cancellation penalty line. */
    penaltyStatementId: { type: String, default: null },
    /** For a visit rejected after its statement was approved: the statement recovering its subsidy. */
    adjustmentStatementId: { type: String, default: null },
    /** A provider's cancellation after acceptance: a penalty line for settlement. */
    providerPenalty: { type: new Schema({ providerId: String, at: Date, reason: String, month: String }, { _id: false }), default: null },
    disputedFrom: { type: String, default: null },
    createdBy: { type: String, required: true },
  },
  { collection: 'service_orders', versionKey: false, timestamps: true, minimize: false },
);
// Unique where present. `sparse` is what lets MongoDB hold the many orders from before numbers
// (a plain unique index there allows one missing value); FerretDB ignores the option and allows many
// missing values anyway, so both engines enforce the same thing. This is why the field is never
// written as null: MongoDB's sparse index would take null as a value and allow it once.
orderSchema.index({ number: 1 }, { unique: true, sparse: true });
orderSchema.index({ recordKey: 1 }, { unique: true, sparse: true });
orderSchema.index({ status: 1, 'offer.expiresAt': 1 });
// Lists walk these in `_id` order and stop after a page (FerretDB patch 0008; MongoDB alike).
orderSchema.index({ communityId: 1, _id: 1 });
orderSchema.index({ communityId: 1, status: 1, _id: 1 });
orderSchema.index({ streetId: 1, _id: 1 });
orderSchema.index({ status: 1, _id: 1 });
orderSchema.index({ providerId: 1, scheduledDay: 1 });
orderSchema.index({ providerId: 1, _id: 1 });
orderSchema.index({ offeredTo: 1, _id: 1 });
orderSchema.index({ caregiverId: 1, status: 1 });
orderSchema.index({ caregiverId: 1, _id: 1 });
// An uploaded visit is checked against the same caregiver's visits of its day (overlaps).
orderSchema.index({ caregiverId: 1, scheduledDay: 1 });
orderSchema.index({ seniorId: 1, scheduledStart: 1 });
orderSchema.index({ confirmedMonth: 1, status: 1 });
// Reports read a month's orders by scheduled day and by the offers made in it (MongoDB; FerretDB scans).
orderSchema.index({ scheduledDay: 1 });
orderSchema.index({ 'dispatch.attempts.offeredAt': 1 });

/** What `offeredTo` holds for an order in this status with this offer (order.model.ts above). */
export function offeredToOf(status: string, offer: { providerId?: string | null } | null | undefined): string | null {
  return status === 'offered' ? (offer?.providerId ?? null) : null;
}

export type OrderDoc = InferSchemaType<typeof orderSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; updatedAt: Date };
export const OrderModel = mongoose.model('ServiceOrder', orderSchema);

const orderHistorySchema = new Schema(
  {
    orderId: { type: String, required: true },
    at: { type: Date, required: true },
    actorId: { type: String, required: true },
    action: { type: String, required: true },
    fromStatus: { type: String, required: true },
    toStatus: { type: String, required: true },
    reason: { type: String, default: null },
    details: { type: Schema.Types.Mixed, default: null },
  },
  { collection: 'service_order_history', versionKey: false },
);
orderHistorySchema.index({ orderId: 1, at: 1 });

export type OrderHistoryDoc = InferSchemaType<typeof orderHistorySchema> & { _id: mongoose.Types.ObjectId };
export const OrderHistoryModel = mongoose.model('ServiceOrderHistory', orderHistorySchema);

// Per-provider running figures the ranking reads by `_id` instead of aggregating orders: ratings
// and the offers made to it per ISO week (fairness).
const providerStatsSchema = new Schema(
  {
    _id: { type: String, required: true },
    ratingSum: { type: Number, default: 0 },
    ratingCount: { type: Number, default: 0 },
    offersByWeek: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: 'provider_dispatch_stats', versionKey: false, minimize: false },
);
export const ProviderStatsModel = mongoose.model('ProviderDispatchStats', providerStatsSchema);

// Why an offer went where it went: the ten best-ranked providers with their scores and reasons,
// one document per offer (`<orderId>:<offer number>`), read only by an order's detail. Written
// before the offer itself; a crash between the two leaves a ranking no order points to, which the
// retry of the same offer overwrites.
const orderRankingSchema = new Schema(
  {
    _id: { type: String, required: true },
    orderId: { type: String, required: true },
    at: { type: Date, required: true },
    ranking: { type: [rankingEntry], default: [] },
  },
  { collection: 'service_order_rankings', versionKey: false },
);
export const OrderRankingModel = mongoose.model('ServiceOrderRanking', orderRankingSchema);

import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const ENTERABLE_CATEGORIES = ['empty_nest', 'three_nos', 'extreme_hardship', 'low_income', 'living_alone', 'disabled'] as const;
export const CATEGORIES = [...ENTERABLE_CATEGORIES, 'advanced_age'] as const;
export const LIVING_ARRANGEMENTS = ['alone', 'with_spouse', 'with_family', 'other'] as const;
export const SENIOR_STATUSES = ['pending_review', 'active', 'rejected', 'suspended', 'deactivated'] as const;
export type SeniorStatus = (typeof SENIOR_STATUSES)[number];

const emergencyContactSchema = new Schema(
  { name: { type: String, required: true }, relation: { type: String, required: true }, phoneEncrypted: { type: String, required: true }, phoneMasked: { type: String, required: true } },
  { _id: false },
);

// The ID number and every phone exist here only encrypted (shared/pii.ts) and masked; the HMAC of
// the ID number carries the system-wide uniqueness (PRODUCT.md §5) and exact search.
const seniorSchema = new Schema(
  {
    name: { type: String, required: true },
    idNumberHmac: { type: String, required: true, unique: true },
    idNumberEncrypted: { type: String, required: true },
    idNumberMasked: { type: String, required: true },
    gender: { type: String, enum: ['male', 'female'], required: true },
    birthDate: { type: String, required: true },
    phoneEncrypted: { type: String, required: true },
    phoneMasked: { type: String, required: true },
    address: { type: String, required: true },
    communityId: { type: String, required: true },
    streetId: { type: String, required: true },
    // As given, with its datum (absent = WGS-84, as before the datum was kept): dispatch converts it for distances.
    location: { type: new Schema({ lng: Number, lat: Number, coordSystem: { type: String, enum: ['wgs84', 'gcj02'] } }, { _id: false }), default: null },
    livingArrangement: { type: String, enum: LIVING_ARRANGEMENTS, required: true },
    categories: { type: [String], enum: ENTERABLE_CATEGORIES, required: true },
    careLevel: { type: Number, min: 0, max: 5, required: true },
    assessedAt: { type: String, required: true },
    emergencyContacts: { type: [emergencyContactSchema], default: [] },
    preferredProviderId: { type: String, default: null },
    /**
     * What vouchers are computed from. Changes count from the next month (PRODUCT.md §5): an edit
     * writes `voucherBasisNext` with its first month, promoted to `voucherBasis` once that month
     * has come (voucher-basis.ts).
     */
    voucherBasis: { type: new Schema({ categories: [String], careLevel: Number, assessedAt: String }, { _id: false }), default: null },
    voucherBasisNext: { type: new Schema({ categories: [String], careLevel: Number, assessedAt: String, fromMonth: String }, { _id: false }), default: null },
    status: { type: String, enum: SENIOR_STATUSES, required: true },
    enrolledBy: { type: String, required: true },
    enrolledAt: { type: Date, required: true },
    approvedBy: { type: String, default: null },
    approvedAt: { type: Date, default: null },
    statusReason: { type: String, default: null },
    deactivation: { type: new Schema({ reason: String, effectiveDate: String }, { _id: false }), default: null },
    /**
     * Every status the senior has had and since when (deactivation: from its effective day), so
     * settlement can ask "was this senior active when the visit happened?" from this one document.
     */
    statusLog: { type: [new Schema({ status: String, at: Date, effectiveDate: String }, { _id: false })], default: [] },
    /**
     * The lifecycle event whose consequences in other capabilities (orders, holds, care plans,
     * vouchers) are not known to be done: set with the status, cleared once every hook has run. A
     * crash in between leaves it set, and the senior-consequences job runs the hooks again (each is
     * idempotent). Null when nothing is pending.
     */
    consequencesPending: { type: String, enum: ['suspended', 'resumed', 'deactivated', null], default: null },
    /**
     * New orders are refused while this is set: a reported death waiting for a second person's
     * confirmation (life-events) must not be dispatched meanwhile. Null when orders may be made.
     */
    dispatchHold: { type: new Schema({ reason: String, since: Date, by: String }, { _id: false }), default: null },
    /**
     * The senior's personal confirmation PIN (confirmation-pin.service.ts), only as a keyed hash
     * bound to the senior; null until one is issued (seniors imported from a register get theirs
     * from a staff reset). Wrong tries count here, for every order of the senior.
     */
    confirmationPinHash: { type: String, default: null },
    confirmationPinFailures: { type: Number, default: 0 },
    /** The privacy notice and legal basis (privacy-notice.ts); null for seniors enrolled before it was recorded. */
    privacyNotice: {
      type: new Schema({ version: String, basis: String, givenAt: Date, recordedBy: String, recordedAt: Date, source: String }, { _id: false }),
      default: null,
    },
    /** Set when the retention job erased the personal data (pii-retention.ts); null while it is held. */
    piiErasedAt: { type: Date, default: null },
  },
  { collection: 'seniors', versionKey: false, timestamps: true },
);
seniorSchema.index({ communityId: 1, status: 1, name: 1 });
seniorSchema.index({ streetId: 1, status: 1 });
seniorSchema.index({ status: 1 });
seniorSchema.index({ consequencesPending: 1 });
// Register pages walk these in `_id` order (shared/http/pagination.ts).
seniorSchema.index({ communityId: 1, _id: 1 });
seniorSchema.index({ streetId: 1, _id: 1 });
seniorSchema.index({ status: 1, _id: 1 });
seniorSchema.index({ categories: 1 });
seniorSchema.index({ communityId: 1, assessedAt: 1 });
seniorSchema.index({ name: 1 });

export type SeniorDoc = InferSchemaType<typeof seniorSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date; updatedAt: Date };
export const SeniorModel = mongoose.model('Senior', seniorSchema);

// One row per change, kept apart from the senior so the record does not grow without bound.
const seniorHistorySchema = new Schema(
  {
    seniorId: { type: String, required: true },
    at: { type: Date, required: true },
    actorId: { type: String, required: true },
    action: { type: String, required: true },
    fromStatus: { type: String, default: null },
    toStatus: { type: String, default: null },
    /** field → {before, after}; phones and ID numbers appear masked only. */
    changes: { type: Schema.Types.Mixed, default: {} },
    reason: { type: String, default: null },
    /** For category and care-level changes: the voucher month from which they count. */
    effectiveMonth: { type: String, default: null },
    /**
     * What a status change carried through to elsewhere, one entry per thing touched (an order
     * cancelled, a hold released, a care plan paused, a balance lapsed), written by the capability
     * that did it: the senior's page shows everything the change touched.
     */
    touched: { type: [new Schema({ kind: String, id: String, label: String, change: String }, { _id: false })], default: undefined },
  },
  { collection: 'senior_history', versionKey: false, minimize: false },
);
seniorHistorySchema.index({ seniorId: 1, at: 1 });

export type SeniorHistoryDoc = InferSchemaType<typeof seniorHistorySchema> & { _id: mongoose.Types.ObjectId };
export const SeniorHistoryModel = mongoose.model('SeniorHistory', seniorHistorySchema);

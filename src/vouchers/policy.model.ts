import mongoose, { Schema, type InferSchemaType } from 'mongoose';

// The senior categories of PRODUCT.md §5 a policy may price: the six a community worker enters and
// `advanced_age`, derived from the birth date. test/vouchers/policy.test.ts keeps this list equal
// to the seniors capability's own.
export const VOUCHER_CATEGORIES = ['empty_nest', 'three_nos', 'extreme_hardship', 'low_income', 'living_alone', 'disabled', 'advanced_age'] as const;
export type VoucherCategory = (typeof VOUCHER_CATEGORIES)[number];

export const COMBINE_MODES = ['max', 'sum'] as const;
export const EXPIRY_MODES = ['end_of_month', 'rollover', 'anchor_date'] as const;
/** Care levels 0-5: one supplement each. */
export const CARE_LEVELS = 6;

const fen = { type: Number, required: true, min: 0, validate: Number.isSafeInteger };
const percent = { type: Number, required: true, min: 0, max: 100, validate: Number.isSafeInteger };

const categoryAmountSchema = new Schema(
  {
    category: { type: String, enum: VOUCHER_CATEGORIES, required: true },
    monthlyAmountFen: fen,
    subsidyRatePct: percent,
  },
  { _id: false },
);

const fundingSplitSchema = new Schema({ cityPct: percent, districtPct: percent }, { _id: false });

// `rolloverMonths` is null unless the mode is rollover; `lapsesOn` ('MM-DD') and
// `lapsesAfterYears` unless it is anchor_date.
const expirySchema = new Schema(
  {
    mode: { type: String, enum: EXPIRY_MODES, required: true },
    rolloverMonths: { type: Number, default: null, min: 1, max: 24 },
    lapsesOn: { type: String, default: null, match: /^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/ },
    lapsesAfterYears: { type: Number, default: null, min: 0, max: 10, validate: (v: number | null) => v === null || Number.isSafeInteger(v) },
  },
  { _id: false },
);

// Caps (issue 21): null where the policy sets none.
const serviceCapSchema = new Schema(
  {
    serviceTypeCode: { type: String, required: true },
    maxSubsidySharePct: { type: Number, default: null, min: 0, max: 100, validate: (v: number | null) => v === null || Number.isSafeInteger(v) },
    monthlyVisits: { type: Number, default: null, min: 0, validate: (v: number | null) => v === null || Number.isSafeInteger(v) },
  },
  { _id: false },
);
const capsSchema = new Schema(
  {
    monthlyFen: { type: Number, default: null, min: 0, validate: (v: number | null) => v === null || Number.isSafeInteger(v) },
    perService: { type: [serviceCapSchema], default: [] },
  },
  { _id: false },
);

// A policy is versioned by month (PRODUCT.md §6): `_id` is its `effectiveFrom` month 'YYYY-MM', so
// there is at most one per month, the policy for month M is the greatest `_id` ≤ M, and both
// lookups are primary-key reads on the embedded FerretDB. Policies are never edited: a change is
// a new policy from a later month.
const voucherPolicySchema = new Schema(
  {
    _id: { type: String, required: true },
    name: { type: String, required: true },
    combine: { type: String, enum: COMBINE_MODES, required: true },
    categories: { type: [categoryAmountSchema], required: true },
    careLevelSupplementFen: {
      type: [{ type: Number, min: 0, validate: Number.isSafeInteger }],
      required: true,
      validate: { validator: (amounts: number[]) => amounts.length === CARE_LEVELS, message: '须为 6 个金额，对应护理等级 0-5' },
    },
    defaultSubsidyRatePct: percent,
    fundingSplit: { type: fundingSplitSchema, required: true },
    expiry: { type: expirySchema, required: true },
    caps: { type: capsSchema, default: () => ({ monthlyFen: null, perService: [] }) },
    createdBy: { type: String, required: true },
  },
  { collection: 'voucher_policies', versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);

export type VoucherPolicyDoc = InferSchemaType<typeof voucherPolicySchema> & { _id: string; createdAt: Date };
export const VoucherPolicyModel = mongoose.model('VoucherPolicy', voucherPolicySchema);

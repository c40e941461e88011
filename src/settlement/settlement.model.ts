import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const STATEMENT_STATUSES = ['draft', 'approved', 'paid'] as const;
export type StatementStatus = (typeof STATEMENT_STATUSES)[number];
export const LINE_KINDS = ['service', 'penalty', 'adjustment'] as const;
export type LineKind = (typeof LINE_KINDS)[number];
/**
 * Why a penalty or an adjustment line exists. `senior_deceased` / `senior_inactive`: a visit paid
 * before a confirmed life event showed it fell after the senior's death, or inside a hospital stay
 * or after a move away (claw-back.ts).
 */
export const CHARGE_REASONS = ['provider_cancellation', 'late_arrival', 'carried_penalty', 'visit_rejected', 'senior_deceased', 'senior_inactive', 'manual'] as const;
/**
 * Where a finance officer's own adjustment line stands (`reason: manual`): entered by one officer, it
 * counts in the totals only once another approved it; a rejected one stays on the statement, not
 * counted, so what was proposed and refused is on record. Lines a run writes carry none and count.
 */
export const ADJUSTMENT_STATUSES = ['pending', 'approved', 'rejected'] as const;
export type AdjustmentStatus = (typeof ADJUSTMENT_STATUSES)[number];
export type ChargeReason = (typeof CHARGE_REASONS)[number];
/**
 * Why a confirmed visit was held back from its statement (re-checked on every run). The senior not
 * active at the visit is SENIOR_DECEASED (deactivated as deceased from a day on or before it) or
 * SENIOR_INACTIVE (suspended, deactivated for another reason, not yet or not on the register);
 * SENIOR_NOT_ACTIVE is what runs before issue 19 wrote for both, kept so their rows still read.
 */
export const HELD_BACK_REASONS = ['NO_CONFIRMATION', 'SENIOR_DECEASED', 'SENIOR_INACTIVE', 'SENIOR_NOT_ACTIVE', 'NO_VALID_CONTRACT', 'DUPLICATE_VISIT', 'VOUCHER_NOT_REDEEMABLE'] as const;
export type HeldBackReason = (typeof HELD_BACK_REASONS)[number];
/** The held-back codes in the words finance reads (the console keeps the same in web/src/labels.ts). */
export const HELD_BACK_REASON_ZH: Record<HeldBackReason, string> = {
  NO_CONFIRMATION: '无核验记录', SENIOR_DECEASED: '服务日老人已去世', SENIOR_INACTIVE: '服务日老人暂停服务或已注销', SENIOR_NOT_ACTIVE: '服务日老人不在册',
  NO_VALID_CONTRACT: '无有效合同', DUPLICATE_VISIT: '重复服务', VOUCHER_NOT_REDEEMABLE: '服务券未核销',
};

const money = { type: Number, required: true, default: 0, validate: Number.isSafeInteger };

const totalsSchema = new Schema(
  {
    grossFen: money,
    subsidyFen: money,
    selfPayFen: money,
    penaltyFen: money,
    adjustmentFen: money,
    payableFen: money,
    cityFen: money,
    districtFen: money,
    /** Penalties beyond what this statement could absorb: charged in the provider's next statement. */
    carryForwardFen: money,
  },
  { _id: false },
);

export const ZERO_TOTALS = { grossFen: 0, subsidyFen: 0, selfPayFen: 0, penaltyFen: 0, adjustmentFen: 0, payableFen: 0, cityFen: 0, districtFen: 0, carryForwardFen: 0 };
export type StatementTotals = typeof ZERO_TOTALS;

// One statement per provider and period: `_id` = '<period>-<providerId>', so finding or creating it
// is a primary-key operation and two runs can never make two.
const statementSchema = new Schema(
  {
    _id: { type: String, required: true },
    period: { type: String, required: true },
    providerId: { type: String, required: true },
    providerName: { type: String, required: true },
    status: { type: String, enum: STATEMENT_STATUSES, required: true },
    totals: { type: totalsSchema, required: true },
    lineCount: { type: Number, required: true, default: 0 },
    penaltyCount: { type: Number, required: true, default: 0 },
    adjustmentCount: { type: Number, required: true, default: 0 },
    heldBackCount: { type: Number, required: true, default: 0 },
    fundingSplit: { type: new Schema({ cityPct: Number, districtPct: Number }, { _id: false }), required: true },
    /**
     * Bumped by every change to the statement's lines outside a run (a dispute taking a line out);
     * totals and approval are written only if it is still the value they were computed at.
     */
    linesVersion: { type: Number, required: true, default: 0 },
    approvedBy: { type: String, default: null },
    approvedAt: { type: Date, default: null },
    /**
     * The signatures: one below SECOND_APPROVAL_ABOVE_FEN, two above it. A first signature is kept
     * with the payable and lines it was given on; it stands only while the statement still has them.
     */
    approvals: { type: [new Schema({ by: String, at: Date, payableFen: Number, linesVersion: Number }, { _id: false })], default: [] },
    approvalOverrideReason: { type: String, default: null },
    /** Set once every line's order is marked settled after approval (a crash in between is resumed). */
    ordersSettledAt: { type: Date, default: null },
    paymentRef: { type: String, default: null },
    paidAt: { type: Date, default: null },
    paidBy: { type: String, default: null },
  },
  { collection: 'settlement_statements', versionKey: false, timestamps: true, minimize: false },
);
statementSchema.index({ period: 1, providerId: 1 });
statementSchema.index({ status: 1, approvedAt: 1 });

export type StatementDoc = InferSchemaType<typeof statementSchema> & { _id: string; createdAt: Date; updatedAt: Date };
export const StatementModel = mongoose.model('SettlementStatement', statementSchema);

// Lines. `_id` is what makes "at most once" a unique key rather than a query: a service line is
// keyed by its order ('<orderId>'), a penalty by its cause ('penalty:cancel:<orderId>',
// 'penalty:late:<orderId>', 'penalty:carry:<statementId>'), an adjustment by its order
// ('adjust:<orderId>'). A second insert of any of them fails whichever statement tries it.
const lineSchema = new Schema(
  {
    _id: { type: String, required: true },
    kind: { type: String, enum: LINE_KINDS, required: true },
    statementId: { type: String, required: true },
    period: { type: String, required: true },
    providerId: { type: String, required: true },
    orderId: { type: String, default: null },
    seniorId: { type: String, default: null },
    communityId: { type: String, default: null },
    streetId: { type: String, default: null },
    serviceTypeCode: { type: String, default: null },
    /** The senior's first voucher category by need: each line counts under exactly one. */
    category: { type: String, default: null },
    quantity: { type: Number, default: 0 },
    scheduledStart: { type: Date, default: null },
    confirmedAt: { type: Date, default: null },
    priceFen: money,
    subsidyFen: money,
    selfPayFen: money,
    carriedOver: { type: Boolean, default: false },
    /** Penalty (positive, charged) or adjustment (signed) amount. */
    amountFen: money,
    reason: { type: String, enum: [...CHARGE_REASONS, null], default: null },
    note: { type: String, default: null },
    /**
     * An adjustment's own split (fen of `amountFen` the city bears; the district the rest), by the
     * funding split of the month it corrects (`correctsPeriod`) — not the split of the statement it
     * lands on. Null on lines from before: they follow the statement's split.
     */
    correctsPeriod: { type: String, default: null },
    cityFen: { type: Number, default: null },
    /** Only on a finance officer's own adjustment (`reason: manual`). */
    adjustmentStatus: { type: String, enum: [...ADJUSTMENT_STATUSES, null], default: null },
    reference: { type: String, default: null },
    enteredBy: { type: String, default: null },
    decidedBy: { type: String, default: null },
    decidedAt: { type: Date, default: null },
    decisionNote: { type: String, default: null },
    /**
     * A service line is also the visit's claim for the duplicate check: '<seniorId>:<service>:<day>'
     * and the visit's span. Later visits of the same senior, service and day read the lines by it.
     */
    claimKey: { type: String, default: null },
    visitStartMs: { type: Number, default: null },
    visitEndMs: { type: Number, default: null },
    /** A seeded hash of the order id: the review sample is the lowest ranks of each statement. */
    sampleRank: { type: Number, default: null },
    createdAt: { type: Date, required: true },
  },
  { collection: 'settlement_lines', versionKey: false, minimize: false },
);
// Two indexes besides _id, because every index costs each of a month's line inserts (with three
// a line took ~1.4× as long on the embedded engine as with two: BENCHMARKS.md), and there is no
// `period` index: a period's lines are read through its statements (statementId $in), which are few.
// The duplicate check of each batch of visits (claimKey $in).
lineSchema.index({ claimKey: 1 });
// A statement's lines: all of them, of a kind, and page by page in `_id` order (FerretDB patch 0008
// walks it from the cursor; 0011 reads the rows where statementId or kind is an array through it too).
lineSchema.index({ statementId: 1, kind: 1, _id: 1 });

export type LineDoc = InferSchemaType<typeof lineSchema> & { _id: string };
export const LineModel = mongoose.model('SettlementLine', lineSchema);

/**
 * A service line is stored without what it would only repeat: its statement's period and provider
 * (the statement's `_id` is '<period>-<providerId>'), its order id (its own `_id`), the charge fields
 * (`amountFen` 0, no `reason`, no `note`), `streetId` (the community's) and `carriedOver` unless true.
 * A month writes ~100,000 of them on one writer, and the insert cost grows with the stored document
 * (each expression index parses it): 96–101 → 71–90 µs a line on the embedded engine (BENCHMARKS.md).
 * Every read of lines goes through `completeLine`, which puts those fields back.
 */
const SERVICE_LINE_REPEATS = [
  'period', 'providerId', 'orderId', 'streetId', 'amountFen', 'reason', 'note',
  'correctsPeriod', 'cityFen', 'adjustmentStatus', 'reference', 'enteredBy', 'decidedBy', 'decidedAt', 'decisionNote',
] as const;

export function storedLine<T extends Partial<LineDoc> & { _id: string }>(line: T): Partial<LineDoc> & { _id: string } {
  if (line.kind !== 'service') return line;
  const stored: Partial<LineDoc> & { _id: string } = { ...line };
  for (const field of SERVICE_LINE_REPEATS) delete stored[field];
  if (!stored.carriedOver) delete stored.carriedOver;
  return stored;
}

/**
 * A line as read, with the fields a stored service line leaves out put back (a projection must
 * include `kind` and `statementId` for them). A line stored whole before this keeps its own values.
 */
export function completeLine<T extends Partial<LineDoc> & { _id: string }>(stored: T): T {
  if (stored.kind !== 'service') return stored;
  const statementId = stored.statementId as string;
  return {
    period: statementId.slice(0, 7), providerId: statementId.slice(8), orderId: stored._id,
    streetId: null, amountFen: 0, reason: null, note: null, carriedOver: false,
    correctsPeriod: null, cityFen: null, adjustmentStatus: null, reference: null, enteredBy: null, decidedBy: null, decidedAt: null, decisionNote: null, ...stored,
  };
}

// A visit held back from a statement, one row per statement and order ('<statementId>:<orderId>'):
// re-written with the current reason on every run, removed when the visit becomes a line.
const heldBackSchema = new Schema(
  {
    _id: { type: String, required: true },
    statementId: { type: String, required: true },
    period: { type: String, required: true },
    providerId: { type: String, required: true },
    orderId: { type: String, required: true },
    reasonCode: { type: String, enum: HELD_BACK_REASONS, required: true },
    detail: { type: String, default: null },
    checkedAt: { type: Date, required: true },
  },
  { collection: 'settlement_held_back', versionKey: false },
);
heldBackSchema.index({ statementId: 1 });
heldBackSchema.index({ orderId: 1 });

export type HeldBackDoc = InferSchemaType<typeof heldBackSchema> & { _id: string };
export const HeldBackModel = mongoose.model('SettlementHeldBack', heldBackSchema);

export const SAMPLE_CHECK_STATUSES = ['open', 'done', 'cancelled'] as const;
export type SampleCheckStatus = (typeof SAMPLE_CHECK_STATUSES)[number];
export const SAMPLE_OUTCOMES = ['visit_happened', 'visit_did_not_happen'] as const;
export const SAMPLE_CHECK_REASONS = ['sample', 'flagged'] as const;
export type SampleCheckReason = (typeof SAMPLE_CHECK_REASONS)[number];
export type SampleOutcome = (typeof SAMPLE_OUTCOMES)[number];

// A verification callback the senior's community staff owe before approval; `_id` = the order id
// (a line exists once, so it is sampled at most once).
const sampleCheckSchema = new Schema(
  {
    _id: { type: String, required: true },
    statementId: { type: String, required: true },
    period: { type: String, required: true },
    providerId: { type: String, required: true },
    communityId: { type: String, required: true },
    seniorId: { type: String, required: true },
    serviceTypeCode: { type: String, required: true },
    scheduledStart: { type: Date, required: true },
    status: { type: String, enum: SAMPLE_CHECK_STATUSES, required: true },
    /**
     * Why the visit is called back: drawn in the statement's random share (`sample`), or flagged at
     * check-in/out (`flagged`: every one of those, beside the share, not instead of part of it).
     * Checks from before this field are the share's.
     */
    reason: { type: String, enum: SAMPLE_CHECK_REASONS, default: 'sample' },
    outcome: { type: String, enum: [...SAMPLE_OUTCOMES, null], default: null },
    note: { type: String, default: null },
    recordedBy: { type: String, default: null },
    recordedAt: { type: Date, default: null },
  },
  { collection: 'settlement_sample_checks', versionKey: false, timestamps: true },
);
sampleCheckSchema.index({ statementId: 1, status: 1 });
sampleCheckSchema.index({ communityId: 1, status: 1 });
sampleCheckSchema.index({ statementId: 1, _id: 1 });
sampleCheckSchema.index({ communityId: 1, _id: 1 });

export type SampleCheckDoc = InferSchemaType<typeof sampleCheckSchema> & { _id: string; createdAt: Date; updatedAt: Date };
export const SampleCheckModel = mongoose.model('SettlementSampleCheck', sampleCheckSchema);

// Progress of the runs of one period (`_id` = the period): where an interrupted run stopped, so
// the next one resumes there; and what the last completed run found.
const runProgressSchema = new Schema(
  {
    _id: { type: String, required: true },
    status: { type: String, enum: ['running', 'completed'], required: true },
    runId: { type: String, required: true },
    lastOrderId: { type: String, default: null },
    batches: { type: Number, default: 0 },
    ordersSeen: { type: Number, default: 0 },
    /** Where the orders seen went, per bucket and held-back reason (run-breakdown.ts); null on runs from before. */
    breakdown: { type: Schema.Types.Mixed, default: null },
    startedAt: { type: Date, required: true },
    heartbeatAt: { type: Date, required: true },
    completedAt: { type: Date, default: null },
    resumedFrom: { type: String, default: null },
    /** Who started the period's last run (and whoever resumed it): none of them may give a statement its second signature. */
    startedBy: { type: [String], default: [] },
  },
  { collection: 'settlement_runs', versionKey: false },
);

export type RunProgressDoc = InferSchemaType<typeof runProgressSchema> & { _id: string };
export const RunProgressModel = mongoose.model('SettlementRunProgress', runProgressSchema);

// LEGACY, read only: before the lines carried their claim (visitStartMs/visitEndMs), the visits paid
// per senior, service and day were kept here as orderId → [startMs, endMs]. A line written then has
// no span of its own, and the duplicate check takes it from here. Nothing writes it any more.
const visitClaimSchema = new Schema(
  { _id: { type: String, required: true }, visits: { type: Schema.Types.Mixed, default: {} } },
  { collection: 'settlement_visit_claims', versionKey: false, minimize: false },
);
export type VisitClaimDoc = InferSchemaType<typeof visitClaimSchema> & { _id: string };
export const VisitClaimModel = mongoose.model('SettlementVisitClaim', visitClaimSchema);

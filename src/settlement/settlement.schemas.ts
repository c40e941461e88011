import { z } from 'zod';
import { pageOf, pageQuery } from '../shared/http/pagination.ts';
import { dateTimeOut, nullableDateTimeOut, objectIdParam } from '../shared/http/schemas.ts';
import { ADJUSTMENT_STATUSES, HELD_BACK_REASONS, HELD_BACK_REASON_ZH, SAMPLE_CHECK_REASONS, SAMPLE_CHECK_STATUSES, SAMPLE_OUTCOMES, STATEMENT_STATUSES } from './settlement.model.ts';
import { STATEMENT_ID_PATTERN } from './statement-lines.ts';
import { bilingual } from '../shared/i18n.ts';

export const periodField = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, bilingual('月份格式应为 YYYY-MM，如 2026-12', 'a month YYYY-MM')).openapi({ example: '2026-10' });
const fen = z.number().int();
/** The order's human number (GD…), null for an order created before numbers (or none: a carried penalty). */
const orderNumberField = z.string().nullable();

export const runSettlementBody = z.object({ period: periodField }).strict().openapi('RunSettlementRequest');

const totalsSchema = z.object({
  grossFen: fen, subsidyFen: fen, selfPayFen: fen, penaltyFen: fen, adjustmentFen: fen, payableFen: fen, cityFen: fen, districtFen: fen,
  carryForwardFen: fen.openapi({ description: 'penalties beyond the subsidy, charged in the provider\'s next statement' }),
});

export const statementSchema = z
  .object({
    id: z.string(),
    period: z.string(),
    providerId: z.string(),
    providerName: z.string(),
    status: z.enum(STATEMENT_STATUSES),
    totals: totalsSchema,
    fundingSplit: z.object({ cityPct: z.number().int(), districtPct: z.number().int() }),
    lineCount: z.number().int(),
    penaltyCount: z.number().int(),
    adjustmentCount: z.number().int(),
    heldBackCount: z.number().int(),
    approvedBy: z.string().nullable(),
    approvedAt: nullableDateTimeOut,
    approvals: z.array(z.object({ by: z.string(), byName: z.string().nullable(), at: dateTimeOut }))
      .openapi({ description: 'the signatures given: one, or two when the payable is above SECOND_APPROVAL_ABOVE_FEN; on a draft, a first signature awaiting the second' }),
    secondApprovalRequired: z.boolean().openapi({ description: 'the payable is above SECOND_APPROVAL_ABOVE_FEN: two finance officers must sign' }),
    awaitingSecondSignature: z.boolean().openapi({ description: 'a draft with a first signature that still stands (its payable and lines unchanged)' }),
    approvalOverrideReason: z.string().nullable(),
    paymentRef: z.string().nullable(),
    paidAt: nullableDateTimeOut,
    paymentDueAt: nullableDateTimeOut,
    paymentOverdue: z.boolean(),
    createdAt: dateTimeOut,
    updatedAt: dateTimeOut,
  })
  .openapi('SettlementStatement');

const lineSchema = z
  .object({
    orderId: z.string(), orderNumber: orderNumberField, seniorId: z.string(), communityId: z.string(), serviceTypeCode: z.string(), category: z.string(), quantity: z.number().int(),
    scheduledStart: dateTimeOut, confirmedAt: dateTimeOut, priceFen: fen, subsidyFen: fen, selfPayFen: fen, carriedOver: z.boolean(),
  })
  .openapi('SettlementLine');

/** A held-back visit's code, described with the words finance reads for each. */
const heldBackReasonCode = z.enum(HELD_BACK_REASONS).openapi({
  description: `${Object.entries(HELD_BACK_REASON_ZH).map(([code, zh]) => `${code}: ${zh}`).join('; ')} (SENIOR_NOT_ACTIVE: rows of runs before SENIOR_DECEASED / SENIOR_INACTIVE)`,
});

export const chargeSchema = z
  .object({
    id: z.string(),
    reason: z.string().openapi({ description: 'provider_cancellation, late_arrival, carried_penalty; adjustments: visit_rejected, senior_deceased (a paid visit on or after the senior\'s death), senior_inactive (inside a hospital stay or after a move away), manual (entered by a finance officer)' }),
    amountFen: fen, orderId: z.string().nullable(), orderNumber: orderNumberField, note: z.string().nullable(), createdAt: dateTimeOut,
    correctsPeriod: z.string().nullable().openapi({ description: 'the month an adjustment corrects; its split is that month\'s' }),
    cityFen: fen.nullable().openapi({ description: 'the city\'s part of an adjustment (by the corrected month\'s split); null: the statement\'s split' }),
    districtFen: fen.nullable(),
    adjustmentStatus: z.enum(ADJUSTMENT_STATUSES).nullable().openapi({ description: 'a manual adjustment: pending until a second finance officer approves (counted) or rejects (not counted)' }),
    reference: z.string().nullable(),
    enteredBy: z.string().nullable(), enteredByName: z.string().nullable(),
    decidedBy: z.string().nullable(), decidedByName: z.string().nullable(), decidedAt: nullableDateTimeOut, decisionNote: z.string().nullable(),
  })
  .openapi('SettlementCharge');

export const addAdjustmentBody = z
  .object({
    amountFen: fen.refine((value) => value !== 0 && Math.abs(value) <= 100_000_000_00, bilingual('调整金额不能为 0，且绝对值不超过 1 亿元', 'non-zero, at most 100 million yuan either way'))
      .openapi({ description: 'signed fen: positive pays the provider more, negative recovers an overpayment' }),
    reason: z.string().trim().min(4, bilingual('请填写调整理由（至少4个字）', 'a reason of at least 4 characters')).max(500),
    correctsPeriod: periodField.openapi({ description: 'the month corrected (not after the statement\'s); its policy\'s funding split splits the amount' }),
    reference: z.string().trim().min(1).max(100).optional().openapi({ description: 'e.g. the audit finding or letter it follows' }),
  })
  .strict()
  .openapi('AddStatementAdjustmentRequest');

export const adjustmentParams = z.object({
  id: z.string().regex(STATEMENT_ID_PATTERN, bilingual('结算单编号格式不正确', 'a statement id: YYYY-MM-<providerId>')),
  adjustmentId: z.string().regex(/^manual:[0-9a-f]{24}$/, bilingual('调整编号格式不正确', 'a manual adjustment id')),
}).strict();

export const decideAdjustmentBody = z
  .object({ note: z.string().trim().min(1).max(500).optional() })
  .strict()
  .openapi('DecideStatementAdjustmentRequest');

export const rejectAdjustmentBody = z
  .object({ note: z.string().trim().min(4, bilingual('请填写驳回理由（至少4个字）', 'a reason of at least 4 characters')).max(500) })
  .strict()
  .openapi('RejectStatementAdjustmentRequest');

export const sampleCheckSchema = z
  .object({
    id: z.string(), orderId: z.string(), statementId: z.string(), period: z.string(), providerId: z.string(), communityId: z.string(), seniorId: z.string(),
    serviceTypeCode: z.string(), scheduledStart: dateTimeOut, status: z.enum(SAMPLE_CHECK_STATUSES),
    reason: z.enum(SAMPLE_CHECK_REASONS).openapi({ description: 'sample: drawn in the statement\'s random share; flagged: a visit flagged at check-in/out, always called back beside the share' }),
    outcome: z.enum(SAMPLE_OUTCOMES).nullable(),
    note: z.string().nullable(), recordedBy: z.string().nullable(), recordedAt: nullableDateTimeOut,
  })
  .openapi('SettlementSampleCheck');

export const statementDetailSchema = statementSchema
  .extend({
    lines: z.array(lineSchema),
    penalties: z.array(chargeSchema),
    adjustments: z.array(chargeSchema),
    heldBack: z.array(z.object({ orderId: z.string(), orderNumber: orderNumberField, reasonCode: heldBackReasonCode, detail: z.string().nullable(), checkedAt: dateTimeOut })),
    sampleChecks: z.array(sampleCheckSchema),
  })
  .openapi('SettlementStatementDetail');

const count = z.number().int();
/** run-breakdown.ts: every order the run's scan saw, in exactly one bucket; the buckets add up to ordersSeen. */
export const runBreakdownSchema = z
  .object({
    ordersSeen: count,
    newLines: count.openapi({ description: 'new service lines of visits confirmed in the period' }),
    carriedOver: count.openapi({ description: 'new service lines of visits confirmed in an earlier month' }),
    unchanged: count.openapi({ description: 'visits already on a line of a draft (this period\'s or an earlier one\'s): nothing to do' }),
    heldBack: count.openapi({ description: 'visits a check refused, by reason in heldBackByReason' }),
    alreadySettled: count.openapi({ description: 'visits already in an approved or paid statement' }),
    deferred: count.openapi({ description: 'visits whose provider\'s statement of the period is approved already: they go to the next period' }),
    disputed: count.openapi({ description: 'disputed or rejected visits (a draft\'s line taken out, or a paid subsidy recovered)' }),
    notBillable: count.openapi({ description: 'cancelled orders (a provider\'s penalty is a charge line) and visits without a provider' }),
    heldBackByReason: z.array(z.object({ reasonCode: heldBackReasonCode, count })),
  })
  .openapi('SettlementRunBreakdown');

export const settlementRunAnswer = z
  .object({
    period: z.string(),
    statements: z.array(statementSchema),
    ordersSettled: z.number().int().openapi({ description: 'visit lines in the period\'s statements' }),
    payableFen: fen,
    runId: z.string(),
    counts: z.record(z.string(), z.number()),
    breakdown: runBreakdownSchema.nullable().openapi({ description: 'the period\'s run, resumed runs included (counts: this run alone); null for a run recorded before breakdowns' }),
  })
  .openapi('SettlementRunResult');

export const statementsQuery = z
  .object({ period: periodField.optional(), status: z.enum(STATEMENT_STATUSES).optional(), providerId: objectIdParam.optional(), ...pageQuery })
  .strict();
export const statementsPageSchema = pageOf(statementSchema).openapi('SettlementStatementPage');

export const statementParams = z.object({ id: z.string().regex(STATEMENT_ID_PATTERN, bilingual('结算单编号格式不正确', 'a statement id: YYYY-MM-<providerId>')) }).strict();

export const approveStatementBody = z
  .object({ overrideReason: z.string().max(500).trim().min(4).optional().openapi({ description: 'needed to approve while review callbacks are open; audited' }) })
  .strict()
  .openapi('ApproveStatementRequest');

export const payStatementBody = z
  .object({
    paymentRef: z.string().max(64).trim().min(1).regex(/^[\p{L}\p{N} ._/#-]+$/u, bilingual('只能包含文字、数字、空格和 . _ / # -', 'letters, digits, spaces and . _ / # -')),
    paidAt: z.union([z.iso.datetime({ offset: true }), z.iso.date()]).openapi({ description: 'ISO date-time, or a day (Asia/Shanghai)' }),
  })
  .strict()
  .openapi('PayStatementRequest');

export const exportQuery = z.object({ format: z.enum(['xlsx', 'csv']).default('xlsx') }).strict();

const delivered = { lineCount: z.number().int(), quantity: z.number().int(), grossFen: fen, subsidyFen: fen, selfPayFen: fen };
export const summaryQuery = z.object({ period: periodField, format: z.enum(['json', 'xlsx', 'csv']).default('json') }).strict();
export const summarySchema = z
  .object({
    period: z.string(),
    auditAnchor: z.object({ day: z.string(), seq: z.number().int(), hash: z.string() }).nullable()
      .openapi({ description: 'the audit chain\'s head as the last daily verification before the month\'s end anchored it: filed with the summary, a copy outside the database' }),
    statementCount: z.number().int(),
    totals: totalsSchema.extend({ lineCount: z.number().int() }),
    byProvider: z.array(totalsSchema.extend({ providerId: z.string(), providerName: z.string(), statementId: z.string(), status: z.enum(STATEMENT_STATUSES), lineCount: z.number().int() })),
    byCommunity: z.array(z.object({ communityId: z.string(), communityName: z.string(), ...delivered })),
    byCategory: z.array(z.object({ category: z.string(), ...delivered })),
    byServiceType: z.array(z.object({ serviceTypeCode: z.string(), serviceTypeName: z.string(), ...delivered })),
    byFundingSource: z.array(z.object({ source: z.enum(['city', 'district', 'self_pay']), amountFen: fen })),
  })
  .openapi('SettlementSummary');

export const runProgressParams = z.object({ period: periodField }).strict();
export const runProgressSchema = z
  .object({
    period: z.string(), status: z.enum(['running', 'completed']), runId: z.string(), batches: z.number().int(), ordersSeen: z.number().int(),
    lastOrderId: z.string().nullable(), startedAt: dateTimeOut, heartbeatAt: dateTimeOut, completedAt: nullableDateTimeOut, resumedFrom: z.string().nullable(),
    breakdown: runBreakdownSchema.nullable(),
  })
  .openapi('SettlementRunProgress');

export const sampleChecksQuery = z
  .object({ status: z.enum(SAMPLE_CHECK_STATUSES).optional(), statementId: z.string().regex(STATEMENT_ID_PATTERN).optional(), period: periodField.optional(), ...pageQuery })
  .strict();
export const sampleChecksPageSchema = pageOf(sampleCheckSchema).openapi('SettlementSampleCheckPage');
export const sampleCheckParams = z.object({ id: objectIdParam }).strict();
export const statementLinesQuery = z.object({ ...pageQuery }).strict();
export const statementLinesPageSchema = pageOf(lineSchema).openapi('SettlementLinePage');
export const recordSampleCheckBody = z
  .object({ outcome: z.enum(SAMPLE_OUTCOMES), note: z.string().max(500).trim().min(1).optional() })
  .strict()
  .openapi('RecordSampleCheckRequest');

import type { Config } from '../config/env.ts';
import { orderNumbersOf } from '../dispatch/index.ts';
import { displayNamesOf } from '../identity/index.ts';
import { DomainError } from '../shared/errors.ts';
import { findPage, type Paging } from '../shared/http/pagination.ts';
import type { Actor } from '../shared/roles.ts';
import { withinScope, scopeBy, type ScopeRules } from '../shared/scope.ts';
import { breakdownView } from './run-breakdown.ts';
import {
  HeldBackModel, LineModel, RunProgressModel, SampleCheckModel, StatementModel, completeLine,
  type AdjustmentStatus, type HeldBackDoc, type LineDoc, type SampleCheckDoc, type SampleCheckReason, type StatementDoc, type StatementStatus,
} from './settlement.model.ts';

/** Finance, admin and audit see every statement; a provider its own; nobody else any. */
export const statementScope: ScopeRules = {
  admin: 'all', auditor: 'all', finance_officer: 'all',
  provider_admin: scopeBy.providerField('providerId'),
};

const DAY_MS = 86_400_000;

export function toStatementView(statement: StatementDoc, config: Config, now: Date = new Date()) {
  const paymentDueAt = statement.approvedAt ? new Date(statement.approvedAt.getTime() + config.paymentDueDays * DAY_MS) : null;
  const signatures = signaturesOf(statement);
  return {
    id: statement._id,
    period: statement.period,
    providerId: statement.providerId,
    providerName: statement.providerName,
    status: statement.status as StatementStatus,
    totals: { ...statement.totals },
    fundingSplit: { cityPct: statement.fundingSplit.cityPct as number, districtPct: statement.fundingSplit.districtPct as number },
    lineCount: statement.lineCount,
    penaltyCount: statement.penaltyCount,
    adjustmentCount: statement.adjustmentCount,
    heldBackCount: statement.heldBackCount,
    approvedBy: statement.approvedBy ?? null,
    approvedAt: statement.approvedAt ?? null,
    approvals: signatures.map((signature) => ({ by: signature.by, byName: null as string | null, at: signature.at })),
    secondApprovalRequired: statement.totals.payableFen > config.secondApprovalAboveFen,
    awaitingSecondSignature: statement.status === 'draft' && signatures.length > 0,
    approvalOverrideReason: statement.approvalOverrideReason ?? null,
    paymentRef: statement.paymentRef ?? null,
    paidAt: statement.paidAt ?? null,
    paymentDueAt,
    /** Approved, unpaid, and past PAYMENT_DUE_DAYS: reported as late payment to the provider. */
    paymentOverdue: statement.status === 'approved' && paymentDueAt !== null && paymentDueAt.getTime() < now.getTime(),
    createdAt: statement.createdAt,
    updatedAt: statement.updatedAt,
  };
}
export type StatementView = ReturnType<typeof toStatementView>;

/**
 * The signatures that stand: an approved or paid statement's all; a draft's first signature only
 * while the statement still has the payable and lines it was given on (approveStatement's rule).
 */
function signaturesOf(statement: StatementDoc): { by: string; at: Date }[] {
  const given = (statement.approvals ?? []).map((signature) => ({ by: signature.by as string, at: signature.at as Date, payableFen: signature.payableFen, linesVersion: signature.linesVersion }));
  if (statement.status !== 'draft') return given;
  return given.filter((signature) => signature.payableFen === statement.totals.payableFen && signature.linesVersion === statement.linesVersion);
}

/** The views with the signers' and adjusters' names (the console shows who signed). */
export async function withSignerNames<T extends { approvals: { by: string; byName: string | null }[]; adjustments?: ChargeView[] }>(view: T): Promise<T> {
  const ids = [...view.approvals.map((signature) => signature.by), ...(view.adjustments ?? []).flatMap((line) => [line.enteredBy, line.decidedBy])].filter((id): id is string => Boolean(id));
  const names = await displayNamesOf(ids);
  const nameOf = (id: string | null) => (id ? (names.get(id) ?? null) : null);
  return {
    ...view,
    approvals: view.approvals.map((signature) => ({ ...signature, byName: nameOf(signature.by) })),
    ...(view.adjustments ? { adjustments: view.adjustments.map((line) => ({ ...line, enteredByName: nameOf(line.enteredBy), decidedByName: nameOf(line.decidedBy) })) } : {}),
  };
}

/** Order numbers by order id (orderNumbersOf), for the views below; an order without one answers null. */
type OrderNumbers = ReadonlyMap<string, string>;
const numberIn = (numbers: OrderNumbers, orderId: string | null | undefined) => (orderId ? (numbers.get(orderId) ?? null) : null);

/** The numbers of the orders a statement's rows name, read by key a thousand at a time. */
async function orderNumbersFor(orderIds: (string | null | undefined)[]): Promise<OrderNumbers> {
  const ids = [...new Set(orderIds.filter((id): id is string => Boolean(id)))];
  const numbers = new Map<string, string>();
  for (let start = 0; start < ids.length; start += 1000) for (const [id, number] of await orderNumbersOf(ids.slice(start, start + 1000))) numbers.set(id, number);
  return numbers;
}

export function toLineView(stored: LineDoc, numbers: OrderNumbers) {
  const line = completeLine(stored);
  return {
    orderId: line.orderId as string,
    orderNumber: numberIn(numbers, line.orderId),
    seniorId: line.seniorId as string,
    communityId: line.communityId as string,
    serviceTypeCode: line.serviceTypeCode as string,
    category: line.category as string,
    quantity: line.quantity,
    scheduledStart: line.scheduledStart as Date,
    confirmedAt: line.confirmedAt as Date,
    priceFen: line.priceFen,
    subsidyFen: line.subsidyFen,
    selfPayFen: line.selfPayFen,
    carriedOver: line.carriedOver,
  };
}

export function toChargeView(line: LineDoc, numbers: OrderNumbers) {
  const cityFen = line.cityFen ?? null;
  return {
    id: line._id, reason: line.reason as string, amountFen: line.amountFen, orderId: line.orderId ?? null, orderNumber: numberIn(numbers, line.orderId), note: line.note ?? null, createdAt: line.createdAt,
    correctsPeriod: line.correctsPeriod ?? null, cityFen, districtFen: cityFen === null ? null : line.amountFen - cityFen,
    adjustmentStatus: (line.adjustmentStatus ?? null) as AdjustmentStatus | null, reference: line.reference ?? null,
    enteredBy: line.enteredBy ?? null, enteredByName: null as string | null, decidedBy: line.decidedBy ?? null, decidedByName: null as string | null, decidedAt: line.decidedAt ?? null, decisionNote: line.decisionNote ?? null,
  };
}
export type ChargeView = ReturnType<typeof toChargeView>;

/** One adjustment line as the adjustment routes answer it: with who entered and who decided it, by name. */
export async function adjustmentView(line: LineDoc): Promise<ChargeView> {
  const names = await displayNamesOf([line.enteredBy, line.decidedBy].filter((id): id is string => Boolean(id)));
  const view = toChargeView(line, new Map());
  return { ...view, enteredByName: names.get(view.enteredBy ?? '') ?? null, decidedByName: names.get(view.decidedBy ?? '') ?? null };
}

export const toHeldBackView = (row: HeldBackDoc, numbers: OrderNumbers) => ({
  orderId: row.orderId, orderNumber: numberIn(numbers, row.orderId), reasonCode: row.reasonCode, detail: row.detail ?? null, checkedAt: row.checkedAt,
});

export function toSampleCheckView(check: SampleCheckDoc) {
  return {
    id: check._id, orderId: check._id, statementId: check.statementId, period: check.period, providerId: check.providerId, communityId: check.communityId,
    seniorId: check.seniorId, serviceTypeCode: check.serviceTypeCode, scheduledStart: check.scheduledStart, status: check.status, reason: (check.reason ?? 'sample') as SampleCheckReason,
    outcome: check.outcome ?? null, note: check.note ?? null, recordedBy: check.recordedBy ?? null, recordedAt: check.recordedAt ?? null,
  };
}

export function listStatements(filter: { period?: string; status?: StatementStatus; providerId?: string; page: number; pageSize: number }, actor: Actor, config: Config) {
  const query: Record<string, unknown> = {};
  if (filter.period) query.period = filter.period;
  if (filter.status) query.status = filter.status;
  if (filter.providerId) query.providerId = filter.providerId;
  const now = new Date();
  return findPage(StatementModel, withinScope(statementScope, actor, query), { period: -1, providerName: 1, _id: 1 }, filter, (statement: StatementDoc) => toStatementView(statement, config, now));
}

/** A statement the caller may see, else 404 (also for a provider asking for another's). */
export async function statementInScope(id: string, actor: Actor): Promise<StatementDoc> {
  const statement = await StatementModel.findOne(withinScope(statementScope, actor, { _id: id })).lean();
  if (!statement) throw new DomainError('NOT_FOUND');
  return statement as StatementDoc;
}

/** The statement with its lines, penalties, adjustments, held-back visits and review callbacks. */
export async function statementDetail(id: string, actor: Actor, config: Config) {
  const statement = await statementInScope(id, actor);
  const stored: LineDoc[] = [];
  for await (const line of LineModel.find({ statementId: id }).sort({ kind: 1, scheduledStart: 1, _id: 1 }).lean().cursor({ batchSize: 1000 })) stored.push(completeLine(line as LineDoc));
  const heldBackRows = (await HeldBackModel.find({ statementId: id }).sort({ orderId: 1 }).lean()) as HeldBackDoc[];
  const numbers = await orderNumbersFor([...stored.map((line) => line.orderId), ...heldBackRows.map((row) => row.orderId)]);
  const lines: ReturnType<typeof toLineView>[] = [];
  const penalties: ReturnType<typeof toChargeView>[] = [];
  const adjustments: ReturnType<typeof toChargeView>[] = [];
  for (const line of stored) {
    if (line.kind === 'service') lines.push(toLineView(line, numbers));
    else if (line.kind === 'penalty') penalties.push(toChargeView(line, numbers));
    else adjustments.push(toChargeView(line, numbers));
  }
  const heldBack = heldBackRows.map((row) => toHeldBackView(row, numbers));
  const sampleChecks = (await SampleCheckModel.find({ statementId: id }).sort({ _id: 1 }).lean()).map((check) => toSampleCheckView(check as SampleCheckDoc));
  return withSignerNames({ ...toStatementView(statement, config), lines, penalties, adjustments, heldBack, sampleChecks });
}

/**
 * A statement's service lines a page at a time, in order id order (a city statement has tens of
 * thousands: the detail page reads them by page, not all at once). The total of an approved or
 * paid statement is its frozen lineCount; a draft's lines can still change under a run, so its
 * total is counted (bounded, shared/http/pagination.ts).
 */
export async function statementLines(id: string, paging: Paging, actor: Actor) {
  const statement = await statementInScope(id, actor);
  const total = statement.status === 'draft' ? undefined : async () => statement.lineCount ?? null;
  const page = await findPage(LineModel, { statementId: id, kind: 'service' }, { _id: 1 }, paging, (line: LineDoc) => line, { total });
  // The page's order numbers in one read by key: the cost stays that of the page.
  const numbers = await orderNumbersFor(page.items.map((line) => line._id));
  return { ...page, items: page.items.map((line) => toLineView(line, numbers)) };
}

/** Where the period's last run stands (the console polls it while a run is going). */
export async function runProgressOf(period: string) {
  const progress = await RunProgressModel.findById(period).lean();
  // A month never run is an answer, not a missing resource: the console asks on every visit of
  // the settlement page, and a 404 there was a failed request in every finance officer's browser.
  if (!progress) return null;
  return {
    period, status: progress.status as 'running' | 'completed', runId: progress.runId, batches: progress.batches ?? 0, ordersSeen: progress.ordersSeen ?? 0,
    lastOrderId: progress.lastOrderId ?? null, startedAt: progress.startedAt, heartbeatAt: progress.heartbeatAt, completedAt: progress.completedAt ?? null, resumedFrom: progress.resumedFrom ?? null,
    breakdown: breakdownView(progress.ordersSeen ?? 0, progress.breakdown),
  };
}

/** The figures POST /settlements answers: every statement of the period as it now stands. */
export async function periodResult(period: string, config: Config) {
  const statements = (await StatementModel.find({ period }).sort({ providerName: 1, _id: 1 }).lean()).map((statement) => toStatementView(statement as StatementDoc, config));
  return {
    period,
    statements,
    ordersSettled: statements.reduce((sum, statement) => sum + statement.lineCount, 0),
    payableFen: statements.reduce((sum, statement) => sum + statement.totals.payableFen, 0),
  };
}

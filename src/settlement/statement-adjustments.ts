import { createHash, randomBytes } from 'node:crypto';
import { recordAudit } from '../audit/index.ts';
import { withJobLease } from '../jobs/index.ts';
import { DomainError } from '../shared/errors.ts';
import { bilingual } from '../shared/i18n.ts';
import { isDuplicateKeyError } from '../shared/mongo-errors.ts';
import { policyForMonth } from '../vouchers/index.ts';
import { LineModel, StatementModel, type LineDoc, type StatementDoc } from './settlement.model.ts';
import { SETTLEMENT_JOB_NAME, statementOrFail, type StatementCall } from './statement-approval.ts';
import { STATEMENT_STATUS_ZH } from './statement-export.ts';
import { cityPartOf, refreshStatement } from './statement-totals.ts';

/** A finance officer's adjustment line: `manual:` and 24 hex digits (from the Idempotency-Key when one is sent). */
export const MANUAL_ADJUSTMENT_ID = /^manual:[0-9a-f]{24}$/;

export interface ManualAdjustmentInput {
  /** Signed: positive pays the provider more (an underpayment found), negative recovers (an overpayment). */
  amountFen: number;
  reason: string;
  /** The month the adjustment corrects: its funding split is the split of that month's policy. */
  correctsPeriod: string;
  reference?: string;
}

/**
 * A correction entered by a finance officer (issue 21): a line on a DRAFT statement only (an approved
 * statement never changes — a correction of it is entered on the provider's next draft, naming the
 * month it corrects). It is split between city and district by the policy of the month it corrects,
 * not the month it lands in, exact to the fen (cityPartOf: the rounding fen to the district). It
 * counts in the totals only once a second finance officer approved it; until then the statement
 * cannot be approved.
 *
 * Under the settlement lease, as approval is: a run or an approval never runs beside it, so the
 * line cannot land on a statement that was approved a moment before. The line first, then the
 * statement's linesVersion (any first signature given on the old lines lapses) and its totals: a
 * crash between them leaves a line that the next refresh — a run, an approval, a decision — counts.
 * The Idempotency-Key makes a retried request find its first line instead of adding a second.
 */
export async function addManualAdjustment(statementId: string, input: ManualAdjustmentInput, idempotencyKey: string | undefined, call: StatementCall): Promise<{ line: LineDoc; isNew: boolean }> {
  const now = call.now ?? new Date();
  const result = await withJobLease(SETTLEMENT_JOB_NAME, `adjust:${statementId}`, 60_000, async () => {
    const statement = await draftOrLocked(statementId);
    if (input.correctsPeriod > statement.period) {
      throw new DomainError('VALIDATION_FAILED', [{ path: 'correctsPeriod', message: bilingual(`更正的月份不能晚于本结算单的月份（${statement.period}）`, 'the corrected month cannot be after the statement\'s month') }]);
    }
    const policy = await policyForMonth(input.correctsPeriod);
    if (!policy) {
      throw new DomainError('RULE_VIOLATION', [{ path: 'correctsPeriod', message: bilingual(`${input.correctsPeriod} 没有生效的服务券政策，无法确定市区分担比例`, 'no voucher policy was in force that month, so its funding split is unknown') }]);
    }
    const id = `manual:${idempotencyKey ? createHash('sha256').update(`${statementId}\n${idempotencyKey}`).digest('hex').slice(0, 24) : randomBytes(12).toString('hex')}`;
    const line = {
      _id: id, kind: 'adjustment', statementId, period: statement.period, providerId: statement.providerId, orderId: null, seniorId: null, communityId: null, streetId: null,
      serviceTypeCode: null, category: null, quantity: 0, scheduledStart: null, confirmedAt: null, priceFen: 0, subsidyFen: 0, selfPayFen: 0, carriedOver: false,
      amountFen: input.amountFen, reason: 'manual', note: input.reason, correctsPeriod: input.correctsPeriod, cityFen: cityPartOf(input.amountFen, policy.fundingSplit.cityPct),
      adjustmentStatus: 'pending', reference: input.reference ?? null, enteredBy: call.actor.id, decidedBy: null, decidedAt: null, decisionNote: null,
      claimKey: null, visitStartMs: null, visitEndMs: null, sampleRank: null, createdAt: now,
    } satisfies Partial<LineDoc> & { _id: string };
    try {
      await LineModel.create(line);
    } catch (error) {
      if (!isDuplicateKeyError(error)) throw error;
      const existing = await LineModel.findById(id).lean();
      if (!existing || existing.statementId !== statementId) throw error;
      return { line: existing as LineDoc, isNew: false };
    }
    await StatementModel.updateOne({ _id: statementId, status: 'draft' }, { $inc: { linesVersion: 1 } });
    await refreshStatement(statementId);
    return { line: line as unknown as LineDoc, isNew: true };
  });
  if (result.isNew) {
    await recordAudit({
      actor: call.actor, action: 'statement.adjustment_add', entityType: 'settlement_statement', entityId: statementId, requestId: call.requestId,
      after: { adjustmentId: result.line._id, amountFen: input.amountFen, correctsPeriod: input.correctsPeriod, cityFen: result.line.cityFen, reason: input.reason, reference: input.reference ?? null },
    });
  }
  return result;
}

/**
 * A second finance officer approves or rejects a pending adjustment; the one who entered it cannot
 * (422 SELF_APPROVAL). Approved, it counts in the statement's totals from now on; rejected, it stays
 * on the statement, not counted, with the reason. Conditional on `pending`, so two decisions at
 * once leave one.
 */
export async function decideManualAdjustment(statementId: string, adjustmentId: string, decision: { approve: boolean; note?: string }, call: StatementCall): Promise<LineDoc> {
  const now = call.now ?? new Date();
  const decided = await withJobLease(SETTLEMENT_JOB_NAME, `adjust:${statementId}`, 60_000, async () => {
    await draftOrLocked(statementId);
    const line = await LineModel.findOne({ _id: adjustmentId, statementId, kind: 'adjustment' }).lean();
    if (!line || line.reason !== 'manual') throw new DomainError('NOT_FOUND');
    if (line.adjustmentStatus !== 'pending') {
      throw new DomainError('INVALID_TRANSITION', [{ path: 'adjustmentStatus', message: bilingual(`该调整已${line.adjustmentStatus === 'approved' ? '复核通过' : '驳回'}`, `the adjustment is ${line.adjustmentStatus} already`) }]);
    }
    if (line.enteredBy === call.actor.id) {
      throw new DomainError('SELF_APPROVAL', [{ path: 'adjustmentId', message: bilingual('手工调整须由另一名财务人员复核，不能复核自己录入的调整', 'another finance officer must decide on an adjustment you entered') }]);
    }
    const updated = await LineModel.findOneAndUpdate(
      { _id: adjustmentId, statementId, adjustmentStatus: 'pending' },
      { $set: { adjustmentStatus: decision.approve ? 'approved' : 'rejected', decidedBy: call.actor.id, decidedAt: now, decisionNote: decision.note ?? null } },
      { returnDocument: 'after' },
    ).lean();
    if (!updated) throw new DomainError('INVALID_TRANSITION', [{ path: 'adjustmentStatus', message: bilingual('该调整刚被他人处理，请刷新后查看', 'someone decided on it meanwhile') }]);
    await StatementModel.updateOne({ _id: statementId, status: 'draft' }, { $inc: { linesVersion: 1 } });
    await refreshStatement(statementId);
    return updated as LineDoc;
  });
  await recordAudit({
    actor: call.actor, action: decision.approve ? 'statement.adjustment_approve' : 'statement.adjustment_reject', entityType: 'settlement_statement', entityId: statementId, requestId: call.requestId,
    before: { adjustmentId, adjustmentStatus: 'pending' },
    after: { adjustmentId, adjustmentStatus: decided.adjustmentStatus, amountFen: decided.amountFen, correctsPeriod: decided.correctsPeriod, note: decision.note ?? null },
  });
  return decided;
}

async function draftOrLocked(statementId: string): Promise<StatementDoc> {
  const statement = await statementOrFail(statementId);
  if (statement.status !== 'draft') {
    throw new DomainError('STATEMENT_LOCKED', [{ path: 'status', message: bilingual(`结算单${STATEMENT_STATUS_ZH[statement.status] ?? statement.status}，不能再调整：请在该服务商的下一期结算单中录入更正，并注明更正的月份`, `the statement is ${statement.status}; enter the correction on the provider's next statement`) }]);
  }
  return statement;
}

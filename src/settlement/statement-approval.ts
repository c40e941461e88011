import { recordAudit } from '../audit/index.ts';
import type { Config } from '../config/env.ts';
import { attachOrderToStatement, orderForSettlement, settleOrderInStatement } from '../dispatch/index.ts';
import { withJobLease } from '../jobs/index.ts';
import { DomainError } from '../shared/errors.ts';
import type { Actor } from '../shared/roles.ts';
import { LineModel, RunProgressModel, SampleCheckModel, StatementModel, type StatementDoc } from './settlement.model.ts';
import { disputeUnhappenedVisits } from './sample-checks.service.ts';
import { takeLineOut } from './statement-lines.ts';
import { refreshStatement } from './statement-totals.ts';
import { bilingual } from '../shared/i18n.ts';
import { yuanText } from '../shared/money.ts';
import { STATEMENT_STATUS_ZH } from './statement-export.ts';

/** The job whose lease approval shares, so approval and a run never overlap. */
export const SETTLEMENT_JOB_NAME = 'settlement';

export interface StatementCall {
  actor: Actor;
  config: Config;
  requestId: string | null;
  now?: Date;
}

/** What POST …/approve did: the statement approved, or a first signature taken and a second awaited. */
export type ApprovalStep = 'approved' | 'first_signature';

/**
 * draft → approved. Under the settlement lease (no run may add lines meanwhile): every line's order
 * is read again and a line whose visit is no longer confirmed comes out; the totals are recomputed
 * from the lines; open review callbacks refuse approval unless the officer overrides with a reason
 * (audited); a finance officer's adjustment still waiting for its second officer refuses it; a
 * callback that said the visit did not happen has its dispute opened if a crash kept it from
 * opening. The status moves only if no line changed since the totals were computed. Then each
 * line's order becomes `settled` — repeatable, and finished by the next run if a crash cuts it.
 *
 * Two signatures (issue 21) when the payable is above SECOND_APPROVAL_ABOVE_FEN: the first call
 * records a signature on the payable and lines it saw and leaves the statement a draft; a second
 * finance officer's call approves it — provided the statement still has those figures (a line
 * that changed since voids the first signature, and the call becomes the new first), and the
 * second signer neither gave the first nor started (or resumed) the period's last run: the run's
 * starter may sign first, as the one who prepared it, never as the check on it.
 */
export async function approveStatement(statementId: string, overrideReason: string | undefined, call: StatementCall): Promise<StatementDoc & { approvalStep: ApprovalStep }> {
  const now = call.now ?? new Date();
  const approved = await withJobLease(SETTLEMENT_JOB_NAME, `approve:${statementId}`, 10 * 60_000, async () => {
    const statement = await statementOrFail(statementId);
    if (statement.status !== 'draft') throw new DomainError('STATEMENT_LOCKED', [{ path: 'status', message: bilingual(`结算单${STATEMENT_STATUS_ZH[statement.status] ?? statement.status}，不能再审核`, `the statement is ${statement.status}`) }]);
    const pendingAdjustments = await LineModel.countDocuments({ statementId, kind: 'adjustment', adjustmentStatus: 'pending' });
    if (pendingAdjustments > 0) {
      throw new DomainError('RULE_VIOLATION', [{ path: 'adjustments', message: bilingual(`还有 ${pendingAdjustments} 条手工调整待另一名财务人员复核，复核或驳回后才能审核`, `${pendingAdjustments} manual adjustment(s) await a second finance officer`) }]);
    }
    const openChecks = await SampleCheckModel.countDocuments({ statementId, status: 'open' });
    if (openChecks > 0 && !overrideReason) {
      throw new DomainError('RULE_VIOLATION', [{ path: 'overrideReason', message: bilingual(`还有 ${openChecks} 个抽查回访未完成：请先登记回访结果，或填写理由后强制审核`, `${openChecks} review callback(s) are still open; record them, or approve with an override reason`) }], undefined, { openChecks });
    }
    await disputeUnhappenedVisits(statementId, call);
    for await (const line of LineModel.find({ statementId, kind: 'service' }, { _id: 1 }).lean().cursor({ batchSize: 500 })) {
      const order = await orderForSettlement(line._id);
      // An order names its statement only once that statement is approved; one naming another is not ours to pay.
      if (!order || order.status !== 'confirmed' || (order.statementId !== null && order.statementId !== statementId)) await takeLineOut(line._id, statementId);
    }
    const refreshed = await refreshStatement(statementId);
    if (!refreshed) throw new DomainError('STATEMENT_LOCKED');
    const current = await statementOrFail(statementId);
    const payableFen = current.totals.payableFen;
    const signature = { by: call.actor.id, at: now, payableFen, linesVersion: refreshed.linesVersion };
    const changedMeanwhile = () => new DomainError('INVALID_TRANSITION', [{ path: 'status', message: bilingual('审核期间结算单明细有变动，请重新查看后再审核', 'a line of the statement changed meanwhile; review it and approve again') }]);
    let approvals = [signature];
    if (payableFen > call.config.secondApprovalAboveFen) {
      const first = (current.approvals ?? []).find((given) => given.payableFen === payableFen && given.linesVersion === refreshed.linesVersion);
      if (!first) {
        const signed = await StatementModel.findOneAndUpdate(
          { _id: statementId, status: 'draft', linesVersion: refreshed.linesVersion },
          { $set: { approvals: [signature] } },
          { returnDocument: 'after' },
        ).lean();
        if (!signed) throw changedMeanwhile();
        return { statement: signed as StatementDoc, openChecks, step: 'first_signature' as ApprovalStep };
      }
      if (first.by === call.actor.id) {
        throw new DomainError('SELF_APPROVAL', [{ path: 'approvals', message: bilingual(`应付金额超过 ${yuanText(call.config.secondApprovalAboveFen)} 元，需另一名财务人员复核签字：您已签过第一签`, 'above the threshold a second finance officer must sign; you gave the first signature') }]);
      }
      const starters = (await RunProgressModel.findById(current.period, { startedBy: 1 }).lean())?.startedBy ?? [];
      if (starters.includes(call.actor.id)) {
        throw new DomainError('SELF_APPROVAL', [{ path: 'approvals', message: bilingual('您发起了本期结算，不能作第二签，请由另一名财务人员复核签字', 'you started this period\'s settlement run; another finance officer must give the second signature') }]);
      }
      approvals = [{ by: first.by as string, at: first.at as Date, payableFen, linesVersion: refreshed.linesVersion }, signature];
    }
    const updated = await StatementModel.findOneAndUpdate(
      { _id: statementId, status: 'draft', linesVersion: refreshed.linesVersion },
      { $set: { status: 'approved', approvedBy: call.actor.id, approvedAt: now, approvals, approvalOverrideReason: openChecks > 0 ? (overrideReason ?? null) : null } },
      { returnDocument: 'after' },
    ).lean();
    if (!updated) throw changedMeanwhile();
    return { statement: updated as StatementDoc, openChecks, step: 'approved' as ApprovalStep };
  });
  const after = { payableFen: approved.statement.totals.payableFen, lineCount: approved.statement.lineCount, openChecks: approved.openChecks, overrideReason: approved.openChecks > 0 ? overrideReason : null };
  if (approved.step === 'first_signature') {
    await recordAudit({
      actor: call.actor, action: 'statement.first_signature', entityType: 'settlement_statement', entityId: statementId, requestId: call.requestId,
      before: { status: 'draft' }, after: { status: 'draft', ...after, signatures: 1 },
    });
    return { ...approved.statement, approvalStep: 'first_signature' };
  }
  await recordAudit({
    actor: call.actor, action: approved.openChecks > 0 ? 'statement.approve_override' : 'statement.approve', entityType: 'settlement_statement', entityId: statementId, requestId: call.requestId,
    before: { status: 'draft' },
    after: { status: 'approved', ...after, signatures: approved.statement.approvals?.length ?? 1 },
  });
  await settleOrdersOf(statementId, call.actor.id, now);
  return { ...((await StatementModel.findById(statementId).lean()) as StatementDoc), approvalStep: 'approved' };
}

/** approved → paid, with the bank's reference and the payment day. */
export async function payStatement(statementId: string, payment: { paymentRef: string; paidAt: Date }, call: StatementCall): Promise<StatementDoc> {
  const now = call.now ?? new Date();
  const statement = await statementOrFail(statementId);
  if (statement.status === 'paid') throw new DomainError('STATEMENT_LOCKED', [{ path: 'status', message: bilingual('结算单已支付', 'the statement is already paid') }]);
  if (statement.status !== 'approved') throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: bilingual('只有已审核的结算单才能登记支付', 'only an approved statement can be paid') }]);
  if (payment.paidAt.getTime() > now.getTime()) throw new DomainError('VALIDATION_FAILED', [{ path: 'paidAt', message: bilingual('支付日期不能晚于今天', 'a payment date in the future') }]);
  if (statement.approvedAt && payment.paidAt.getTime() < startOfDay(statement.approvedAt)) throw new DomainError('VALIDATION_FAILED', [{ path: 'paidAt', message: bilingual('支付日期不能早于审核日期', 'before the statement was approved') }]);
  const paid = await StatementModel.findOneAndUpdate(
    { _id: statementId, status: 'approved' },
    { $set: { status: 'paid', paymentRef: payment.paymentRef, paidAt: payment.paidAt, paidBy: call.actor.id } },
    { returnDocument: 'after' },
  ).lean();
  if (!paid) throw new DomainError('STATEMENT_LOCKED', [{ path: 'status', message: bilingual('结算单已被他人修改，请刷新后重试', 'the statement changed meanwhile') }]);
  await recordAudit({
    actor: call.actor, action: 'statement.pay', entityType: 'settlement_statement', entityId: statementId, requestId: call.requestId,
    before: { status: 'approved' }, after: { status: 'paid', paymentRef: payment.paymentRef, paidAt: payment.paidAt.toISOString(), payableFen: paid.totals.payableFen },
  });
  return paid as StatementDoc;
}

/**
 * Marks every line's order settled and naming the statement; answers how many moved now.
 * Repeatable. An order disputed since approval re-read it is not settled but still names the
 * statement, so that its rejection is recovered from the statement that paid it.
 */
export async function settleOrdersOf(statementId: string, actorId: string, now: Date): Promise<number> {
  let settled = 0;
  for await (const line of LineModel.find({ statementId, kind: 'service' }, { _id: 1 }).lean().cursor({ batchSize: 500 })) {
    if (await settleOrderInStatement(line._id, statementId, actorId, now)) settled += 1;
    else await attachOrderToStatement(line._id, 'statementId', statementId);
  }
  await StatementModel.updateOne({ _id: statementId, status: { $in: ['approved', 'paid'] } }, { $set: { ordersSettledAt: now } });
  return settled;
}

export async function statementOrFail(statementId: string): Promise<StatementDoc> {
  const statement = await StatementModel.findById(statementId).lean();
  if (!statement) throw new DomainError('NOT_FOUND');
  return statement as StatementDoc;
}

// A payment made on the day of approval is fine whatever the hour; a day's slack for time zones.
const startOfDay = (instant: Date) => instant.getTime() - 86_400_000;

import { onOrderDisputed } from '../dispatch/index.ts';
import { followDisputedLine } from './statement-lines.ts';

export { settlementRouter } from './settlement.routes.ts';
export { paymentRouter } from './payment.routes.ts';
export { settlementJob, runSettlementOnRequest } from './settlement.jobs.ts';
export { runSettlement, settlementFaults, type SettlementRunCounts } from './settlement-run.service.ts';
export { statementsOfYearToDate } from './statements.reports.ts';
export { approveStatement, payStatement, SETTLEMENT_JOB_NAME } from './statement-approval.ts';
export { periodSummary, type PeriodSummary } from './period-summary.ts';
export { recordSampleCheck, listSampleChecks, registerSampleCheckReplyHook } from './sample-checks.service.ts';
export { periodResult } from './statements.query.ts';
export { unpaidApprovedStatements, type StatementForReports } from './statements.reports.ts';
export { clawBackVisits, type ClawBackRequest, type ClawBackOutcome } from './claw-back.ts';
export type { ClawBackReason } from './claw-back.model.ts';

/**
 * A dispute on a visit in a draft statement takes its line out at once (PRODUCT.md §8). A visit paid
 * in an approved statement keeps its line, and its order names that statement from now on (approval
 * names it too, unless the dispute came in between), so a rejection is recovered from it. If the
 * hook is cut off, every run and every approval finds the disputed visit and does the same.
 */
export function registerSettlementHooks(): void {
  onOrderDisputed(async ({ orderId, statementId }) => {
    await followDisputedLine(orderId, statementId);
  });
}

import type { Config } from '../config/env.ts';
import { StatementModel, type StatementDoc } from './settlement.model.ts';
import { toStatementView, type StatementView } from './statements.query.ts';

export type StatementForReports = StatementView;

/**
 * Statements for reports: those of `period`, plus — whatever their period — every approved
 * statement still unpaid, so late payment to providers shows in every month's report until paid.
 */
export async function statementsForReports(period: string, config: Config, now: Date = new Date()): Promise<{ ofPeriod: StatementView[]; unpaidApproved: StatementView[] }> {
  const ofPeriod = (await StatementModel.find({ period }).sort({ providerName: 1, _id: 1 }).lean()).map((statement) => toStatementView(statement as StatementDoc, config, now));
  const unpaidApproved = (await StatementModel.find({ status: 'approved' }).sort({ approvedAt: 1, _id: 1 }).lean()).map((statement) => toStatementView(statement as StatementDoc, config, now));
  return { ofPeriod, unpaidApproved };
}

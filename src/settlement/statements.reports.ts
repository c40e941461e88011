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

/**
 * Every statement of the year of `period` up to and including it (January … `period`), whatever
 * its status: what reports add up as the year's spend. A dozen periods × the providers: small.
 */
export async function statementsOfYearToDate(period: string, config: Config, now: Date = new Date()): Promise<StatementView[]> {
  const statements = await StatementModel.find({ period: { $gte: `${period.slice(0, 4)}-01`, $lte: period } }).sort({ period: 1, providerName: 1, _id: 1 }).lean();
  return statements.map((statement) => toStatementView(statement as StatementDoc, config, now));
}

import type { Config } from '../config/env.ts';
import { StatementModel, type StatementDoc } from './settlement.model.ts';
import { toStatementView, type StatementView } from './statements.query.ts';

export type StatementForReports = StatementView;

/**
 * Every approved statement still unpaid, whatever its period, so late payment to providers shows in
 * every month's report until it is paid.
 */
export async function unpaidApprovedStatements(config: Config, now: Date = new Date()): Promise<StatementView[]> {
  const statements = await StatementModel.find({ status: 'approved' }).sort({ approvedAt: 1, _id: 1 }).lean();
  return statements.map((statement) => toStatementView(statement as StatementDoc, config, now));
}

/**
 * Every statement of the year of `period` up to and including it (January … `period`), whatever
 * its status: what reports add up as the year's spend. A dozen periods × the providers: small.
 */
export async function statementsOfYearToDate(period: string, config: Config, now: Date = new Date()): Promise<StatementView[]> {
  const statements = await StatementModel.find({ period: { $gte: `${period.slice(0, 4)}-01`, $lte: period } }).sort({ period: 1, providerName: 1, _id: 1 }).lean();
  return statements.map((statement) => toStatementView(statement as StatementDoc, config, now));
}

import { unpaidApprovedStatements, statementsOfYearToDate, type StatementForReports } from '../settlement/index.ts';
import { budgetRunRate } from './budget-run-rate.ts';
import { rateOf } from './figures.ts';
import type { ReportContext } from './report-context.ts';
import type { OverviewReport, UnpaidStatementRow } from './reports.schemas.ts';

const DAY_MS = 86_400_000;

/**
 * Spend against the annual budget per funding source: the payable of the month's statements and of
 * every statement from January to the month, whatever their status (a draft's figures may still
 * change; they are what the month has cost so far), against ANNUAL_BUDGET_*_FEN.
 */
export async function settlementSpend(ctx: ReportContext): Promise<NonNullable<OverviewReport['spend']['settlement']>> {
  const yearToDate = await statementsOfYearToDate(ctx.month, ctx.config, ctx.now);
  const ofMonth = yearToDate.filter((statement) => statement.period === ctx.month);
  const sum = (statements: StatementForReports[], field: 'payableFen' | 'cityFen' | 'districtFen') => statements.reduce((total, statement) => total + statement.totals[field], 0);
  const source = (name: 'city' | 'district', field: 'cityFen' | 'districtFen', budgetFen: number | null) => {
    const yearToDateFen = sum(yearToDate, field);
    return { source: name, monthFen: sum(ofMonth, field), yearToDateFen, annualBudgetFen: budgetFen, yearToDateShareOfBudget: budgetFen ? rateOf(yearToDateFen, budgetFen) : null };
  };
  return {
    statementsOfMonth: {
      total: ofMonth.length,
      draft: ofMonth.filter((s) => s.status === 'draft').length,
      approved: ofMonth.filter((s) => s.status === 'approved').length,
      paid: ofMonth.filter((s) => s.status === 'paid').length,
    },
    payableMonthFen: sum(ofMonth, 'payableFen'),
    payableYearToDateFen: sum(yearToDate, 'payableFen'),
    fundingSources: [source('city', 'cityFen', ctx.config.annualBudget.cityFen), source('district', 'districtFen', ctx.config.annualBudget.districtFen)],
    // The same statements, read once: the run-rate counts only the months already approved (budget-run-rate.ts).
    runRate: budgetRunRate(ctx.month, yearToDate, { city: ctx.config.annualBudget.cityFen, district: ctx.config.annualBudget.districtFen }),
  };
}

/** Every approved statement still unpaid, whatever its period, with how late its payment is. */
export async function unpaidStatements(ctx: ReportContext): Promise<UnpaidStatementRow[]> {
  return (await unpaidApprovedStatements(ctx.config, ctx.now)).map((statement) => ({
    statementId: statement.id,
    period: statement.period,
    providerId: statement.providerId,
    providerName: statement.providerName,
    payableFen: statement.totals.payableFen,
    approvedAt: statement.approvedAt,
    paymentDueAt: statement.paymentDueAt,
    paymentOverdue: statement.paymentOverdue,
    daysOverdue: statement.paymentOverdue && statement.paymentDueAt ? Math.floor((ctx.now.getTime() - statement.paymentDueAt.getTime()) / DAY_MS) : 0,
  }));
}

export async function paymentTimeliness(ctx: ReportContext): Promise<NonNullable<OverviewReport['paymentTimeliness']>> {
  const statements = await unpaidStatements(ctx);
  const overdue = statements.filter((statement) => statement.paymentOverdue);
  return {
    paymentDueDays: ctx.config.paymentDueDays,
    unpaidApproved: statements.length,
    overdue: overdue.length,
    overdueFen: overdue.reduce((total, statement) => total + statement.payableFen, 0),
    statements,
  };
}

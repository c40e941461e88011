import type { BudgetRunRate, SourceRunRate as RunRateSource } from '../../../../src/reports/budget-run-rate.ts';
import type { OverviewReport } from '../../api/types.ts';
import { yuan } from '../../format.ts';
import { FUNDING_LABELS } from '../../labels.ts';

// The overview's budget run-rate (GET /reports/overview spend.settlement.runRate; the service's
// src/reports/budget-run-rate.ts says which months count): the year-end projection per funding
// source and its warning at 90 % of the annual budget, in the words a finance officer reads out.

/** The run-rate beside the report's settlement figures (absent for street and community roles). */
export function runRateOf(report: OverviewReport | null): BudgetRunRate | null {
  const settlement = report?.spend.settlement as (NonNullable<OverviewReport['spend']['settlement']> & { runRate?: BudgetRunRate }) | null | undefined;
  return settlement?.runRate ?? null;
}

const percent = (share: number | null) => (share === null ? '—' : `${Math.round(share * 1000) / 10}%`);

/** "按目前每月支出，市级财政资金预计年底用到年度预算的 96%（预计超支 ¥…）". */
export function warningText(source: RunRateSource): string {
  const name = FUNDING_LABELS[source.source] ?? source.source;
  const over = source.projectedOverBudgetFen
    ? `，预计超支 ${yuan(source.projectedOverBudgetFen)}`
    : `，距预算仅余 ${yuan((source.annualBudgetFen ?? 0) - (source.projectedYearEndFen ?? 0))}`;
  return `按目前每月支出，${name}资金预计年底用到年度预算的 ${percent(source.projectedShareOfBudget)}（预计全年 ${yuan(source.projectedYearEndFen)}，预算 ${yuan(source.annualBudgetFen)}${over}）`;
}

/** The projection line under each source in the funding card. */
export function projectionText(source: RunRateSource, rate: BudgetRunRate): string {
  if (source.projectedYearEndFen === null) return `${rate.year}年尚无已审核完的月份，暂不推算年底支出`;
  const share = source.annualBudgetFen ? `，占预算 ${percent(source.projectedShareOfBudget)}` : '';
  return `按已审核的 ${rate.settledMonths} 个月平均每月 ${yuan(source.runRateFen)}，预计全年 ${yuan(source.projectedYearEndFen)}${share}`;
}

/** Months whose statements are not all approved yet: their money is shown, not counted in the projection. */
export function pendingText(rate: BudgetRunRate): string | null {
  const pending = rate.months.filter((month) => !month.settled);
  if (pending.length === 0) return null;
  const amounts = rate.sources.map((source) => `${FUNDING_LABELS[source.source] ?? source.source} ${yuan(source.pendingFen)}`).join('、');
  return `${pending.map((month) => `${Number(month.period.slice(5, 7))}月`).join('、')}的结算单尚未全部审核（${amounts}），未计入推算，按月均支出估计`;
}

import { rateOf } from './figures.ts';

/*
 * The budget's run-rate (issue 21, point 6): per funding source, where the year's spend will end if
 * every month still to come costs what the settled months cost on average.
 *
 * What counts — what a finance officer can stand behind when telling the bureau "we will run out":
 *   - a month is *settled* when settlement has made its statements and every one of them is
 *     approved or paid: its figures no longer move (later corrections come as adjustment lines of a
 *     later month). The settled months' city and district shares are the year's committed spend;
 *   - a month with a draft among its statements is *pending*: its figures may still change (a
 *     dispute takes a line out, a review callback fails), so it is shown apart (`pendingFen`) and
 *     projected at the run-rate like a month to come, never added to the committed spend;
 *   - run-rate = committed spend / settled months; projected year end = committed spend +
 *     run-rate × the months still to spend (after the last settled month, plus any pending one
 *     before it; a month before it without statements spent nothing), computed from the exact average and rounded to the fen once
 *     (half up), so the projection does not carry the rounding of the monthly rate eleven times;
 *   - warning when the projection reaches 90 % of the annual budget (compared in integer fen, not
 *     on the rounded share). Without a budget, or before any month is settled, there is nothing to
 *     warn about.
 * Only the months of the year up to the report month count: the overview of May tells what was
 * known at the end of May.
 */

export const BUDGET_WARNING_PCT = 90;
export const MONTHS_IN_YEAR = 12;
export const FUNDING_SOURCES = ['city', 'district'] as const;
export type FundingSource = (typeof FUNDING_SOURCES)[number];

/** A statement as the run-rate reads it: its period, status and the exact split of its payable. */
export interface StatementFigures {
  period: string;
  status: string;
  totals: { cityFen: number; districtFen: number };
}

export interface RunRateMonth {
  period: string;
  settled: boolean;
  statements: number;
  cityFen: number;
  districtFen: number;
}

export interface SourceRunRate {
  source: FundingSource;
  settledFen: number;
  pendingFen: number;
  runRateFen: number | null;
  projectedYearEndFen: number | null;
  annualBudgetFen: number | null;
  projectedShareOfBudget: number | null;
  projectedOverBudgetFen: number | null;
  warning: boolean;
}

export interface BudgetRunRate {
  year: string;
  throughPeriod: string;
  months: RunRateMonth[];
  settledMonths: number;
  remainingMonths: number;
  warningThresholdPct: number;
  sources: SourceRunRate[];
}

const FIELD: Record<FundingSource, 'cityFen' | 'districtFen'> = { city: 'cityFen', district: 'districtFen' };
const COUNTED = new Set(['approved', 'paid']);

/** The run-rate as of `throughPeriod` (YYYY-MM) from the statements of its year up to it. */
export function budgetRunRate(throughPeriod: string, statements: StatementFigures[], budgets: Record<FundingSource, number | null>): BudgetRunRate {
  const year = throughPeriod.slice(0, 4);
  const byPeriod = new Map<string, RunRateMonth>();
  for (const statement of statements) {
    if (statement.period.slice(0, 4) !== year || statement.period > throughPeriod) continue;
    const month = byPeriod.get(statement.period) ?? { period: statement.period, settled: true, statements: 0, cityFen: 0, districtFen: 0 };
    month.statements += 1;
    month.settled &&= COUNTED.has(statement.status);
    month.cityFen += statement.totals.cityFen;
    month.districtFen += statement.totals.districtFen;
    byPeriod.set(statement.period, month);
  }
  const months = [...byPeriod.values()].sort((a, b) => a.period.localeCompare(b.period));
  const settledMonths = months.filter((month) => month.settled).length;
  // The months still to spend: those after the last settled one, and any pending before it. A month
  // before it with no statement at all spent nothing — the programme had not started (a district's
  // first year begins when it goes live) or nobody was served — and is not projected: counting
  // 12 − settled months would project a September launch as if it had run since January.
  const lastSettled = months.filter((month) => month.settled).at(-1);
  const lastSettledIndex = lastSettled ? Number(lastSettled.period.slice(5, 7)) : 0;
  const pendingBefore = months.filter((month) => !month.settled && month.period < (lastSettled?.period ?? '')).length;
  const remainingMonths = MONTHS_IN_YEAR - lastSettledIndex + pendingBefore;
  const sources = FUNDING_SOURCES.map((source) => sourceRunRate(source, months, settledMonths, remainingMonths, budgets[source]));
  return { year, throughPeriod, months, settledMonths, remainingMonths, warningThresholdPct: BUDGET_WARNING_PCT, sources };
}

function sourceRunRate(source: FundingSource, months: RunRateMonth[], settledMonths: number, remainingMonths: number, budgetFen: number | null): SourceRunRate {
  const field = FIELD[source];
  const settledFen = months.filter((month) => month.settled).reduce((total, month) => total + month[field], 0);
  const pendingFen = months.filter((month) => !month.settled).reduce((total, month) => total + month[field], 0);
  const budget = budgetFen ? budgetFen : null;
  if (settledMonths === 0) {
    return { source, settledFen, pendingFen, runRateFen: null, projectedYearEndFen: null, annualBudgetFen: budgetFen, projectedShareOfBudget: null, projectedOverBudgetFen: null, warning: false };
  }
  const projectedYearEndFen = settledFen + roundHalfUp((settledFen * remainingMonths) / settledMonths);
  return {
    source,
    settledFen,
    pendingFen,
    runRateFen: roundHalfUp(settledFen / settledMonths),
    projectedYearEndFen,
    annualBudgetFen: budgetFen,
    projectedShareOfBudget: budget ? rateOf(projectedYearEndFen, budget) : null,
    projectedOverBudgetFen: budget ? Math.max(0, projectedYearEndFen - budget) : null,
    warning: budget !== null && projectedYearEndFen * 100 >= budget * BUDGET_WARNING_PCT,
  };
}

/** Half a fen up, for negative figures too (a month of refunds), so the rule does not depend on the sign. */
const roundHalfUp = (value: number): number => Math.floor(value + 0.5);

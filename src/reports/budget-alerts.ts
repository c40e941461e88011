import { z } from 'zod';
import type { Config } from '../config/env.ts';
import { activeUserIdsWithRole } from '../identity/index.ts';
import { enqueueNotification } from '../notifications/index.ts';
import { statementsOfYearToDate } from '../settlement/index.ts';
import type { JobDefinition } from '../shared/job-definition.ts';
import { yuanText } from '../shared/money.ts';
import { businessMonth } from '../shared/time.ts';
import { budgetRunRate, BUDGET_WARNING_PCT, type FundingSource } from './budget-run-rate.ts';

const SOURCE_ZH: Record<FundingSource, string> = { city: '市级财政', district: '区级财政' };

/**
 * Tells every active finance officer, once a year per funding source, that the source's year-end
 * projection (budget-run-rate.ts, as of the current month) has reached 90 % of its budget. The
 * dedupe key is the year, the source and the officer, so the daily run — or a repeated one — sends
 * nothing again once sent, even if the projection dips below and passes the mark again; an officer
 * who joins later gets it on the next run. Settlement approval does not trigger it: the job runs
 * each morning, so a month approved yesterday is in today's projection. Reads the year's
 * statements (providers × months, not their lines).
 */
export async function alertBudgetRunRate(config: Config, now: Date = new Date()): Promise<{ sourcesOverThreshold: number; notified: number }> {
  const month = businessMonth(now, config.businessTimeZone);
  const statements = await statementsOfYearToDate(month, config, now);
  const runRate = budgetRunRate(month, statements, { city: config.annualBudget.cityFen, district: config.annualBudget.districtFen });
  const warned = runRate.sources.filter((source) => source.warning);
  if (warned.length === 0) return { sourcesOverThreshold: 0, notified: 0 };
  const officers = await activeUserIdsWithRole('finance_officer');
  let notified = 0;
  for (const source of warned) {
    for (const userId of officers) {
      const notification = await enqueueNotification({
        dedupeKey: `budget-run-rate:${runRate.year}:${source.source}:${userId}`,
        channel: 'staff_message',
        recipient: { kind: 'user', userId },
        template: 'budget_run_rate',
        params: {
          year: runRate.year, fundingSource: SOURCE_ZH[source.source], settledMonths: runRate.settledMonths,
          projectedYuan: yuanText(source.projectedYearEndFen ?? 0), budgetYuan: yuanText(source.annualBudgetFen ?? 0),
          projectedSharePct: ((source.projectedShareOfBudget ?? 0) * 100).toFixed(1),
        },
        subject: { type: 'funding_source', id: `${runRate.year}-${source.source}` },
      }, config.pii, now);
      if (notification.createdAt.getTime() === now.getTime()) notified += 1;
    }
  }
  return { sourcesOverThreshold: warned.length, notified };
}

/** Daily 07:30, before the office opens: the budget warning to finance (above). */
export const budgetRunRateJob: JobDefinition<Record<string, never>> = {
  name: 'budget-run-rate',
  description: `预算执行预警：按已审核月份的平均支出推算市级、区级资金年底支出，预计达到年度预算的 ${BUDGET_WARNING_PCT}% 时通知财务人员（每个资金来源每年只通知一次；每天 07:30）`,
  schedule: '0 30 7 * * *',
  params: z.object({}).strict(),
  paramsForTick: () => ({}),
  leaseMs: 10 * 60_000,
  async run(_params, { config }) {
    return { ...(await alertBudgetRunRate(config)) };
  },
};

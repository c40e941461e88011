import { z } from 'zod';
import { recordAudit } from '../audit/index.ts';
import type { Config } from '../config/env.ts';
import type { JobRunner } from '../jobs/index.ts';
import { DomainError } from '../shared/errors.ts';
import type { JobDefinition } from '../shared/job-definition.ts';
import type { Actor } from '../shared/roles.ts';
import { addMonths, businessMonth } from '../shared/time.ts';
import { policyForMonth } from '../vouchers/index.ts';
import { assertPeriodRunnable, runSettlement } from './settlement-run.service.ts';
import { breakdownView } from './run-breakdown.ts';
import { RunProgressModel } from './settlement.model.ts';
import { periodField } from './settlement.schemas.ts';
import { SETTLEMENT_JOB_NAME } from './statement-approval.ts';
import { periodResult } from './statements.query.ts';
import { bilingual } from '../shared/i18n.ts';

/**
 * 1st of the month, 02:00 Asia/Shanghai: the previous month. On start, a previous month whose run
 * never completed is run (or resumed) once. The job's lease is what keeps two runs — two
 * instances, or a tick and a finance officer's request — from working at once.
 */
export const settlementJob: JobDefinition<{ period: string }> = {
  name: SETTLEMENT_JOB_NAME,
  description: '与每个服务商结算上个月的服务（每月 1 日 02:00）',
  schedule: '0 0 2 1 * *',
  params: z.object({ period: periodField }).strict(),
  paramsForTick: (at, config) => ({ period: addMonths(businessMonth(at, config.businessTimeZone), -1) }),
  leaseMs: 10 * 60_000,
  async catchUp(now, config) {
    const period = addMonths(businessMonth(now, config.businessTimeZone), -1);
    if ((await RunProgressModel.findById(period).lean())?.status === 'completed' || !(await policyForMonth(period))) return null;
    return { key: `settlement:${period}`, params: { period } };
  },
  async run({ period }, { runId, config, signal, requestedBy }) {
    // Whose run it is (a finance officer's may not give its statements the second signature); what
    // the run writes stays the system's, as a scheduled run's does.
    return { ...(await runSettlement(period, { by: 'system', startedBy: requestedBy, runId, config, signal })) };
  },
};

/**
 * A finance officer's run (POST /settlements): through the job runner, so it takes the same lease
 * as the monthly tick — a second request while one runs answers 409 JOB_RUNNING — and waits for
 * the run to end. Progress meanwhile: GET /settlements/runs/:period.
 */
export async function runSettlementOnRequest(runner: JobRunner, period: string, call: { actor: Actor; config: Config; requestId: string }) {
  assertPeriodRunnable(period, new Date(), call.config.businessTimeZone);
  if (!(await policyForMonth(period))) throw new DomainError('RULE_VIOLATION', [{ path: 'period', message: `${period} 没有生效的服务券政策` }]);
  const job = runner.definition(SETTLEMENT_JOB_NAME);
  if (!job) throw new Error('the settlement job is not registered');
  const started = await runner.start(job, { params: { period }, trigger: 'manual', requestedBy: call.actor.id });
  if (!started) throw new DomainError('JOB_RUNNING');
  await recordAudit({ actor: call.actor, action: 'settlement.run', entityType: 'settlement_period', entityId: period, requestId: call.requestId, after: { runId: String(started.run._id) } });
  const run = await started.completion;
  if (run.status !== 'succeeded') {
    if (/interrupt|lease lost/.test(run.error ?? '')) throw new DomainError('SERVICE_UNAVAILABLE', [{ path: 'period', message: bilingual('结算运行中断，请再次运行，将从中断处继续', 'the run was interrupted; run it again to resume where it stopped') }]);
    throw new Error(`settlement run ${String(run._id)} ended ${run.status}: ${run.error ?? ''}`);
  }
  const progress = await RunProgressModel.findById(period, { ordersSeen: 1, breakdown: 1 }).lean();
  return {
    ...(await periodResult(period, call.config)), runId: String(run._id), counts: (run.counts ?? {}) as Record<string, number>,
    breakdown: breakdownView(progress?.ordersSeen ?? 0, progress?.breakdown),
  };
}

import { z } from 'zod';
import type { JobDefinition } from '../shared/job-definition.ts';
import { addDaysToDay, businessDay, businessMonth } from '../shared/time.ts';
import { expireThrough } from './expiry.ts';
import { isAnchorLapseDay, expiryCutoffOn } from './expiry-cutoff.ts';
import { issueMonth } from './issuance.service.ts';
import { isIssuanceComplete } from './issued-months.ts';
import { AccountModel } from './ledger.model.ts';
import { policyForMonth } from './policy.service.ts';
import { reconcileLedger } from './reconciliation.ts';

const monthParams = z.object({ month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/) }).strict();

/** 1st of the month, 00:05 Asia/Shanghai; on start, a month that was never completed is issued. */
export const voucherIssuanceJob: JobDefinition<{ month: string }> = {
  name: 'voucher-issuance',
  description: '向每位在册或暂停服务的老人发放当月服务券（每月 1 日 00:05）',
  schedule: '0 5 0 1 * *',
  params: monthParams,
  paramsForTick: (at, config) => ({ month: businessMonth(at, config.businessTimeZone) }),
  leaseMs: 10 * 60_000,
  async catchUp(now, config) {
    const month = businessMonth(now, config.businessTimeZone);
    if ((await isIssuanceComplete(month)) || !(await policyForMonth(month))) return null;
    return { key: `voucher-issuance:${month}`, params: { month } };
  },
  async run({ month }, { signal }) {
    const result = await issueMonth(month, 'system', signal);
    return { issued: result.issued, skipped: result.skipped, totalFen: result.totalFen, zeroAmount: result.zeroAmount, expiredFen: result.expiredFen };
  },
};

const expiryParams = z.object({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/),
  /** The run's day; without it, the 1st of `month`. */
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
}).strict();

/**
 * Daily, 00:01: on the 1st, lapses what the previous month's policy lets expire, on every account —
 * also those of seniors issuance no longer visits; on another day, only an anchor_date policy's lapse
 * of the day before. Issuance does the same per senior first, so the order of the two jobs does not
 * matter; the expiry keys (the cutoff month) make each lapse happen once, whichever run took it.
 */
export const voucherExpiryJob: JobDefinition<{ month: string; day?: string }> = {
  name: 'voucher-expiry',
  description: '使到期的服务券额度失效（每天 00:01：月初按月失效和顺延，固定日期失效在失效日的次日）',
  schedule: '0 1 0 * * *',
  params: expiryParams,
  paramsForTick: (at, config) => ({ month: businessMonth(at, config.businessTimeZone), day: businessDay(at, config.businessTimeZone) }),
  leaseMs: 10 * 60_000,
  async run({ month, day }, { signal }) {
    const today = day ?? `${month}-01`;
    const policy = await policyForMonth(addDaysToDay(today, -1).slice(0, 7));
    const nothing = { accounts: 0, expired: 0, expiredFen: 0 };
    if (!policy || (!today.endsWith('-01') && !isAnchorLapseDay(policy.expiry, today))) return nothing;
    const cutoffMonth = expiryCutoffOn(policy.expiry, today);
    if (!cutoffMonth) return nothing;
    let accounts = 0;
    let expired = 0;
    let expiredFen = 0;
    for await (const account of AccountModel.find({}, { _id: 1 }).lean().cursor({ batchSize: 1000 })) {
      if (signal.aborted) break;
      accounts += 1;
      const applied = await expireThrough({ seniorId: String(account._id), cutoffMonth, key: `expire:${String(account._id)}:${cutoffMonth}`, month: cutoffMonth, by: 'system', reason: policy.expiry.mode });
      if (applied?.isNew) {
        expired += 1;
        expiredFen += -applied.entry.balanceDeltaFen;
      }
    }
    return { accounts, expired, expiredFen };
  },
};

/** Daily 03:00: accounts against their entries; findings recorded, never "fixed". */
export const voucherReconciliationJob: JobDefinition<Record<string, never>> = {
  name: 'voucher-reconciliation',
  description: '逐个核对服务券账户与台账记录（每天 03:00）',
  schedule: '0 0 3 * * *',
  params: z.object({}).strict(),
  paramsForTick: () => ({}),
  leaseMs: 10 * 60_000,
  async run(_params, { runId, logger, signal }) {
    return { ...(await reconcileLedger(runId, logger, signal)) };
  },
};

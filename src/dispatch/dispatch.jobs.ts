import { z } from 'zod';
import type { JobDefinition } from '../shared/job-definition.ts';
import { repairOrderCounts } from './order-counts.ts';
import { sweepExpiredOffers } from './order-offers.service.ts';

/** Every minute: expired offers move on to the next provider (or to a human when none is left). */
export const offerSweeperJob: JobDefinition<Record<string, never>> = {
  name: 'offer-sweeper',
  description: '重新派出超时无人应答的派单（每分钟）',
  schedule: '0 * * * * *',
  params: z.object({}).strict(),
  paramsForTick: () => ({}),
  leaseMs: 2 * 60_000,
  async run(_params, { config, logger }) {
    return { ...(await sweepExpiredOffers(config, logger)) };
  },
};

/** Nightly: the maintained order counts recounted from the orders (a crash between an order's write and its count). */
export const orderCountsRepairJob: JobDefinition<Record<string, never>> = {
  name: 'order-counts-repair',
  description: '按工单重新核对维护的计数（列表总数、服务商每日接单量）（每天 03:40）',
  schedule: '0 40 3 * * *',
  params: z.object({}).strict(),
  paramsForTick: () => ({}),
  leaseMs: 30 * 60_000,
  async run() {
    return { ...(await repairOrderCounts()) };
  },
};

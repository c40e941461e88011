import { z } from 'zod';
import type { JobDefinition } from '../shared/job-definition.ts';
import { repairOrderCounts } from './order-counts.ts';
import { sweepExpiredOffers } from './order-offers.service.ts';

/** Every minute: expired offers move on to the next provider (or to a human when none is left). */
export const offerSweeperJob: JobDefinition<Record<string, never>> = {
  name: 'offer-sweeper',
  description: 'Re-dispatch offers that expired without an answer (every minute)',
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
  description: 'Recount the maintained order counts (list totals, providers\' daily load) from the orders (daily 03:40)',
  schedule: '0 40 3 * * *',
  params: z.object({}).strict(),
  paramsForTick: () => ({}),
  leaseMs: 30 * 60_000,
  async run() {
    return { ...(await repairOrderCounts()) };
  },
};

import { z } from 'zod';
import type { JobDefinition } from '../shared/job-definition.ts';
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

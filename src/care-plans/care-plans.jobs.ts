import { z } from 'zod';
import type { JobDefinition } from '../shared/job-definition.ts';
import { businessDay } from '../shared/time.ts';
import { generateCarePlanOrders } from './care-plan-generation.service.ts';

/**
 * Daily 01:30: the next seven days of every active plan. Also once at start for the day (keyed by
 * the day), so a day whose tick was missed still gets its orders; claims make extra runs harmless.
 */
export const carePlanGenerationJob: JobDefinition<{ day?: string }> = {
  name: 'care-plan-generation',
  description: '为执行中的照护计划生成未来 7 天的工单（每天 01:30）',
  schedule: '0 30 1 * * *',
  params: z.object({ day: z.iso.date().optional() }).strict(),
  paramsForTick: (at, config) => ({ day: businessDay(at, config.businessTimeZone) }),
  leaseMs: 10 * 60_000,
  async catchUp(now, config) {
    const day = businessDay(now, config.businessTimeZone);
    return { key: `care-plan-generation:${day}`, params: { day } };
  },
  async run({ day }, { config, logger, signal }) {
    return { ...(await generateCarePlanOrders(config, logger, day ?? businessDay(new Date(), config.businessTimeZone), 7, { signal })) };
  },
};

import { z } from 'zod';
import type { JobDefinition } from '../shared/job-definition.ts';
import { deliverDueNotifications } from './notification.delivery.ts';

/** Every minute: send what is due in the outbox; failures come back with growing backoff. */
export const notificationsDeliverJob: JobDefinition<Record<string, never>> = {
  name: 'notifications-deliver',
  description: '发送待发通知，失败的按退避间隔重试（每分钟）',
  schedule: '0 * * * * *',
  params: z.object({}).strict(),
  paramsForTick: () => ({}),
  leaseMs: 2 * 60_000,
  async run(_params, { config, logger, signal }) {
    return { ...(await deliverDueNotifications({ keys: config.pii, logger, signal })) };
  },
};

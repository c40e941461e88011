import { z } from 'zod';
import type { JobDefinition } from '../shared/job-definition.ts';
import { deliverDueNotifications } from './notification.delivery.ts';
import { senderFor } from './notification.sender.ts';
import { expireQuestions } from './sms-questions.service.ts';

/** Every minute: send what is due in the outbox; failures come back with growing backoff. */
export const notificationsDeliverJob: JobDefinition<Record<string, never>> = {
  name: 'notifications-deliver',
  description: '发送待发通知，失败的按退避间隔重试（每分钟）',
  schedule: '0 * * * * *',
  params: z.object({}).strict(),
  paramsForTick: () => ({}),
  leaseMs: 2 * 60_000,
  async run(_params, { config, logger, signal }) {
    const quietHours = { ...config.sms.quietHours, timeZone: config.businessTimeZone };
    return { ...(await deliverDueNotifications({ keys: config.pii, logger, signal, sender: senderFor(config.sms), quietHours })) };
  },
};

/** Every 15 minutes: questions nobody answered within SMS_ANSWER_HOURS go to the community staff, once. */
export const smsQuestionsExpireJob: JobDefinition<Record<string, never>> = {
  name: 'sms-questions-expire',
  description: '短信询问超过回复时限（默认 48 小时）仍未回复的，转给社区工作者电话回访（每 15 分钟，每个询问只转一次）',
  schedule: '0 */15 * * * *',
  params: z.object({}).strict(),
  paramsForTick: () => ({}),
  leaseMs: 5 * 60_000,
  async run(_params, { config, signal }) {
    return { ...(await expireQuestions({ keys: config.pii, now: new Date(), signal })) };
  },
};

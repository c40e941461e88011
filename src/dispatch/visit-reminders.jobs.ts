import { z } from 'zod';
import type { Config } from '../config/env.ts';
import { enqueueNotification } from '../notifications/index.ts';
import type { JobDefinition } from '../shared/job-definition.ts';
import { OrderModel } from './order.model.ts';

/** A completed visit still unconfirmed this long after check-out gets one reminder to its community. */
export const UNCONFIRMED_AFTER_MS = 48 * 60 * 60_000;

/**
 * Reminds community staff of completed visits nobody confirmed within 48 hours (no visit code at
 * check-out and no callback yet). The dedupe key is the order, so repeated runs remind once.
 */
export async function remindUnconfirmedVisits(config: Config, now: Date = new Date(), signal?: AbortSignal): Promise<{ unconfirmed: number; reminded: number }> {
  const cutoff = new Date(now.getTime() - UNCONFIRMED_AFTER_MS);
  let unconfirmed = 0;
  let reminded = 0;
  const orders = OrderModel.find({ status: 'completed', 'checkOut.at': { $lt: cutoff } }, { communityId: 1, serviceTypeCode: 1, scheduledDay: 1 }).lean().cursor({ batchSize: 500 });
  for await (const order of orders) {
    if (signal?.aborted) break;
    unconfirmed += 1;
    const orderId = String(order._id);
    const notification = await enqueueNotification({
      dedupeKey: `visit-unconfirmed:${orderId}`,
      channel: 'staff_message',
      recipient: { kind: 'community_staff', communityId: order.communityId },
      template: 'visit_unconfirmed',
      params: { orderId, serviceTypeCode: order.serviceTypeCode, scheduledDay: order.scheduledDay },
      subject: { type: 'order', id: orderId },
    }, config.pii, now);
    if (notification.createdAt.getTime() === now.getTime()) reminded += 1;
  }
  return { unconfirmed, reminded };
}

/** Daily 09:00, in office hours: completed visits unconfirmed after 48 hours. */
export const visitRemindersJob: JobDefinition<Record<string, never>> = {
  name: 'unconfirmed-visit-reminders',
  description: '提醒社区工作者回访服务完成 48 小时仍未核验的工单（每天 09:00）',
  schedule: '0 0 9 * * *',
  params: z.object({}).strict(),
  paramsForTick: () => ({}),
  leaseMs: 10 * 60_000,
  async run(_params, { config, signal }) {
    return { ...(await remindUnconfirmedVisits(config, new Date(), signal)) };
  },
};

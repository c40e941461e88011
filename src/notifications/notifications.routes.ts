import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import type { z } from 'zod';
import type { Config } from '../config/env.ts';
import { DomainError } from '../shared/errors.ts';
import { createRouteGroup } from '../shared/http/route.ts';
import { bilingual } from '../shared/i18n.ts';
import { businessInstant } from '../shared/time.ts';
import { notificationsPageSchema, notificationsQuerySchema } from './notifications.schemas.ts';
import { listNotifications } from './notifications.service.ts';
import { applyReceipts } from './sms-receipts.service.ts';
import { receiveReply } from './sms-replies.service.ts';
import { smsReportBody, smsUpBody, webhookAnswer, webhookQuery } from './sms-webhook.schemas.ts';

const { router, route } = createRouteGroup('/api/v1');

route({
  method: 'get',
  path: '/notifications',
  summary: 'List the notification outbox, newest first (phones masked)',
  tags: ['notifications'],
  access: ['admin'],
  query: notificationsQuerySchema,
  success: { status: 200, schema: notificationsPageSchema, description: 'A page of notifications' },
  handler: ({ query }) => listNotifications(query),
});

/**
 * Alibaba Cloud pushes without any signature of its own (its SmsUp and SmsReport pushes are a bare
 * JSON array), so the push URLs configured there carry a shared secret, SMS_WEBHOOK_TOKEN, as
 * `?token=`: compared in constant time (HMACs of both, so their lengths say nothing) before the
 * body is even parsed. No token configured: every push is refused.
 */
function verifyWebhookToken(req: Request, config: Config): void {
  const given = typeof req.query.token === 'string' ? req.query.token : '';
  const expected = config.sms.webhookToken;
  const digest = (value: string) => createHmac('sha256', 'sms-webhook').update(value).digest();
  if (!expected || !given || !timingSafeEqual(digest(given), digest(expected))) {
    throw new DomainError('UNAUTHENTICATED', [{ path: 'token', message: bilingual('推送地址中的令牌缺失或不正确', 'the push URL token is missing or wrong') }]);
  }
}

const ACCEPTED = { code: 0 as const, msg: '接收成功' };
/** The provider's `YYYY-MM-DD HH:mm:ss` (Beijing time) as an instant; null if it is not one. */
const pushTime = (value: string | undefined, timeZone: string) => {
  const match = value?.match(/^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})$/);
  const instant = match ? businessInstant(match[1] as string, match[2] as string, timeZone) : null;
  return instant && !Number.isNaN(instant.getTime()) ? instant : null;
};

/** A provider's push: anonymous but for the URL's secret, its body as the provider documents it, answered as it expects. */
function pushRoute<B extends z.ZodType>(push: { path: string; summary: string; body: B; description: string; take: (body: z.output<B>, config: Config) => Promise<unknown> }): void {
  route({
    method: 'post', path: push.path, summary: push.summary, tags: ['notifications'], access: 'public', verify: verifyWebhookToken, query: webhookQuery, body: push.body,
    success: { status: 200, schema: webhookAnswer, description: push.description },
    handler: async ({ body, config }) => {
      await push.take(body, config);
      return ACCEPTED;
    },
  });
}

pushRoute({
  path: '/notifications/sms/inbound',
  summary: 'SMS replies pushed by the provider (Alibaba Cloud SmsUp): each answers the latest question sent to its phone (shared-secret URL; unsigned → 401)',
  body: smsUpBody,
  description: 'Taken (each message once, by its sequence_id)',
  take: async (body, config) => {
    for (const item of body) {
      await receiveReply({ provider: 'aliyun', messageId: String(item.sequence_id), phone: item.phone_number, text: item.content, sentAt: pushTime(item.send_time, config.businessTimeZone) }, config);
    }
  },
});

pushRoute({
  path: '/notifications/sms/reports',
  summary: "SMS delivery receipts pushed by the provider (Alibaba Cloud SmsReport): the outbox's delivered or failed (shared-secret URL; unsigned → 401)",
  body: smsReportBody,
  description: 'Taken (a receipt that comes again changes nothing)',
  take: (body, config) => applyReceipts(body.map((item) => ({
    outId: item.out_id || null, providerMessageId: item.biz_id || null, success: item.success, code: item.err_code ?? (item.success ? 'DELIVERED' : 'UNKNOWN'),
    message: item.err_msg ?? '', reportedAt: pushTime(item.report_time, config.businessTimeZone),
  })), config.pii),
});

export const notificationsRouter = router;

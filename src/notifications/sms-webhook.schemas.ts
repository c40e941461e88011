import { z } from 'zod';
import { bilingual } from '../shared/i18n.ts';

/*
 * Alibaba Cloud SMS's HTTP batch pushes (短信服务 → 通用设置 → HTTP批量推送): a JSON array per push,
 * SmsUp for the replies, SmsReport for the delivery receipts, each item as its documentation lists
 * it. Objects are loose on purpose: the provider adds fields over time, and a push refused for one
 * it added would be retried three times and then dropped.
 */

const aliyunTime = z.string().max(40).openapi({ description: 'YYYY-MM-DD HH:mm:ss, Beijing time', example: '2026-12-03 09:15:00' });

export const smsUpItemSchema = z.looseObject({
  phone_number: z.string().min(5).max(20).regex(/^\+?\d+$/, bilingual('手机号格式不正确', 'not a phone number')),
  send_time: aliyunTime.optional(),
  content: z.string().max(2_000),
  sign_name: z.string().max(50).optional(),
  dest_code: z.string().max(40).optional(),
  sequence_id: z.union([z.number().int().nonnegative(), z.string().regex(/^\d{1,30}$/)]).openapi({ description: "The provider's id of the message: a second push of it changes nothing" }),
}).openapi('AliyunSmsUp');

export const smsReportItemSchema = z.looseObject({
  phone_number: z.string().max(20).optional(),
  send_time: aliyunTime.optional(),
  report_time: aliyunTime.optional(),
  success: z.boolean(),
  err_code: z.string().max(64).optional(),
  err_msg: z.string().max(500).optional(),
  sms_size: z.string().max(10).optional(),
  biz_id: z.string().max(100).optional(),
  out_id: z.string().max(200).optional(),
}).openapi('AliyunSmsReport');

export const smsUpBody = z.array(smsUpItemSchema).min(1).max(1_000).openapi('AliyunSmsUpPush');
export const smsReportBody = z.array(smsReportItemSchema).min(1).max(1_000).openapi('AliyunSmsReportPush');

/** The shared secret the provider's push URL carries (`?token=…`): Alibaba Cloud signs nothing it pushes. */
export const webhookQuery = z.object({
  token: z.string().max(200).optional().openapi({ description: 'SMS_WEBHOOK_TOKEN, as configured in the push URL' }),
}).strict();

/** The answer Alibaba Cloud expects (HTTP 200 and a numeric code); anything else is pushed again. */
export const webhookAnswer = z.object({ code: z.literal(0), msg: z.string() }).openapi('SmsWebhookAnswer');

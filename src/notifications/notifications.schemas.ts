import { z } from 'zod';
import { pageOf, pageQuery } from '../shared/http/pagination.ts';
import { dateTimeOut, nullableDateTimeOut } from '../shared/http/schemas.ts';
import { PHONE_PATTERN } from '../shared/pii.ts';
import { NOTIFICATION_CHANNELS, NOTIFICATION_STATUSES, RECIPIENT_KINDS } from './notification.model.ts';
import { bilingual } from '../shared/i18n.ts';

// Template parameters are stored, listed and logged in clear, so they must never carry personal
// data: a value that is a whole phone or ID number, or a key named like one, is refused.
const PII_PARAM_KEY = /^(phone|mobile|idNumber|address)$/i;
const PII_PARAM_VALUE = [
  /(?<![0-9A-Za-z])1[3-9]\d{9}(?![0-9A-Za-z])/, // mobile
  /(?<![0-9A-Za-z])0\d{2,3}-\d{7,8}(?![0-9A-Za-z])/, // landline with area code
  /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/, // resident ID number
  /(?<![0-9A-Za-z])\d{15}(?![0-9A-Za-z])/, // old 15-digit ID number
];

/** The key of the first parameter that looks like personal data, if any. */
export function piiParamKey(params: Record<string, string | number>): string | undefined {
  return Object.entries(params).find(([key, value]) => PII_PARAM_KEY.test(key) || PII_PARAM_VALUE.some((pattern) => pattern.test(String(value))))?.[0];
}

const id = z.string().min(1).max(128);

export const notificationInputSchema = z
  .object({
    /** Becomes the `_id`: the same key enqueued twice is one notification. */
    dedupeKey: z.string().min(1).max(200),
    channel: z.enum(NOTIFICATION_CHANNELS),
    recipient: z
      .object({
        kind: z.enum(RECIPIENT_KINDS),
        name: z.string().min(1).max(64).optional(),
        /** In clear from the caller; stored only encrypted and masked. */
        phone: z.string().regex(PHONE_PATTERN, bilingual('电话号码格式不正确', 'not a phone number')).optional(),
        communityId: id.optional(),
        userId: id.optional(),
      })
      .strict(),
    template: z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'snake_case template name'),
    params: z.record(z.string().max(64), z.union([z.string().max(500), z.number()])).default({}),
    subject: z.object({ type: z.string().min(1).max(64), id }).strict(),
    /** Not sent before this instant (a question asked at a set time); at once when absent. */
    notBefore: z.date().optional(),
    /** Kept back during quiet hours (SMS_QUIET_HOURS): true for what asks a senior or a family anything. */
    quietHours: z.boolean().optional(),
  })
  .strict()
  .superRefine((input, ctx) => {
    if (input.channel === 'sms' && !input.recipient.phone) ctx.addIssue({ code: 'custom', path: ['recipient', 'phone'], message: bilingual('短信须填写手机号', 'an SMS needs a phone number') });
    if (input.recipient.kind === 'community_staff' && !input.recipient.communityId) ctx.addIssue({ code: 'custom', path: ['recipient', 'communityId'], message: bilingual('发给社区工作者须选择社区', 'community staff are addressed by community') });
    if (input.recipient.kind === 'user' && !input.recipient.userId) ctx.addIssue({ code: 'custom', path: ['recipient', 'userId'], message: bilingual('发给用户须选择用户', 'a user is addressed by id') });
    const key = piiParamKey(input.params);
    if (key !== undefined) ctx.addIssue({ code: 'custom', path: ['params', key], message: bilingual('模板参数不能包含电话、身份证号或地址', 'template parameters must not carry a phone, ID number or address') });
  });

export type NotificationInput = z.input<typeof notificationInputSchema>;

export const notificationsQuerySchema = z.object({ status: z.enum(NOTIFICATION_STATUSES).optional(), channel: z.enum(NOTIFICATION_CHANNELS).optional(), ...pageQuery }).strict();

export const notificationSchema = z
  .object({
    id: z.string(),
    dedupeKey: z.string(),
    channel: z.enum(NOTIFICATION_CHANNELS),
    recipient: z.object({
      kind: z.enum(RECIPIENT_KINDS),
      name: z.string().nullable(),
      phoneMasked: z.string().nullable(),
      communityId: z.string().nullable(),
      userId: z.string().nullable(),
    }),
    template: z.string(),
    params: z.record(z.string(), z.union([z.string(), z.number()])),
    subject: z.object({ type: z.string(), id: z.string() }),
    status: z.enum(NOTIFICATION_STATUSES),
    attempts: z.number().int(),
    nextAttemptAt: nullableDateTimeOut,
    lastError: z.string().nullable(),
    createdAt: dateTimeOut,
    sentAt: nullableDateTimeOut,
    providerMessageId: z.string().nullable().openapi({ description: "The SMS provider's id of the accepted message (Alibaba Cloud: BizId)" }),
    receipt: z.object({ code: z.string(), success: z.boolean(), at: nullableDateTimeOut }).nullable()
      .openapi({ description: "The provider's delivery receipt: DELIVERED, or its reason code when the handset never got it" }),
  })
  .openapi('Notification');

export const notificationsPageSchema = pageOf(notificationSchema);

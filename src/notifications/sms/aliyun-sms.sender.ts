import { randomUUID } from 'node:crypto';
import type { SmsConfig } from '../../config/env.ts';
import type { DecryptedNotification, NotificationSender, SendOutcome } from '../notification.sender.ts';
import { percentEncode, signRpcRequest } from './aliyun-signature.ts';
import { TEMPLATE_PARAM_MAX_CHARS } from './sms-templates.ts';

export type AliyunSmsOptions = NonNullable<SmsConfig['aliyun']> & {
  /** How long one SendSms call may take before it counts as failed (and is retried). */
  timeoutMs?: number;
  /** The clock and nonce of a request: real ones by default; tests pin them. */
  now?: () => Date;
  nonce?: () => string;
};

/** A send the provider refused, with its error code (isv.BUSINESS_LIMIT_CONTROL, SignatureDoesNotMatch …). */
export class SmsProviderError extends Error {
  constructor(readonly code: string, message: string) {
    super(`aliyun ${code}: ${message}`);
    this.name = 'SmsProviderError';
  }
}

/** Timestamp as the API wants it: ISO 8601 in UTC to the second. */
const timestampOf = (instant: Date) => `${instant.toISOString().slice(0, 19)}Z`;

/** SendSms's parameters for one notification (everything but Signature). */
export function sendSmsParams(notification: DecryptedNotification, options: AliyunSmsOptions): Record<string, string> {
  const templateCode = options.templateCodes[notification.template];
  if (!templateCode) throw new SmsProviderError('TemplateCodeNotConfigured', `no template code in SMS_ALIYUN_TEMPLATE_CODES for ${notification.template}`);
  if (!notification.recipient.phone) throw new SmsProviderError('NoPhone', 'the notification has no phone');
  // Template variables are strings, each within the provider's length limit.
  const templateParam = Object.fromEntries(Object.entries(notification.params).map(([name, value]) => [name, [...String(value)].slice(0, TEMPLATE_PARAM_MAX_CHARS).join('')]));
  return {
    AccessKeyId: options.accessKeyId,
    Action: 'SendSms',
    Format: 'JSON',
    // Echoed in the delivery receipt's out_id: the outbox key the receipt updates.
    OutId: notification.id,
    PhoneNumbers: notification.recipient.phone,
    RegionId: options.regionId,
    SignName: options.signName,
    SignatureMethod: 'HMAC-SHA1',
    SignatureNonce: (options.nonce ?? randomUUID)(),
    SignatureVersion: '1.0',
    TemplateCode: templateCode,
    TemplateParam: JSON.stringify(templateParam),
    Timestamp: timestampOf((options.now ?? (() => new Date()))()),
    Version: '2017-05-25',
  };
}

/**
 * Alibaba Cloud SMS (dysmsapi, SendSms, API version 2017-05-25): one signed POST per message, the
 * parameters form-encoded in the body. `Code: "OK"` is accepted (BizId kept for the receipt); any
 * other code — or an HTTP failure, a timeout, an answer that is not the API's JSON — rejects, and
 * the outbox retries with backoff. The secret signs and is never sent, logged or put in an error.
 */
export function createAliyunSmsSender(options: AliyunSmsOptions): NotificationSender {
  return {
    async send(notification): Promise<SendOutcome> {
      const params = sendSmsParams(notification, options);
      const signature = signRpcRequest('POST', params, options.accessKeySecret);
      const body = Object.entries({ ...params, Signature: signature }).map(([name, value]) => `${percentEncode(name)}=${percentEncode(value)}`).join('&');
      const response = await fetch(options.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8', accept: 'application/json' },
        body,
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      const text = await response.text();
      let answer: { Code?: unknown; Message?: unknown; BizId?: unknown };
      try {
        answer = JSON.parse(text) as typeof answer;
      } catch {
        throw new SmsProviderError(`HTTP${response.status}`, 'the answer is not JSON');
      }
      if (answer.Code !== 'OK') throw new SmsProviderError(String(answer.Code ?? `HTTP${response.status}`), String(answer.Message ?? '').slice(0, 200));
      return { providerMessageId: typeof answer.BizId === 'string' ? answer.BizId : null };
    },
  };
}

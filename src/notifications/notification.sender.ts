import type { SmsConfig } from '../config/env.ts';
import { logger as appLogger, type Logger } from '../shared/logger.ts';
import type { NotificationView } from './notifications.service.ts';
import { createAliyunSmsSender } from './sms/aliyun-sms.sender.ts';

/** What a sender receives: the notification with the recipient's phone decrypted, if it has one. */
export interface DecryptedNotification extends Omit<NotificationView, 'recipient'> {
  recipient: NotificationView['recipient'] & { phone: string | null };
}

/**
 * Delivers one notification (an SMS gateway, a task in the hotline system, a staff inbox). Resolves
 * when the other side has accepted it; a rejection is retried with backoff. Delivery is at least
 * once — a crash between sending and recording repeats the send after the claim lapses — so a
 * sender that can should pass `id` (the dedupe key) on to the other side as its idempotency key.
 */
export interface NotificationSender {
  send(notification: DecryptedNotification): Promise<SendOutcome>;
}

/** What the other side said when it accepted: its id of the message, if it gives one (a receipt names it). */
export type SendOutcome = void | { providerMessageId: string | null };

/**
 * The default sender (PRODUCT.md §7): one log line per notification. The line names the recipient
 * by kind, masked phone and community or user only — never the clear phone, nor the name.
 */
export function createLogSender(log: Logger): NotificationSender {
  return {
    send(notification) {
      const { recipient } = notification;
      log.info(
        {
          notificationId: notification.id,
          channel: notification.channel,
          template: notification.template,
          params: notification.params,
          subject: notification.subject,
          recipient: { kind: recipient.kind, phoneMasked: recipient.phoneMasked, communityId: recipient.communityId, userId: recipient.userId },
        },
        'notification sent',
      );
      return Promise.resolve();
    },
  };
}

export const logSender: NotificationSender = createLogSender(appLogger);

let activeSender: NotificationSender = logSender;

/** Swaps the sender every later delivery uses; answers the previous one so it can be restored. */
export function setNotificationSender(sender: NotificationSender): NotificationSender {
  const previous = activeSender;
  activeSender = sender;
  return previous;
}

export const notificationSender = (): NotificationSender => activeSender;

const configured = new WeakMap<SmsConfig, NotificationSender>();

/**
 * The sender a delivery run uses under this configuration. SMS_PROVIDER=log: the active sender
 * (the log line, or what a test installed). SMS_PROVIDER=aliyun: SMS go to Alibaba Cloud and the
 * other channels (callback tasks, staff messages) still to the active sender.
 */
export function senderFor(sms: SmsConfig): NotificationSender {
  if (sms.provider === 'log' || !sms.aliyun) return activeSender;
  let sender = configured.get(sms);
  if (!sender) {
    const aliyun = createAliyunSmsSender(sms.aliyun);
    sender = { send: (notification) => (notification.channel === 'sms' ? aliyun.send(notification) : activeSender.send(notification)) };
    configured.set(sms, sender);
  }
  return sender;
}

import type { DecryptedNotification, NotificationInput, NotificationSender } from '../../src/notifications/index.ts';

export const CONTACT_PHONE = '13912345678';

let sequence = 0;

/** An SMS to a senior's emergency contact about an order, under a dedupe key of its own. */
export function emergencySms(overrides: Partial<NotificationInput> = {}): NotificationInput {
  sequence += 1;
  return {
    dedupeKey: `emergency:order-${sequence}:0`,
    channel: 'sms',
    recipient: { kind: 'emergency_contact', name: '王小明', phone: CONTACT_PHONE },
    template: 'emergency_alert',
    params: { seniorName: '王秀英', communityName: '安居苑' },
    subject: { type: 'order', id: `order-${sequence}` },
    ...overrides,
  };
}

/** A sender that keeps what it was given, optionally pausing so that concurrent runs interleave. */
export function recordingSender(pauseMs = 0): NotificationSender & { received: DecryptedNotification[] } {
  const received: DecryptedNotification[] = [];
  return {
    received,
    async send(notification) {
      if (pauseMs) await new Promise((resolve) => setTimeout(resolve, Math.random() * pauseMs));
      received.push(notification);
    },
  };
}

/** A gateway that is down, and whose error message echoes the number it was given. */
export function failingSender(): NotificationSender & { calls: number } {
  const sender = {
    calls: 0,
    send(notification: DecryptedNotification): Promise<void> {
      sender.calls += 1;
      return Promise.reject(new Error(`gateway unavailable for ${notification.recipient.phone ?? '-'}`));
    },
  };
  return sender;
}

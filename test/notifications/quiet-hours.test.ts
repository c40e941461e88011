import { expect } from 'chai';
import { askContextOf, askQuestions, deliverDueNotifications, enqueueNotification, isQuiet, logSender, nextSendableAt, setNotificationSender, type AskInput } from '../../src/notifications/index.ts';
import { NotificationModel } from '../../src/notifications/notification.model.ts';
import { QuestionModel } from '../../src/notifications/sms-question.model.ts';
import { testConfig } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { emergencySms, failingSender, recordingSender } from './notification.fixtures.ts';

const shanghai = (dayAndTime: string) => new Date(`${dayAndTime.replace(' ', 'T')}:00+08:00`);
const QUIET = { startMinute: 21 * 60, endMinute: 8 * 60, timeZone: 'Asia/Shanghai' };
const config = testConfig({ SMS_WEBHOOK_TOKEN: 'webhook-token-0123456789abcdef0123456789' });

function question(key: string): AskInput {
  return {
    key, subject: { type: 'service_order', id: key }, communityId: 'c1', recipient: { kind: 'senior', phone: '13912345678' }, template: 'visit_question',
    params: { month: '12', day: '3', provider: '安心养老', service: '助洁' }, reason: 'share',
    fallback: { dedupeKey: `task:${key}`, channel: 'callback_task', recipient: { kind: 'community_staff', communityId: 'c1' }, template: 'visit_question_unanswered', params: {}, subject: { type: 'service_order', id: key } },
  };
}

describe('quiet hours (21:00–08:00 Asia/Shanghai)', () => {
  it('holds an instant in the window to 08:00 — the next morning from the evening — and leaves the day alone', () => {
    expect(nextSendableAt(shanghai('2026-12-03 22:00'), QUIET).toISOString()).to.equal(shanghai('2026-12-04 08:00').toISOString());
    expect(nextSendableAt(shanghai('2026-12-03 21:00'), QUIET).toISOString()).to.equal(shanghai('2026-12-04 08:00').toISOString());
    expect(nextSendableAt(shanghai('2026-12-31 23:59'), QUIET).toISOString()).to.equal(shanghai('2027-01-01 08:00').toISOString());
    expect(nextSendableAt(shanghai('2026-12-04 07:59'), QUIET).toISOString()).to.equal(shanghai('2026-12-04 08:00').toISOString());
    for (const free of ['2026-12-04 08:00', '2026-12-04 13:00', '2026-12-04 20:59']) expect(nextSendableAt(shanghai(free), QUIET).toISOString(), free).to.equal(shanghai(free).toISOString());
    expect(isQuiet(shanghai('2026-12-04 12:30'), { ...QUIET, startMinute: 12 * 60, endMinute: 14 * 60 })).to.equal(true);
    expect(isQuiet(shanghai('2026-12-04 22:00'), { ...QUIET, startMinute: 0, endMinute: 0 })).to.equal(false);
  });

  describe('in the outbox', () => {
    useTestDatabase();
    beforeEach(clearCollections);
    afterEach(() => setNotificationSender(logSender));

    it('sends a question asked at 22:00 at 08:00 the next morning, and gives 48 hours from then to answer', async () => {
      const sender = recordingSender();
      setNotificationSender(sender);

      await askQuestions([question('q22')], askContextOf(config, shanghai('2026-12-03 22:00')));
      const night = await deliverDueNotifications({ keys: config.pii, now: shanghai('2026-12-03 22:30'), quietHours: QUIET });
      const dawn = await deliverDueNotifications({ keys: config.pii, now: shanghai('2026-12-04 07:59'), quietHours: QUIET });
      const morning = await deliverDueNotifications({ keys: config.pii, now: shanghai('2026-12-04 08:00'), quietHours: QUIET });

      expect([night.sent, dawn.sent, morning.sent]).to.deep.equal([0, 0, 1]);
      expect(sender.received.map((n) => n.id)).to.deep.equal(['sms-question:q22']);
      const sms = await NotificationModel.findById('sms-question:q22').lean();
      expect(sms).to.deep.include({ status: 'sent', quietHours: true, attempts: 1 });
      expect(sms!.sentAt!.toISOString()).to.equal(shanghai('2026-12-04 08:00').toISOString());
      const asked = await QuestionModel.findById('q22').lean();
      expect(asked!.sendAt.toISOString()).to.equal(shanghai('2026-12-04 08:00').toISOString());
      expect(asked!.expiresAt.toISOString()).to.equal(shanghai('2026-12-06 08:00').toISOString());
    });

    it('holds back a question that fell due before 21:00 but is delivered after it (a backlog) without spending an attempt; an emergency alert goes at once', async () => {
      const sender = recordingSender();
      setNotificationSender(sender);
      await askQuestions([question('q2055')], askContextOf(config, shanghai('2026-12-03 20:55')));
      await enqueueNotification(emergencySms({ dedupeKey: 'alarm' }), config.pii, shanghai('2026-12-03 21:05'));

      await deliverDueNotifications({ keys: config.pii, now: shanghai('2026-12-03 21:10'), quietHours: QUIET });

      expect(sender.received.map((n) => n.id)).to.deep.equal(['alarm']);
      const held = await NotificationModel.findById('sms-question:q2055').lean();
      expect(held).to.deep.include({ status: 'pending', attempts: 0 });
      expect(held!.nextAttemptAt!.toISOString()).to.equal(shanghai('2026-12-04 08:00').toISOString());
    });

    it('moves a retry that would fall in quiet hours to 08:00', async () => {
      setNotificationSender(failingSender());
      await askQuestions([question('q2059')], askContextOf(config, shanghai('2026-12-03 20:59')));

      const counts = await deliverDueNotifications({ keys: config.pii, now: shanghai('2026-12-03 20:59'), quietHours: QUIET });

      expect(counts.retried).to.equal(1);
      const retry = await NotificationModel.findById('sms-question:q2059').lean();
      expect(retry!.nextAttemptAt!.toISOString()).to.equal(shanghai('2026-12-04 08:00').toISOString());
    });
  });
});

import { expect } from 'chai';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import request from 'supertest';
import { jobs } from '../../src/capabilities.ts';
import {
  MAX_ATTEMPTS, createLogSender, deliverDueNotifications, enqueueNotification, logSender, notificationsDeliverJob, setNotificationSender,
} from '../../src/notifications/index.ts';
import { NotificationModel } from '../../src/notifications/notification.model.ts';
import { authFor, createTestApp, testConfig } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { CONTACT_PHONE, emergencySms, failingSender, recordingSender } from './notification.fixtures.ts';

const config = testConfig();
const MINUTE_MS = 60_000;
const at = (base: Date, ms: number) => new Date(base.getTime() + ms);

/** A pino logger whose lines land in an array, parsed. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      raw.push(chunk.toString());
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines, raw };
}

describe('notification delivery', () => {
  useTestDatabase();
  beforeEach(clearCollections);
  afterEach(() => setNotificationSender(logSender));

  it('sends a due notification once with the log sender, masked, and marks it sent', async () => {
    const { log, lines, raw } = capturingLogger();
    setNotificationSender(createLogSender(log));
    const created = new Date('2026-05-01T02:00:00.000Z');
    await enqueueNotification(emergencySms({ dedupeKey: 'emergency:o1:0', subject: { type: 'order', id: 'o1' } }), config.pii, created);

    const first = await deliverDueNotifications({ keys: config.pii, now: at(created, 1000) });
    const second = await deliverDueNotifications({ keys: config.pii, now: at(created, 10 * MINUTE_MS) });

    expect(first).to.deep.equal({ sent: 1, retried: 0, failed: 0 });
    expect(second).to.deep.equal({ sent: 0, retried: 0, failed: 0 });
    expect(lines).to.have.length(1);
    expect(lines[0]).to.deep.include({ msg: 'notification sent', notificationId: 'emergency:o1:0', channel: 'sms', template: 'emergency_alert', subject: { type: 'order', id: 'o1' } });
    expect(lines[0]!.recipient).to.deep.equal({ kind: 'emergency_contact', phoneMasked: '139****5678', communityId: null, userId: null });
    expect(raw.join('')).not.to.include(CONTACT_PHONE);
    const stored = await NotificationModel.findById('emergency:o1:0').lean();
    expect(stored).to.deep.include({ status: 'sent', attempts: 1, nextAttemptAt: null, lastError: null });
    expect(stored!.sentAt!.toISOString()).to.equal(at(created, 1000).toISOString());
  });

  it('hands the sender the decrypted phone, and leaves notifications that are not yet due', async () => {
    const sender = recordingSender();
    setNotificationSender(sender);
    const created = new Date('2026-05-01T02:00:00.000Z');
    await enqueueNotification(emergencySms({ dedupeKey: 'now' }), config.pii, created);
    await enqueueNotification(emergencySms({ dedupeKey: 'later' }), config.pii, at(created, 5 * MINUTE_MS));

    const counts = await deliverDueNotifications({ keys: config.pii, now: at(created, MINUTE_MS) });

    expect(counts.sent).to.equal(1);
    expect(sender.received.map((n) => n.id)).to.deep.equal(['now']);
    expect(sender.received[0]!.recipient).to.include({ phone: CONTACT_PHONE, phoneMasked: '139****5678' });
    expect((await NotificationModel.findById('later').lean())!.status).to.equal('pending');
  });

  it('retries a failing send with growing backoff, then gives up after the maximum attempts', async () => {
    const sender = failingSender();
    setNotificationSender(sender);
    const created = new Date('2026-05-01T02:00:00.000Z');
    await enqueueNotification(emergencySms({ dedupeKey: 'doomed' }), config.pii, created);

    const delaysMinutes: number[] = [];
    let now = created;
    for (let attempt = 1; attempt < MAX_ATTEMPTS; attempt += 1) {
      const counts = await deliverDueNotifications({ keys: config.pii, now });
      expect(counts, `attempt ${attempt}`).to.deep.equal({ sent: 0, retried: 1, failed: 0 });
      const stored = (await NotificationModel.findById('doomed').lean())!;
      expect(stored).to.deep.include({ status: 'pending', attempts: attempt });
      delaysMinutes.push((stored.nextAttemptAt!.getTime() - now.getTime()) / MINUTE_MS);
      // Just before the retry is due nothing happens.
      expect(await deliverDueNotifications({ keys: config.pii, now: at(stored.nextAttemptAt!, -1) })).to.deep.equal({ sent: 0, retried: 0, failed: 0 });
      now = stored.nextAttemptAt!;
    }
    const last = await deliverDueNotifications({ keys: config.pii, now });
    const afterwards = await deliverDueNotifications({ keys: config.pii, now: at(now, 24 * 60 * MINUTE_MS) });

    expect(delaysMinutes).to.deep.equal([1, 2, 4, 8, 16, 32, 60]);
    expect(last).to.deep.equal({ sent: 0, retried: 0, failed: 1 });
    expect(afterwards).to.deep.equal({ sent: 0, retried: 0, failed: 0 });
    expect(sender.calls).to.equal(MAX_ATTEMPTS);
    const stored = (await NotificationModel.findById('doomed').lean())!;
    expect(stored).to.deep.include({ status: 'failed', attempts: MAX_ATTEMPTS, nextAttemptAt: null, sentAt: null });
    expect(stored.lastError).to.equal('gateway unavailable for 139****5678');
  });

  it('sends each notification exactly once when two deliveries run at the same time', async () => {
    const sender = recordingSender(5);
    setNotificationSender(sender);
    const created = new Date('2026-05-01T02:00:00.000Z');
    const keys = Array.from({ length: 20 }, (_, i) => `emergency:race:${i}`);
    for (const dedupeKey of keys) await enqueueNotification(emergencySms({ dedupeKey }), config.pii, created);

    const runs = await Promise.all([
      deliverDueNotifications({ keys: config.pii, now: at(created, 1000) }),
      deliverDueNotifications({ keys: config.pii, now: at(created, 1000) }),
    ]);

    expect(runs[0]!.sent + runs[1]!.sent).to.equal(20);
    expect(sender.received.map((n) => n.id).sort()).to.deep.equal([...keys].sort());
    expect(await NotificationModel.countDocuments({ status: 'sent', attempts: 1 })).to.equal(20);
  });

  it('resends a notification whose claim lapsed (its instance died mid-send), as a new attempt', async () => {
    const sender = recordingSender();
    setNotificationSender(sender);
    const created = new Date('2026-05-01T02:00:00.000Z');
    await enqueueNotification(emergencySms({ dedupeKey: 'orphan' }), config.pii, created);
    // A claim that was never completed: attempt 1 taken, lease until 5 minutes later.
    await NotificationModel.updateOne({ _id: 'orphan' }, { $set: { attempts: 1, nextAttemptAt: at(created, 5 * MINUTE_MS) } });

    const during = await deliverDueNotifications({ keys: config.pii, now: at(created, 4 * MINUTE_MS) });
    const after = await deliverDueNotifications({ keys: config.pii, now: at(created, 5 * MINUTE_MS) });

    expect(during.sent).to.equal(0);
    expect(after.sent).to.equal(1);
    expect(await NotificationModel.findById('orphan').lean()).to.deep.include({ status: 'sent', attempts: 2 });
  });

  describe('the notifications-deliver job', () => {
    const { app, config: appConfig } = createTestApp();

    it('is scheduled every minute and registered with the other jobs', () => {
      expect(notificationsDeliverJob).to.include({ name: 'notifications-deliver', schedule: '0 * * * * *' });
      expect(jobs).to.include(notificationsDeliverJob);
    });

    it('delivers what is due when an admin runs it, reporting sent, retried and failed', async () => {
      const sender = recordingSender();
      setNotificationSender(sender);
      await enqueueNotification(emergencySms(), appConfig.pii);
      await enqueueNotification(emergencySms({ channel: 'callback_task', recipient: { kind: 'community_staff', communityId: 'c1' }, template: 'visit_unconfirmed' }), appConfig.pii);
      const { authorization } = await authFor(appConfig, 'admin');

      const res = await request(app).post('/api/v1/jobs/notifications-deliver/run?wait=true').set('Authorization', authorization).send({});

      expect(res.status).to.equal(200);
      expect(res.body.run).to.include({ status: 'succeeded' });
      expect(res.body.run.counts).to.deep.equal({ sent: 2, retried: 0, failed: 0 });
      expect(sender.received).to.have.length(2);
      expect(await NotificationModel.countDocuments({ status: 'sent' })).to.equal(2);
    });
  });
});

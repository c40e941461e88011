import { expect } from 'chai';
import { enqueueNotification } from '../../src/notifications/index.ts';
import { NotificationModel } from '../../src/notifications/notification.model.ts';
import { decryptPii } from '../../src/shared/pii.ts';
import { testConfig } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { CONTACT_PHONE, emergencySms } from './notification.fixtures.ts';

const config = testConfig();

describe('notification outbox: enqueueNotification', () => {
  useTestDatabase();
  beforeEach(clearCollections);

  it('creates a pending notification, due at once, with the dedupe key as its id', async () => {
    const now = new Date('2026-05-01T02:00:00.000Z');

    const view = await enqueueNotification(emergencySms({ dedupeKey: 'emergency:o1:0' }), config.pii, now);

    expect(view).to.deep.include({ id: 'emergency:o1:0', dedupeKey: 'emergency:o1:0', channel: 'sms', template: 'emergency_alert', status: 'pending', attempts: 0, lastError: null, sentAt: null });
    expect(view.nextAttemptAt!.toISOString()).to.equal(now.toISOString());
    expect(view.recipient).to.deep.equal({ kind: 'emergency_contact', name: '王小明', phoneMasked: '139****5678', communityId: null, userId: null });
    expect(await NotificationModel.countDocuments()).to.equal(1);
  });

  it('is idempotent by dedupe key: a second enqueue answers the first notification and adds nothing', async () => {
    const first = await enqueueNotification(emergencySms({ dedupeKey: 'emergency:o2:0', params: { seniorName: '王秀英' } }), config.pii);
    await NotificationModel.updateOne({ _id: 'emergency:o2:0' }, { $set: { status: 'sent', sentAt: new Date() } });

    const [second, third] = await Promise.all([
      enqueueNotification(emergencySms({ dedupeKey: 'emergency:o2:0', params: { seniorName: '另一个' } }), config.pii),
      enqueueNotification(emergencySms({ dedupeKey: 'emergency:o2:0' }), config.pii),
    ]);

    expect(second.id).to.equal(first.id);
    expect(second).to.deep.include({ status: 'sent', params: { seniorName: '王秀英' } });
    expect(third.status).to.equal('sent');
    expect(await NotificationModel.countDocuments({ _id: 'emergency:o2:0' })).to.equal(1);
  });

  it('stores the phone only encrypted and masked, never in clear', async () => {
    await enqueueNotification(emergencySms({ dedupeKey: 'emergency:o3:0' }), config.pii);

    const raw = await NotificationModel.collection.findOne({ _id: 'emergency:o3:0' } as never);
    expect(JSON.stringify(raw)).not.to.include(CONTACT_PHONE);
    expect(raw!.recipient.phoneMasked).to.equal('139****5678');
    expect(raw!.recipient.phoneEncrypted).to.match(/^v\d+:/);
    expect(decryptPii(config.pii, raw!.recipient.phoneEncrypted as string)).to.equal(CONTACT_PHONE);
  });

  it('refuses template parameters that carry a phone or an ID number, and stores nothing', async () => {
    const withPhone = emergencySms({ params: { note: `请回拨 ${CONTACT_PHONE}` } });
    const withIdNumber = emergencySms({ params: { senior: '34010419500101001X' } });
    const withPhoneKey = emergencySms({ params: { phone: '139****5678' } });

    for (const input of [withPhone, withIdNumber, withPhoneKey]) {
      const error = await enqueueNotification(input, config.pii).then(() => null, (e: Error) => e);
      expect(error, JSON.stringify(input.params)).to.be.instanceOf(Error);
      expect(error!.message).to.include('params');
      expect(error!.message).not.to.include(CONTACT_PHONE);
    }
    expect(await NotificationModel.countDocuments()).to.equal(0);
  });

  it('accepts ids and counts that merely contain digits', async () => {
    const view = await enqueueNotification(emergencySms({ params: { orderId: '665f13912345678a9b0c1d2e', quantity: 2, minutes: 13912345 } }), config.pii);

    expect(view.params).to.deep.equal({ orderId: '665f13912345678a9b0c1d2e', quantity: 2, minutes: 13912345 });
  });

  it('refuses an SMS without a phone and a staff task without a community', async () => {
    const sms = emergencySms({ recipient: { kind: 'emergency_contact', name: '王小明' } });
    const task = emergencySms({ channel: 'callback_task', recipient: { kind: 'community_staff' } });

    const errors = await Promise.all([sms, task].map((input) => enqueueNotification(input, config.pii).then(() => null, (e: Error) => e.message)));

    expect(errors[0]).to.include('recipient.phone');
    expect(errors[1]).to.include('recipient.communityId');
    expect(await NotificationModel.countDocuments()).to.equal(0);
  });
});

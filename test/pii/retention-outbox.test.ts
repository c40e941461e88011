import { expect } from 'chai';
import request from 'supertest';
import { verifyAuditChain } from '../../src/audit/index.ts';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { enqueueNotification, type NotificationInput } from '../../src/notifications/index.ts';
import { NotificationModel } from '../../src/notifications/notification.model.ts';
import { enrolSenior, onSeniorPiiErase, transitionSenior } from '../../src/seniors/index.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { decryptPii, ERASED } from '../../src/shared/pii.ts';
import { addDaysToDay, addMonthsToDay, businessDay } from '../../src/shared/time.ts';
import { authFor, createTestApp } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { enrolmentBody } from '../seniors/senior.fixtures.ts';
import { settlementWorld, shanghai, type SettlementWorld } from '../settlement/settlement.fixtures.ts';

/*
 * The retention erase reaches the outbox (issue 22): the messages about an erased senior, their
 * orders and alerts lose the phones of the senior and their emergency contacts — the ciphertext
 * gone, the mask 已删除, the name masked like the senior's own — a waiting one is closed unsent;
 * staff messages and other seniors' stay as they were. The audit log is not touched: its
 * `senior.update` summaries (the address among the changes) are links of the hash chain, which
 * still verifies (README, personal information, says why they stay).
 */
describe('PIPL retention: the outbox\'s phones of an erased senior', function () {
  this.timeout(120_000);
  useTestDatabase();
  const { app, config } = createTestApp({ env: { SETTLEMENT_SAMPLE_PCT: '0' } });
  let w: SettlementWorld;
  const today = businessDay(new Date(), config.businessTimeZone);
  let adminToken = '';

  beforeEach(async () => {
    await clearCollections();
    w = await settlementWorld(config);
    adminToken = (await authFor(config, 'admin')).authorization;
  });

  async function senior(phone: string, name: string, contactPhone: string) {
    const enrolled = await enrolSenior(enrolmentBody(w.north.id, { name, phone, categories: ['living_alone'], emergencyContacts: [{ name: '李强', relation: '儿子', phone: contactPhone }] }), w.seniorCtx(w.registrar, shanghai('2023-07-30 10:00')));
    await transitionSenior(enrolled.id, { action: 'approve' }, w.seniorCtx(w.admin, shanghai('2023-08-01 09:00')));
    return enrolled.id;
  }
  const runRetention = () => request(app).post('/api/v1/jobs/pii-retention/run?wait=true').set('Authorization', adminToken).send({});
  const sms = (key: string, subject: { type: string; id: string }, recipient: NotificationInput['recipient']): NotificationInput =>
    ({ dedupeKey: key, channel: 'sms', template: 'visit_reminder', params: {}, subject, recipient });

  /** The old senior (deactivated 3 years and a day ago) and another, each with messages in the outbox; the old one's address changed once. */
  async function world() {
    const old = await senior('13700000101', '王秀英', '13800000101');
    const kept = await senior('13700000202', '钱玉兰', '13800000202');
    await w.issue('2023-09');
    const order = await w.visit({ seniorId: old, side: 'north', at: shanghai('2023-09-12 10:00') });
    const patched = await request(app).patch(`/api/v1/seniors/${old}`).set('Authorization', adminToken).send({ address: '合肥市蜀山区新地址9号' });
    expect(patched.status).to.equal(200);
    await enqueueNotification(sms('t:senior', { type: 'senior', id: old }, { kind: 'senior', name: '王秀英', phone: '13700000101' }), config.pii);
    await enqueueNotification(sms('t:contact', { type: 'order', id: order }, { kind: 'emergency_contact', name: '李强', phone: '13800000101' }), config.pii);
    await enqueueNotification({ dedupeKey: 't:staff', channel: 'staff_message', template: 'visit_reminder', params: {}, subject: { type: 'order', id: order }, recipient: { kind: 'community_staff', communityId: w.north.id } }, config.pii);
    await enqueueNotification(sms('t:other', { type: 'senior', id: kept }, { kind: 'senior', name: '钱玉兰', phone: '13700000202' }), config.pii);
    // Sent ones, and the contact's still waiting (delivery never ran).
    await NotificationModel.updateMany({ _id: { $in: ['t:senior', 't:other'] } }, { $set: { status: 'sent', sentAt: new Date(), nextAttemptAt: null } });
    await transitionSenior(old, { action: 'deactivate', reason: 'deceased', effectiveDate: addDaysToDay(addMonthsToDay(today, -36), -1) }, w.seniorCtx(w.admin, new Date()));
    return { old, kept, order };
  }

  it('erases the senior\'s and their contact\'s phones in the messages about them and their orders, closes a waiting one, leaves staff and other seniors\' messages, and the audit chain as it was', async () => {
    const { old } = await world();
    const untouched = await NotificationModel.find({ _id: { $in: ['t:staff', 't:other'] } }).sort({ _id: 1 }).lean();

    const first = await runRetention();
    const second = await runRetention();

    expect(first.status).to.equal(200);
    expect(first.body.run.counts).to.include({ erased: 1, notifications: 2, hookFailures: 0 });
    expect(second.body.run.counts).to.include({ erased: 0, notifications: 0 });
    const toSenior = await NotificationModel.findById('t:senior').lean();
    expect(toSenior!.recipient).to.include({ kind: 'senior', name: '王*英', phoneEncrypted: null, phoneMasked: ERASED });
    expect(toSenior!.status).to.equal('sent');
    const toContact = await NotificationModel.findById('t:contact').lean();
    expect(toContact!.recipient).to.include({ kind: 'emergency_contact', name: '李*', phoneEncrypted: null, phoneMasked: ERASED });
    expect(toContact).to.include({ status: 'failed', nextAttemptAt: null, lastError: '个人信息已按保存期限删除，不再发送' });
    expect(await NotificationModel.find({ _id: { $in: ['t:staff', 't:other'] } }).sort({ _id: 1 }).lean()).to.deep.equal(untouched);
    expect(decryptPii(config.pii, untouched[0]!._id === 't:other' ? untouched[0]!.recipient.phoneEncrypted as string : untouched[1]!.recipient.phoneEncrypted as string)).to.equal('13700000202');
    const outbox = await request(app).get('/api/v1/notifications').set('Authorization', adminToken);
    expect(JSON.stringify(outbox.body)).not.to.match(/138\*\*\*\*0101|137\*\*\*\*0101/);

    // The audit log is not rewritten: the address change is still in its summary, and the chain verifies.
    const update = await AuditEntryModel.findOne({ action: 'senior.update', entityId: old }).lean();
    expect(JSON.stringify(update!.after)).to.include('合肥市蜀山区新地址9号');
    expect(await verifyAuditChain()).to.include({ ok: true });
    const erasedAudit = await AuditEntryModel.findOne({ action: 'senior.pii_erase', entityId: old }).lean();
    expect((erasedAudit!.after as { erased: string[] }).erased).to.include('notifications');
  });

  it('leaves the senior for the next run when an erase hook fails, and erases it then without erasing the outbox twice', async () => {
    const { old } = await world();
    const removeFailing = onSeniorPiiErase('failing', () => Promise.reject(new Error('database went away')));
    let failed;
    try {
      failed = await runRetention();
    } finally {
      removeFailing();
    }
    const afterFailure = await SeniorModel.findById(old).lean();
    const retried = await runRetention();

    // The outbox's hook ran (registered first) before the failing one: its work stays done, and is not done twice.
    expect(failed.body.run.counts).to.include({ erased: 0, notifications: 2, hookFailures: 1 });
    expect(afterFailure!.piiErasedAt).to.equal(null);
    expect(afterFailure!.phoneMasked).not.to.equal(ERASED);
    expect(retried.body.run.counts).to.include({ erased: 1, notifications: 0, hookFailures: 0 });
    expect((await SeniorModel.findById(old).lean())!.piiErasedAt).to.be.instanceOf(Date);
    expect((await NotificationModel.findById('t:senior').lean())!.recipient.phoneMasked).to.equal(ERASED);
  });
});

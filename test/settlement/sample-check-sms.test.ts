import { expect } from 'chai';
import request from 'supertest';
import { askAboutVisits } from '../../src/dispatch/index.ts';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { expireQuestions, receiveReply } from '../../src/notifications/index.ts';
import { NotificationModel } from '../../src/notifications/notification.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { LineModel, SampleCheckModel } from '../../src/settlement/settlement.model.ts';
import { encryptPii } from '../../src/shared/pii.ts';
import { authFor, createTestApp } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { settlementWorld, shanghai, type SettlementWorld } from './settlement.fixtures.ts';

const HOUR_MS = 3_600_000;

describe('settlement sample checks asked by SMS first', function () {
  this.timeout(120_000);
  useTestDatabase();
  // Every line sampled; no quiet hours, so the questions are out whenever the suite runs.
  const { app, config } = createTestApp({ env: { SETTLEMENT_SAMPLE_PCT: '100', SMS_QUIET_HOURS: '00:00-00:00', SMS_WEBHOOK_TOKEN: 'webhook-token-0123456789abcdef0123456789' } });
  const deaf = createTestApp({ env: { SETTLEMENT_SAMPLE_PCT: '100' } });
  let w: SettlementWorld;
  let sequence = 0;
  beforeEach(async () => {
    await clearCollections();
    w = await settlementWorld(config);
    await w.issue('2026-10');
  });

  /** A senior of the north community with a mobile of their own, and one visit of October confirmed by code. */
  async function seniorWithVisit(phone: string, day: number) {
    const seniorId = await w.senior('north', ['three_nos']);
    await SeniorModel.updateOne({ _id: seniorId }, { $set: { phoneEncrypted: encryptPii(config.pii, phone) } });
    return { seniorId, phone, orderId: await w.visit({ seniorId, side: 'north', at: shanghai(`2026-10-0${day} 09:00`) }) };
  }
  const settle = async () => {
    const res = await request(app).post('/api/v1/settlements').set('Authorization', w.finance.authorization).send({ period: '2026-10' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return `2026-10-${w.providerA.id}`;
  };
  const approve = (id: string) => request(app).post(`/api/v1/settlements/statements/${id}/approve`).set('Authorization', w.finance.authorization).send({});
  const reply = (phone: string, content: string) => receiveReply({ provider: 'aliyun', messageId: String((sequence += 1)), phone, text: content, sentAt: null }, config);
  const check = async (orderId: string) => (await SampleCheckModel.findById(orderId).lean())!;
  const notificationIds = async (channel: 'sms' | 'callback_task') => (await NotificationModel.find({ channel }).sort({ _id: 1 }).lean()).map((n) => n._id);

  it('asks the sampled visits\' seniors instead of calling them; a "1" and a "2" do their checks; silence goes to the staff after 48 hours; approval waits throughout', async () => {
    const yes = await seniorWithVisit('13900000001', 1);
    const no = await seniorWithVisit('13900000002', 2);
    const silent = await seniorWithVisit('13900000003', 3);
    const statementId = await settle();

    expect((await SampleCheckModel.find({}).lean()).map((c) => c.status)).to.deep.equal(['open', 'open', 'open']);
    expect(await notificationIds('sms')).to.deep.equal([yes, no, silent].map((v) => `sms-question:visit:${v.orderId}`).sort());
    expect(await notificationIds('callback_task')).to.deep.equal([]);
    expect((await approve(statementId)).status).to.equal(422);

    await reply(yes.phone, '1');
    await reply(no.phone, '2');

    expect(await check(yes.orderId)).to.deep.include({ status: 'done', outcome: 'visit_happened', recordedBy: 'system', note: '老人回复短信：确认接受了服务' });
    expect(await check(no.orderId)).to.deep.include({ status: 'done', outcome: 'visit_did_not_happen', recordedBy: 'system' });
    expect((await OrderModel.findById(no.orderId).lean())!.status).to.equal('disputed');
    expect(await LineModel.exists({ _id: no.orderId })).to.equal(null);
    expect((await OrderModel.findById(yes.orderId).lean())!.status).to.equal('confirmed');
    expect((await approve(statementId)).status, 'the silent senior\'s check is still open').to.equal(422);

    const later = new Date(Date.now() + 49 * HOUR_MS);
    await expireQuestions({ keys: config.pii, now: later });
    await expireQuestions({ keys: config.pii, now: new Date(later.getTime() + HOUR_MS) });

    expect(await notificationIds('callback_task')).to.deep.equal([`settlement-sample:${silent.orderId}`]);
    const task = await NotificationModel.findById(`settlement-sample:${silent.orderId}`).lean();
    expect(task!.recipient).to.deep.include({ kind: 'community_staff', communityId: w.north.id });
    expect(task!.params).to.deep.include({ period: '2026-10', day: '2026-10-03', staffReason: '老人未在规定时间内回复短信' });
    expect(await check(silent.orderId)).to.deep.include({ status: 'open' });
    expect((await approve(statementId)).status).to.equal(422);

    const staff = await authFor(config, 'community_staff', { communityIds: [w.north.id] });
    const recorded = await request(app).post(`/api/v1/settlements/sample-checks/${silent.orderId}/record`).set('Authorization', staff.authorization).send({ outcome: 'visit_happened' });
    expect(recorded.status).to.equal(200);
    const approved = await approve(statementId);
    expect(approved.status, JSON.stringify(approved.body)).to.equal(200);
    expect(approved.body.lineCount).to.equal(2);
  });

  it('does a sampled visit\'s check at once with the answer the senior gave when the visit was asked before, sending nothing more', async () => {
    const asked = await seniorWithVisit('13900000004', 4);
    const order = (await OrderModel.findById(asked.orderId).lean())!;
    await askAboutVisits([{ orderId: asked.orderId, seniorId: asked.seniorId, communityId: w.north.id, providerId: w.providerA.id, serviceTypeCode: order.serviceTypeCode, visitAt: order.scheduledStart }],
      'share', (visit) => ({ dedupeKey: `visit-question:${visit.orderId}`, channel: 'callback_task', recipient: { kind: 'community_staff', communityId: visit.communityId }, template: 'visit_question_unanswered', params: {}, subject: { type: 'service_order', id: visit.orderId } }),
      config, new Date());
    await reply(asked.phone, '是');

    const statementId = await settle();

    expect(await check(asked.orderId)).to.deep.include({ status: 'done', outcome: 'visit_happened', recordedBy: 'system' });
    expect(await notificationIds('sms')).to.deep.equal([`sms-question:visit:${asked.orderId}`]);
    expect((await approve(statementId)).status).to.equal(200);
  });

  it('calls back at once, as before, when no reply could reach the service (no SMS_WEBHOOK_TOKEN)', async () => {
    const visit = await seniorWithVisit('13900000005', 5);

    const res = await request(deaf.app).post('/api/v1/settlements').set('Authorization', w.finance.authorization).send({ period: '2026-10' });

    expect(res.status).to.equal(200);
    expect(await notificationIds('sms')).to.deep.equal([]);
    expect(await notificationIds('callback_task')).to.deep.equal([`settlement-sample:${visit.orderId}`]);
    expect(await check(visit.orderId)).to.deep.include({ status: 'open' });
  });
});

import { expect } from 'chai';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { captureLogs } from '../../src/shared/logger.ts';
import { EntryModel } from '../../src/vouchers/ledger.model.ts';
import { createTestApp } from '../support/app.ts';
import { HOME, useVisitWorld } from './visit.fixtures.ts';

// Check-out needs proof of the visit (issue 17, points 2 and 3): the order's code, the senior's
// personal PIN (any order of theirs, care-plan and emergency ones included), or the reason the
// senior could give neither — and never nothing.

describe('check-out: visit code, senior PIN or a reason', function () {
  this.timeout(60_000);
  const { app, world } = useVisitWorld();
  let w: ReturnType<typeof world>;
  beforeEach(() => {
    w = world();
  });

  /** An order assigned to the caregiver and checked in at the senior's home an hour ago. */
  async function inService(source: 'staff' | 'care_plan' = 'staff') {
    const order = await w.assignedOrder(new Date(Date.now() + 30 * 60_000), { source });
    expect((await w.post(w.caregiver, `/service-orders/${order.id}/check-in`, HOME)).status).to.equal(200);
    await OrderModel.updateOne({ _id: order.id }, { $set: { 'checkIn.at': new Date(Date.now() - 60 * 60_000) } });
    return order;
  }
  const checkOut = (id: string, body: object) => w.post(w.caregiver, `/service-orders/${id}/check-out`, { ...HOME, ...body });
  const wrongPin = () => (w.senior.pin === '000000' ? '111111' : '000000');

  it('refuses a check-out with none of code, PIN or reason (400 in Chinese) and changes nothing', async () => {
    const { id } = await inService();
    const before = await OrderModel.findById(id).lean();
    const auditsBefore = await AuditEntryModel.countDocuments({});

    const res = await checkOut(id, {});
    const both = await checkOut(id, { visitCode: '123456', noCodeReason: '老人记不清核验码' });

    expect(res.status).to.equal(400);
    expect(res.body.error.code).to.equal('VALIDATION_FAILED');
    expect(res.body.error.details[0].message).to.contain('老人无法提供核验码');
    expect(both.status).to.equal(400);
    expect(both.body.error.details[0].message).to.contain('只能填写一项');
    expect(await OrderModel.findById(id).lean()).to.deep.equal(before);
    expect(await AuditEntryModel.countDocuments({})).to.equal(auditsBefore);
  });

  it('refuses a reason of fewer than 4 characters with a Chinese field error', async () => {
    const { id } = await inService();

    const res = await checkOut(id, { noCodeReason: ' 忘了 ' });

    expect(res.status).to.equal(400);
    expect(res.body.error.details).to.deep.equal([{ path: 'noCodeReason', message: '请写明老人无法提供核验码的原因（至少4个字）' }]);
    expect((await OrderModel.findById(id).lean())!.status).to.equal('in_service');
  });

  it('completes a check-out with a reason (callback later) and shows the reason to the community worker', async () => {
    const { id } = await inService();

    const res = await checkOut(id, { noCodeReason: '老人听力不好，读不出核验码' });
    const seen = await request(app).get(`/api/v1/service-orders/${id}`).set('Authorization', w.staff);
    const history = await request(app).get(`/api/v1/service-orders/${id}/history`).set('Authorization', w.staff);

    expect(res.status).to.equal(200);
    expect(res.body).to.include({ status: 'completed', confirmation: null, noCodeReason: '老人听力不好，读不出核验码' });
    expect(seen.body).to.include({ status: 'completed', noCodeReason: '老人听力不好，读不出核验码' });
    expect(history.body.items.at(-1)).to.deep.include({ action: 'complete', details: { noCodeReason: '老人听力不好，读不出核验码' } });
    expect((await OrderModel.findById(id).lean())!.noCodeReason).to.equal('老人听力不好，读不出核验码');
    expect(await EntryModel.countDocuments({ type: 'redeem' })).to.equal(0);
  });

  it('confirms a care-plan order with the senior\'s PIN and redeems it once', async () => {
    const { id } = await inService('care_plan');

    const res = await checkOut(id, { seniorPin: w.senior.pin });

    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.status).to.equal('confirmed');
    expect(res.body.confirmation.method).to.equal('senior_pin');
    expect(res.body.noCodeReason).to.equal(null);
    expect(await EntryModel.countDocuments({ type: 'redeem', orderId: id })).to.equal(1);
  });

  it('confirms an emergency order (raised by an alert, its code never shown) with the senior\'s PIN', async () => {
    const { id } = await w.assignedEmergency();
    await w.post(w.caregiver, `/service-orders/${id}/check-in`, HOME);

    const res = await checkOut(id, { seniorPin: w.senior.pin });

    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.deep.include({ status: 'confirmed', priority: 'emergency', source: 'emergency' });
    expect(res.body.confirmation.method).to.equal('senior_pin');
  });

  it('counts wrong PINs per senior across orders, says the tries left in Chinese, and locks after five even for the right PIN', async () => {
    const first = await inService();
    const second = await inService();

    const onFirst = [];
    for (let i = 0; i < 3; i += 1) onFirst.push(await checkOut(first.id, { seniorPin: wrongPin() }));
    const onSecond = [await checkOut(second.id, { seniorPin: wrongPin() }), await checkOut(second.id, { seniorPin: wrongPin() })];
    const rightButLocked = await checkOut(second.id, { seniorPin: w.senior.pin });
    const codeStillWorks = await checkOut(first.id, { visitCode: first.visitCode });

    expect([...onFirst, ...onSecond].map((r) => r.body.error.code)).to.deep.equal(Array(5).fill('VISIT_CODE_MISMATCH'));
    expect(onFirst.map((r) => r.body.error.details[0].message)).to.deep.equal(['个人确认码不正确，还可尝试4次', '个人确认码不正确，还可尝试3次', '个人确认码不正确，还可尝试2次']);
    expect(onSecond[1]!.body.error.details[0]).to.deep.equal({ path: 'seniorPin', message: '个人确认码不正确，已无尝试机会，已锁定' });
    expect(rightButLocked.status).to.equal(422);
    expect(rightButLocked.body.error.code).to.equal('VISIT_CODE_LOCKED');
    expect(rightButLocked.body.error.details[0].message).to.contain('重置');
    expect((await OrderModel.findById(second.id).lean())!.status).to.equal('in_service');
    expect((await SeniorModel.findById(w.senior.id).lean())!.confirmationPinFailures).to.equal(5);
    // The order's own code is another secret with its own count: still good.
    expect(codeStillWorks.body.status).to.equal('confirmed');
  });

  it('never compares more than five wrong PINs, however many arrive at once', async () => {
    const orders = [await inService(), await inService(), await inService()];
    await SeniorModel.updateOne({ _id: w.senior.id }, { $set: { confirmationPinFailures: 2 } });

    // Eight guesses at once: three tries were left, so at most three are compared.
    const answers = await Promise.all(Array.from({ length: 8 }, (_, n) => checkOut(orders[n % 3]!.id, { seniorPin: wrongPin() })));
    const codes = answers.map((r) => r.body.error.code);

    expect(codes.filter((code) => code === 'VISIT_CODE_MISMATCH')).to.have.length(3);
    expect(codes.filter((code) => code === 'VISIT_CODE_LOCKED')).to.have.length(5);
    expect((await SeniorModel.findById(w.senior.id).lean())!.confirmationPinFailures).to.equal(5);
    expect(await OrderModel.countDocuments({ status: 'in_service' })).to.equal(3);
  });

  it('forgives earlier wrong PINs once the right one is given', async () => {
    const first = await inService();
    const second = await inService();
    await checkOut(first.id, { seniorPin: wrongPin() });
    await checkOut(first.id, { seniorPin: wrongPin() });

    const right = await checkOut(first.id, { seniorPin: w.senior.pin });
    const wrongAgain = await checkOut(second.id, { seniorPin: wrongPin() });

    expect(right.body.status).to.equal('confirmed');
    expect(wrongAgain.body.error.details[0].message).to.equal('个人确认码不正确，还可尝试4次');
  });

  it('gives a new PIN on reset: it confirms, the old one no longer does, and the lock is lifted', async () => {
    const first = await inService();
    const second = await inService();
    await SeniorModel.updateOne({ _id: w.senior.id }, { $set: { confirmationPinFailures: 5 } });
    const oldPin = w.senior.pin;

    const reset = await w.post(w.staff, `/seniors/${w.senior.id}/confirmation-pin/reset`);
    const newPin = reset.body.confirmationPin as string;
    const withOld = await checkOut(first.id, { seniorPin: oldPin });
    const withNew = await checkOut(second.id, { seniorPin: newPin });

    expect(reset.status).to.equal(200);
    expect(newPin).to.match(/^\d{6}$/).and.not.equal(oldPin);
    expect(withOld.body.error.code).to.equal('VISIT_CODE_MISMATCH');
    expect(withNew.body.status).to.equal('confirmed');
  });

  it('tells a caregiver whose senior has no PIN yet (imported from a register) to ask the community, counting no try', async () => {
    const { id } = await inService();
    await SeniorModel.updateOne({ _id: w.senior.id }, { $set: { confirmationPinHash: null } });

    const res = await checkOut(id, { seniorPin: w.senior.pin });

    expect(res.status).to.equal(422);
    expect(res.body.error.code).to.equal('NOT_ELIGIBLE');
    expect(res.body.error.details).to.deep.equal([{ path: 'seniorPin', message: '老人还没有个人确认码，请社区工作者在老人档案中生成' }]);
    expect((await SeniorModel.findById(w.senior.id).lean())!.confirmationPinFailures).to.equal(0);
    expect((await OrderModel.findById(id).lean())!.status).to.equal('in_service');
  });

  it('keeps the visit code: five tries per order, claimed before the compare, messages in Chinese', async () => {
    const { id, visitCode } = await inService();
    const wrong = visitCode === '000000' ? '111111' : '000000';

    const answers = await Promise.all(Array.from({ length: 7 }, () => checkOut(id, { visitCode: wrong })));
    const right = await checkOut(id, { visitCode });

    expect(answers.filter((r) => r.body.error.code === 'VISIT_CODE_MISMATCH')).to.have.length(5);
    expect(answers.filter((r) => r.body.error.code === 'VISIT_CODE_LOCKED')).to.have.length(2);
    expect(answers.map((r) => r.body.error.details[0].message).filter((m: string) => m.includes('还可尝试'))).to.include('服务核验码不正确，还可尝试4次');
    expect(right.body.error.code).to.equal('VISIT_CODE_LOCKED');
    expect((await OrderModel.findById(id).lean())!.visitCodeFailures).to.equal(5);
  });

  it('never shows the PIN in GET /seniors/:id, its history, the audit log or the log output', async () => {
    const logs = captureLogs('trace');
    let texts: string[];
    let pins: string[];
    try {
      const { app: loggedApp } = createTestApp({ env: { LOG_LEVEL: 'trace' } });
      const { id } = await inService();
      const reset = await request(loggedApp).post(`/api/v1/seniors/${w.senior.id}/confirmation-pin/reset`).set('Authorization', w.staff);
      pins = [w.senior.pin, reset.body.confirmationPin];
      await request(loggedApp).post(`/api/v1/service-orders/${id}/check-out`).set('Authorization', w.caregiver).send({ ...HOME, seniorPin: reset.body.confirmationPin });
      texts = [
        JSON.stringify((await request(loggedApp).get(`/api/v1/seniors/${w.senior.id}`).set('Authorization', w.staff)).body),
        JSON.stringify((await request(loggedApp).get(`/api/v1/seniors/${w.senior.id}/history`).set('Authorization', w.staff)).body),
        JSON.stringify((await request(loggedApp).get(`/api/v1/service-orders/${id}`).set('Authorization', w.staff)).body),
        JSON.stringify((await request(loggedApp).get('/api/v1/audit?pageSize=200').set('Authorization', w.admin)).body),
        JSON.stringify(await AuditEntryModel.find({}).lean()),
      ];
      expect(reset.status).to.equal(200);
    } finally {
      texts ??= [];
      texts.push(logs.lines.join('\n'));
      logs.stop();
    }

    expect(texts[texts.length - 1]).to.contain('confirmation-pin/reset');
    expect(texts[3]).to.contain('senior.confirmation_pin_reset');
    // Bounded by non-alphanumerics: six digits may occur inside a hash or an id by chance.
    const shown = (pin: string) => new RegExp(`(?<![0-9A-Za-z])${pin}(?![0-9A-Za-z])`);
    for (const pin of pins!) for (const text of texts) expect(text).not.to.match(shown(pin));
    expect(JSON.stringify(await SeniorModel.findById(w.senior.id).lean())).not.to.match(shown(pins![1]!));
  });
});

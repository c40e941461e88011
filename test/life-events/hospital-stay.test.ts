import { expect } from 'chai';
import { CarePlanModel } from '../../src/care-plans/care-plan.model.ts';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { LineModel } from '../../src/settlement/settlement.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { businessDay } from '../../src/shared/time.ts';
import { EntryModel } from '../../src/vouchers/ledger.model.ts';
import { shanghai } from '../settlement/settlement.fixtures.ts';
import { feed, useLifeEventWorld, type LifeEventWorld } from './life-events.fixtures.ts';

/*
 * A hospital stay from the medical-insurance feed (issue 19): admitted 10 October, discharged on
 * the 20th, reported in December. Confirming the admission suspends the senior from the 10th and
 * pauses the care plan; the visit paid for the 12th is recovered from the provider and refunded to
 * the senior (alive, and the visit could not have happened); confirming the discharge resumes the
 * senior and the plan from the 20th, and the visit of the 22nd stays paid.
 */
describe('a confirmed hospital stay: suspended and resumed with the care plan, the stay\'s paid visit clawed back', function () {
  this.timeout(180_000);
  const { world } = useLifeEventWorld('file');
  let w: LifeEventWorld;
  let senior: { id: string; idNumber: string };
  const v = {} as Record<'before' | 'inStay' | 'afterStay' | 'unpaidInStay', string>;
  let admission: string;
  let discharge: string;
  let planId: string;
  const run = (period: string) => w.settle.run(period);
  const statementA = (period: string) => w.settle.statementA(period);

  before(async () => {
    w = world();
    senior = await w.registered('north', ['living_alone']);
    await w.issue('2026-10', '2026-11', '2026-12');
    v.before = await w.visit({ seniorId: senior.id, side: 'north', at: shanghai('2026-10-08 09:00') });
    v.inStay = await w.visit({ seniorId: senior.id, side: 'north', at: shanghai('2026-10-12 09:00') });
    v.afterStay = await w.visit({ seniorId: senior.id, side: 'north', at: shanghai('2026-10-22 09:00') });
    expect((await run('2026-10')).status).to.equal(200);
    expect((await w.settle.approve(statementA('2026-10'))).status).to.equal(200);
    // A visit inside the stay recorded after October was approved: on no statement yet.
    v.unpaidInStay = await w.visit({ seniorId: senior.id, side: 'north', at: shanghai('2026-10-15 09:00') });
    const plan = await w.post('/care-plans', { seniorId: senior.id, serviceTypeCode: w.clean.code, quantity: 1, weekdays: [1, 3, 5], time: '09:00', startDate: businessDay(new Date(), 'Asia/Shanghai') });
    expect(plan.status, JSON.stringify(plan.body)).to.equal(201);
    planId = plan.body.id;

    const res = await w.upload(feed([[senior.idNumber, '出院', '2026-10-20'], [senior.idNumber, '住院', '2026-10-10']]));
    expect(res.body, JSON.stringify(res.body)).to.include({ matched: 2 });
    [discharge, admission] = res.body.rows.map((row: { proposalId: string }) => row.proposalId);
  });

  it('will not confirm the discharge before its admission is decided (409)', async () => {
    const res = await w.decide(discharge, 'confirm');

    expect(res.status).to.equal(409);
    expect(res.body.error.details[0].message).to.equal('请先确认或驳回该老人 2026-10-10 的住院信息');
    expect((await SeniorModel.findById(senior.id).lean())!.status).to.equal('active');
  });

  it('confirming the admission suspends the senior from the 10th, pauses the plan, and asks back the stay\'s paid visit, refunding the senior', async () => {
    const subsidyFen = (await LineModel.findById(v.inStay).lean())!.subsidyFen;

    const res = await w.decide(admission, 'confirm');

    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.outcome).to.deep.equal({
      seniorAction: 'suspend', seniorStatus: 'suspended',
      clawBack: { fromDay: '2026-10-10', toDay: '2026-10-20', recovering: 1, takenOutOfDrafts: 0, notYetSettled: 1, refundedFen: subsidyFen },
    });
    const stored = (await SeniorModel.findById(senior.id).lean())!;
    expect(stored.status).to.equal('suspended');
    expect(stored.statusLog.at(-1)).to.deep.include({ status: 'suspended', at: shanghai('2026-10-10 00:00'), effectiveDate: '2026-10-10' });
    expect((await CarePlanModel.findById(planId).lean())!.status).to.equal('paused');
    const refund = await EntryModel.findOne({ seniorId: senior.id, type: 'refund' }).lean();
    expect(refund).to.include({ balanceDeltaFen: subsidyFen, orderId: (await OrderModel.findById(v.inStay).lean())!.holdRef });
  });

  it('confirming the discharge resumes the senior and the plan from the 20th', async () => {
    const res = await w.decide(discharge, 'confirm');

    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.outcome).to.deep.equal({ seniorAction: 'resume', seniorStatus: 'active', clawBack: null });
    const stored = (await SeniorModel.findById(senior.id).lean())!;
    expect(stored.status).to.equal('active');
    expect(stored.statusLog.at(-1)).to.deep.include({ status: 'active', at: shanghai('2026-10-20 00:00'), effectiveDate: '2026-10-20' });
    expect((await CarePlanModel.findById(planId).lean())!.status).to.equal('active');
  });

  it('the next run recovers exactly the stay\'s paid visit, holds back its unpaid one, and leaves the visits outside the stay paid', async () => {
    const subsidyFen = (await LineModel.findById(v.inStay).lean())!.subsidyFen;

    expect((await run('2026-11')).status).to.equal(200);

    const november = await w.settle.detail(statementA('2026-11'));
    expect(november.adjustments.map((a: { id: string; reason: string; amountFen: number; note: string }) => [a.id, a.reason, a.amountFen, a.note])).to.deep.equal([
      [`adjust:${v.inStay}`, 'senior_inactive', -subsidyFen, `老人 2026-10-10 至 2026-10-20 住院：追回结算单 ${statementA('2026-10')} 已支付的补贴`],
    ]);
    expect(november.heldBack.map((h: { orderId: string; reasonCode: string }) => [h.orderId, h.reasonCode])).to.deep.equal([[v.unpaidInStay, 'SENIOR_INACTIVE']]);
    for (const paid of [v.before, v.afterStay]) expect(await LineModel.countDocuments({ _id: `adjust:${paid}` })).to.equal(0);
  });
});

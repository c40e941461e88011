import { expect } from 'chai';
import request from 'supertest';
import { acceptOffer } from '../../src/dispatch/index.ts';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { ProposalModel } from '../../src/life-events/life-event.model.ts';
import { ClawBackModel } from '../../src/settlement/claw-back.model.ts';
import { LineModel, StatementModel } from '../../src/settlement/settlement.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { EntryModel } from '../../src/vouchers/ledger.model.ts';
import { shanghai } from '../settlement/settlement.fixtures.ts';
import { feed, useLifeEventWorld, type LifeEventWorld } from './life-events.fixtures.ts';

type Charge = { id: string; reason: string; amountFen: number; orderId: string; note: string };

/*
 * A death reported weeks late (issue 19, "done when"): the senior died on 15 October; the civil
 * affairs list arrives in December. Provider A (north) had visits of the senior before and after
 * that day — settled and paid in October's statement, on November's draft, and on no statement
 * yet — and two orders still open. Confirming the death must cancel the open orders (holds
 * released), recover exactly the subsidies paid for the visits from the 15th on as adjustment
 * lines of A's next statement, and hold back the visits not yet paid as SENIOR_DECEASED.
 */
describe('a confirmed death: open orders closed, paid visits clawed back, unpaid ones held back', function () {
  this.timeout(180_000);
  const { world } = useLifeEventWorld('file');
  let w: LifeEventWorld;
  let senior: { id: string; idNumber: string };
  const v = {} as Record<'before' | 'onTheDay' | 'after' | 'onDraft' | 'unsettled' | 'offered' | 'accepted', string>;
  let proposalId: string;
  let confirmed: request.Response;
  const statementA = (period: string) => w.settle.statementA(period);
  const run = (period: string) => w.settle.run(period);
  const held = async (orderId: string) => (await EntryModel.find({ orderId }).lean()).reduce((sum, entry) => sum + entry.heldDeltaFen, 0);

  before(async () => {
    w = world();
    senior = await w.registered('north', ['living_alone']);
    await w.issue('2026-10', '2026-11', '2026-12');
    v.before = await w.visit({ seniorId: senior.id, side: 'north', at: shanghai('2026-10-05 09:00') });
    v.onTheDay = await w.visit({ seniorId: senior.id, side: 'north', at: shanghai('2026-10-15 15:00') });
    v.after = await w.visit({ seniorId: senior.id, side: 'north', service: 'meal', quantity: 2, at: shanghai('2026-10-18 11:00') });
    // October: run, approved and paid.
    expect((await run('2026-10')).status).to.equal(200);
    expect((await w.settle.approve(statementA('2026-10'))).status).to.equal(200);
    expect((await w.settle.pay(statementA('2026-10'))).status).to.equal(200);
    // November: a visit on the draft, and one recorded after the run.
    v.onDraft = await w.visit({ seniorId: senior.id, side: 'north', at: shanghai('2026-11-02 09:00') });
    expect((await run('2026-11')).status).to.equal(200);
    v.unsettled = await w.visit({ seniorId: senior.id, side: 'north', at: shanghai('2026-11-05 09:00') });
    // Two orders still open: one offered to A, one A has accepted.
    const offered = await w.orderFor(senior.id, 9);
    const accepted = await w.orderFor(senior.id, 14);
    expect([offered.status, accepted.status]).to.deep.equal([201, 201]);
    v.offered = offered.body.order.id;
    v.accepted = accepted.body.order.id;
    await acceptOffer(v.accepted, w.providerAdminA, { requestId: null });

    proposalId = await w.proposed(senior.idNumber, '死亡', '2026-10-15');
    confirmed = await w.decide(proposalId, 'confirm', { note: '民政殡葬数据' });
  });

  it('deactivates the senior from the day of death and closes the open orders, their holds released', async () => {
    expect(confirmed.status, JSON.stringify(confirmed.body)).to.equal(200);
    expect(confirmed.body).to.deep.include({ status: 'confirmed', decidedBy: w.decider.actor.id, note: '民政殡葬数据' });
    expect((await SeniorModel.findById(senior.id).lean())!).to.deep.include({ status: 'deactivated', deactivation: { reason: 'deceased', effectiveDate: '2026-10-15' }, dispatchHold: null });
    for (const key of ['offered', 'accepted'] as const) {
      expect((await OrderModel.findById(v[key]).lean())!.status, key).to.equal('cancelled');
      expect(await held(v[key]), key).to.equal(0);
    }
  });

  it('takes the visit on November\'s draft off it, and asks back the two paid from the 15th on', async () => {
    expect(confirmed.body.outcome).to.deep.equal({
      seniorAction: 'deactivate', seniorStatus: 'deactivated',
      clawBack: { fromDay: '2026-10-15', toDay: null, recovering: 2, takenOutOfDrafts: 1, notYetSettled: 1, refundedFen: 0 },
    });
    expect(await LineModel.findById(v.onDraft).lean()).to.equal(null);
    expect((await ClawBackModel.find({}).sort({ _id: 1 }).lean()).map((c) => [c._id, c.reason, c.status, c.paidStatementId])).to.deep.equal(
      [[v.onTheDay, 'senior_deceased', 'pending', statementA('2026-10')], [v.after, 'senior_deceased', 'pending', statementA('2026-10')]].sort(),
    );
    // The senior's account is closed: the recovered visits are not refunded to it.
    expect(await EntryModel.countDocuments({ seniorId: senior.id, type: 'refund' })).to.equal(0);
  });

  it('the next run puts a claw-back line of exactly each paid subsidy on A\'s statement, and holds the unpaid visits back as SENIOR_DECEASED', async () => {
    const paid = new Map((await LineModel.find({ _id: { $in: [v.onTheDay, v.after] } }).lean()).map((line) => [line._id, line.subsidyFen]));
    expect([...paid.values()].every((fen) => fen > 0)).to.equal(true);

    expect((await run('2026-11')).status).to.equal(200);

    const november = await w.settle.detail(statementA('2026-11'));
    expect(november.adjustments.map((a: Charge) => [a.id, a.orderId, a.reason, a.amountFen]).sort()).to.deep.equal([
      [`adjust:${v.onTheDay}`, v.onTheDay, 'senior_deceased', -paid.get(v.onTheDay)!],
      [`adjust:${v.after}`, v.after, 'senior_deceased', -paid.get(v.after)!],
    ].sort());
    expect(november.adjustments[0].note).to.equal(`老人于 2026-10-15 去世：追回结算单 ${statementA('2026-10')} 已支付的补贴`);
    expect(november.totals.adjustmentFen).to.equal(-(paid.get(v.onTheDay)! + paid.get(v.after)!));
    expect(november.heldBack.map((h: { orderId: string; reasonCode: string }) => [h.orderId, h.reasonCode]).sort()).to.deep.equal([[v.onDraft, 'SENIOR_DECEASED'], [v.unsettled, 'SENIOR_DECEASED']].sort());
    expect(november.lines.map((l: { orderId: string }) => l.orderId)).to.not.include.members([v.onDraft, v.unsettled]);
    // October, approved and paid, is untouched; the visit before the death stays paid.
    const october = (await StatementModel.findById(statementA('2026-10')).lean())!;
    expect(october.status).to.equal('paid');
    expect(await LineModel.exists({ _id: v.before, statementId: statementA('2026-10') })).to.not.equal(null);
    expect(await OrderModel.findById(v.after).lean()).to.include({ status: 'settled', statementId: statementA('2026-10'), adjustmentStatementId: statementA('2026-11') });
    expect((await ClawBackModel.find({}).lean()).map((c) => c.status)).to.deep.equal(['recovered', 'recovered']);
  });

  it('never claws twice: a re-run, a second confirmation and the same feed again change nothing', async () => {
    const adjustments = await LineModel.countDocuments({ kind: 'adjustment' });
    expect((await run('2026-11')).status).to.equal(200);
    expect((await w.decide(proposalId, 'confirm', {}, w.lifeAdmin.authorization)).status).to.equal(409);
    const again = await w.upload(feed([[senior.idNumber, '死亡', '2026-10-15']]));

    expect(again.body).to.include({ total: 1, duplicates: 1 });
    expect(again.body.rows[0].proposalId).to.equal(proposalId);
    expect(await LineModel.countDocuments({ kind: 'adjustment' })).to.equal(adjustments);
    expect(await ClawBackModel.countDocuments({})).to.equal(2);
    expect(await ProposalModel.countDocuments({})).to.equal(1);
    expect((await SeniorModel.findById(senior.id).lean())!.dispatchHold).to.equal(null);
  });
});

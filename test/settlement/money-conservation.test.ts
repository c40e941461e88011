import { expect } from 'chai';
import request from 'supertest';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { LineModel, StatementModel, completeLine, type LineDoc } from '../../src/settlement/settlement.model.ts';
import { transitionSenior } from '../../src/seniors/index.ts';
import { logger } from '../../src/shared/logger.ts';
import { AccountModel, EntryModel } from '../../src/vouchers/ledger.model.ts';
import { reconcileLedger } from '../../src/vouchers/reconciliation.ts';
import { createTestApp } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { settlementWorld, shanghai } from './settlement.fixtures.ts';

/**
 * One flow through every way voucher money moves — issue, hold, release (cancellation, a visit
 * rejected before settlement), redeem (confirmation, settlement), refund (a visit rejected after it
 * was paid), a manual adjustment, expiry (a deactivation) — and through settlement: two periods,
 * approval, payment, a recovery. Then not one fen may be unaccounted for.
 */
describe('money conservation across vouchers and settlement', function () {
  this.timeout(180_000);
  useTestDatabase();
  const { app, config } = createTestApp({ env: { SETTLEMENT_SAMPLE_PCT: '0' } });

  it('keeps vouchers issued = balances + redeemed + expired (± adjustments and refunds), and subsidy paid = vouchers redeemed by settled visits', async () => {
    await clearCollections();
    const w = await settlementWorld(config);
    await w.issue('2026-09', '2026-10', '2026-11');
    const finance = w.finance.authorization;
    const post = (path: string, body: object) => request(app).post(`/api/v1${path}`).set('Authorization', finance).send(body);
    const poor = await w.senior('north', ['three_nos']);
    const alone = await w.senior('north', ['living_alone']);
    const nest = await w.senior('south', ['empty_nest']);
    const leaving = await w.senior('south', ['living_alone']);

    const visits = [
      await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-09-25 09:00') }),
      await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-02 09:00'), lateMinutes: 50 }),
      await w.visit({ seniorId: alone, side: 'north', service: 'meal', quantity: 2, at: shanghai('2026-10-03 11:00'), confirm: 'callback', satisfaction: 5 }),
      await w.visit({ seniorId: nest, side: 'south', at: shanghai('2026-10-04 09:00') }),
      await w.visit({ seniorId: leaving, side: 'south', at: shanghai('2026-10-05 09:00') }),
    ];
    await w.cancelledByProvider({ seniorId: alone, side: 'north', at: shanghai('2026-10-06 09:00') });
    const rejectedEarly = await w.visit({ seniorId: nest, side: 'south', service: 'meal', at: shanghai('2026-10-07 11:00') });
    expect((await post(`/service-orders/${rejectedEarly}/dispute`, { reason: '未上门' })).status).to.equal(200);
    expect((await post(`/service-orders/${rejectedEarly}/resolve-dispute`, { outcome: 'invalid', note: '核实未上门' })).status).to.equal(200);
    expect((await post(`/seniors/${alone}/voucher-account/adjustments`, { amountFen: 1_234, reason: '补发上月少发金额' })).status).to.equal(201);
    await transitionSenior(leaving, { action: 'deactivate', reason: 'moved_out', effectiveDate: '2026-10-20' }, w.seniorCtx(w.admin, shanghai('2026-10-21 10:00')));

    // October: run, approve and pay both statements; one visit is then found not to have happened.
    const october = (await post('/settlements', { period: '2026-10' })).body.statements as { id: string }[];
    expect(october).to.have.length(2);
    for (const { id } of october) {
      expect((await post(`/settlements/statements/${id}/approve`, {})).status).to.equal(200);
      expect((await post(`/settlements/statements/${id}/pay`, { paymentRef: `PAY-${id.slice(-6)}`, paidAt: new Date().toISOString() })).status).to.equal(200);
    }
    const rejectedLate = visits[3]!;
    expect((await post(`/service-orders/${rejectedLate}/dispute`, { reason: '回访称未服务' })).status).to.equal(200);
    expect((await post(`/service-orders/${rejectedLate}/resolve-dispute`, { outcome: 'invalid', note: '确认未服务' })).status).to.equal(200);
    // November: a new visit, and the recovery of the one rejected after payment.
    await w.visit({ seniorId: nest, side: 'south', at: shanghai('2026-11-03 09:00') });
    await post('/settlements', { period: '2026-11' });

    // 1. The ledger: every account equals its entries, and the flows balance.
    const reconciliation = await reconcileLedger('conservation', logger);
    expect(reconciliation.mismatches).to.equal(0);
    const byType = async (type: 'issue' | 'refund' | 'adjust' | 'redeem' | 'expire') => (await EntryModel.find({ type }).lean()).reduce((t: number, e) => t + e.balanceDeltaFen, 0);
    const [issued, refunded, adjusted, redeemed, expired] = [await byType('issue'), await byType('refund'), await byType('adjust'), await byType('redeem'), await byType('expire')];
    const accounts = await AccountModel.find({}).lean();
    const balances = accounts.reduce((t, a) => t + a.balanceFen, 0);
    expect(issued).to.be.greaterThan(0);
    expect([refunded, adjusted, -redeemed, -expired].every((fen) => fen > 0)).to.equal(true);
    expect(issued + refunded + adjusted).to.equal(balances + -redeemed + -expired);
    const heldByEntries = (await EntryModel.find({}).lean()).reduce((t, e) => t + e.heldDeltaFen, 0);
    expect(accounts.reduce((t, a) => t + a.heldFen, 0)).to.equal(heldByEntries);

    // 2. Settlement: what approved statements paid as subsidy is what settled visits redeemed.
    const paidStatements = await StatementModel.find({ status: { $in: ['approved', 'paid'] } }).lean();
    const paidLines = (await LineModel.find({ statementId: { $in: paidStatements.map((s) => s._id) }, kind: 'service' }).lean()).map((line) => completeLine(line as LineDoc));
    const redeemedFor = async (orderIds: string[]) => {
      const orders = await OrderModel.find({ _id: { $in: orderIds } }).lean();
      const holdRefs = orders.map((o) => o.holdRef).filter((ref): ref is string => typeof ref === 'string');
      return (await EntryModel.find({ type: 'redeem', orderId: { $in: holdRefs } }).lean()).reduce((t: number, e) => t - e.balanceDeltaFen, 0);
    };
    const subsidyPaid = paidLines.reduce((t, l) => t + l.subsidyFen, 0);
    expect(subsidyPaid).to.equal(await redeemedFor(paidLines.map((l) => l.orderId as string)));
    expect(subsidyPaid).to.equal(paidStatements.reduce((t, s) => t + s.totals.subsidyFen, 0));
    const settled = await OrderModel.find({ status: 'settled' }).lean();
    expect(settled.map((o) => String(o._id)).sort()).to.deep.equal(paidLines.map((l) => l.orderId).filter((id) => id !== rejectedLate).sort());
    expect(await redeemedFor(settled.map((o) => String(o._id)))).to.equal(subsidyPaid - paidLines.find((l) => l.orderId === rejectedLate)!.subsidyFen);
    // The visit rejected after payment: refunded to the senior, recovered from the provider next month.
    const refund = await EntryModel.findById(`refund:${(await OrderModel.findById(rejectedLate).lean())!.holdRef}`).lean();
    const recovery = await LineModel.findById(`adjust:${rejectedLate}`).lean();
    expect(recovery!.amountFen).to.equal(-refund!.balanceDeltaFen);
    expect(recovery!.period).to.equal('2026-11');
    // Every statement: payable + carried-forward = subsidy + adjustments − penalties; city + district = payable.
    for (const statement of await StatementModel.find({}).lean()) {
      const t = statement.totals;
      expect(t.payableFen - t.carryForwardFen).to.equal(t.subsidyFen + t.adjustmentFen - t.penaltyFen);
      expect(t.cityFen + t.districtFen).to.equal(t.payableFen);
    }
    // No visit is in two statements, and the early-rejected one is in none.
    expect(await LineModel.countDocuments({ _id: rejectedEarly })).to.equal(0);
    expect(new Set(paidLines.map((l) => l.orderId)).size).to.equal(paidLines.length);
  });
});

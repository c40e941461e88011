import { expect } from 'chai';
import request from 'supertest';
import { StatementModel } from '../../src/settlement/settlement.model.ts';
import { runSettlement } from '../../src/settlement/index.ts';
import { createTestApp, tokenFor } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { MONTH, at, buildSeptember, type September } from './reports.fixtures.ts';

const DAY_MS = 86_400_000;
const none = { pending_review: 0, active: 0, rejected: 0, suspended: 0, deactivated: 0 };
const noOrders = { pending_dispatch: 0, offered: 0, unassigned: 0, accepted: 0, assigned: 0, in_service: 0, completed: 0, confirmed: 0, disputed: 0, rejected: 0, cancelled: 0, settled: 0 };

/** A statement written directly, for periods and payment states the September world does not reach. */
async function insertStatement(period: string, providerId: string, status: 'draft' | 'approved' | 'paid', cityFen: number, districtFen: number, approvedAt: Date | null = null) {
  await StatementModel.create({
    _id: `${period}-${providerId}`, period, providerId, providerName: '甲服务商', status, fundingSplit: { cityPct: 60, districtPct: 40 }, approvedAt, approvedBy: approvedAt ? 'finance' : null,
    paidAt: status === 'paid' ? approvedAt : null, paymentRef: status === 'paid' ? 'BANK-1' : null,
    totals: { grossFen: 0, subsidyFen: cityFen + districtFen, selfPayFen: 0, penaltyFen: 0, adjustmentFen: 0, payableFen: cityFen + districtFen, cityFen, districtFen, carryForwardFen: 0 },
  });
}

describe('GET /reports/overview', function () {
  this.timeout(120_000);
  useTestDatabase();
  const { app, config } = createTestApp({ env: { ANNUAL_BUDGET_CITY_FEN: '1000000', ANNUAL_BUDGET_DISTRICT_FEN: '2000000' } });
  let w: September;
  const overview = async (role: 'admin' | 'finance_officer' | 'auditor' = 'admin', month = MONTH) => {
    const res = await request(app).get(`/api/v1/reports/overview?month=${month}`).set('Authorization', await tokenFor(config, role));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  };

  before(async () => {
    w = await buildSeptember(config);
    await runSettlement(MONTH, { by: 'finance', runId: 'report-test', config, now: at(1, '02:00', '2026-10') });
  });

  it('counts the registry as it stood at the end of the month, by community and by category', async () => {
    const { seniors } = await overview();

    expect(seniors.asOf).to.equal('2026-09-30T16:00:00.000Z');
    expect(seniors).to.include({ total: 5 });
    expect(seniors.byStatus).to.deep.equal({ ...none, active: 3, suspended: 1, pending_review: 1 });
    expect(seniors.byCommunity).to.deep.equal([
      { communityId: w.north.id, communityName: '北社区', total: 2, byStatus: { ...none, active: 1, suspended: 1 } },
      { communityId: w.south.id, communityName: '南社区', total: 2, byStatus: { ...none, active: 1, pending_review: 1 } },
      { communityId: w.far.id, communityName: '远社区', total: 1, byStatus: { ...none, active: 1 } },
    ]);
    expect(seniors.byCategory).to.deep.equal([
      { category: 'empty_nest', total: 1, byStatus: { ...none, active: 1 } },
      { category: 'living_alone', total: 4, byStatus: { ...none, active: 3, suspended: 1 } },
      { category: 'disabled', total: 1, byStatus: { ...none, pending_review: 1 } },
      { category: 'advanced_age', total: 1, byStatus: { ...none, active: 1 } },
    ]);
  });

  it('counts the orders scheduled in the month by status and service type, and what vouchers paid of the confirmed ones', async () => {
    const { orders, spend } = await overview();

    // O12 is scheduled for October: not here. Settlement marked nothing settled (its statements are drafts).
    const expected = { ...noOrders, confirmed: 7, completed: 2, cancelled: 1, unassigned: 1 };
    expect(orders).to.deep.equal({ total: 11, byStatus: expected, byServiceType: [{ serviceTypeCode: w.cleaning.code, serviceTypeName: '助洁', total: 11, byStatus: expected }] });
    expect(spend.vouchers).to.deep.equal({ confirmedVisits: 7, grossFen: 28_000, subsidyFen: 14_000, selfPayFen: 14_000 });
  });

  it('adds up the year\'s statements to date per funding source against the annual budget', async () => {
    await insertStatement('2026-03', w.p1.id, 'paid', 300_000, 200_000, new Date('2026-04-10T02:00:00Z'));
    await insertStatement('2025-12', w.p1.id, 'paid', 999, 999, new Date('2026-01-10T02:00:00Z'));
    await insertStatement('2026-10', w.p1.id, 'draft', 777, 777);

    const { spend } = await overview('finance_officer');

    const september = await StatementModel.find({ period: MONTH }).lean();
    const yearToDate = await StatementModel.find({ period: { $in: ['2026-03', MONTH] } }).lean();
    const sum = (statements: typeof september, field: 'cityFen' | 'districtFen' | 'payableFen') => statements.reduce((total, s) => total + s.totals[field], 0);
    expect(september.map((s) => s.providerId).sort()).to.deep.equal([w.p1.id, w.p2.id, w.p3.id].sort());
    expect(sum(september, 'payableFen')).to.be.greaterThan(0);
    expect(spend.settlement.statementsOfMonth).to.deep.equal({ total: 3, draft: 3, approved: 0, paid: 0 });
    expect(spend.settlement.payableMonthFen).to.equal(sum(september, 'payableFen'));
    expect(spend.settlement.payableYearToDateFen).to.equal(sum(yearToDate, 'payableFen'));
    const [city, district] = spend.settlement.fundingSources;
    expect(city).to.deep.equal({
      source: 'city', monthFen: sum(september, 'cityFen'), yearToDateFen: sum(yearToDate, 'cityFen'), annualBudgetFen: 1_000_000,
      yearToDateShareOfBudget: Math.round((sum(yearToDate, 'cityFen') / 1_000_000) * 10_000) / 10_000,
    });
    expect(district).to.deep.include({ source: 'district', monthFen: sum(september, 'districtFen'), yearToDateFen: sum(yearToDate, 'districtFen'), annualBudgetFen: 2_000_000 });
    expect(city.yearToDateFen + district.yearToDateFen).to.equal(spend.settlement.payableYearToDateFen);
  });

  it('flags approved statements unpaid past PAYMENT_DUE_DAYS, whatever their period', async () => {
    const now = Date.now();
    await insertStatement('2026-07', w.p2.id, 'approved', 6_000, 4_000, new Date(now - 40 * DAY_MS));
    await insertStatement('2026-08', w.p2.id, 'approved', 600, 400, new Date(now - 5 * DAY_MS));
    await insertStatement('2026-08', w.p3.id, 'paid', 600, 400, new Date(now - 50 * DAY_MS));

    const { paymentTimeliness } = await overview('auditor');

    expect(paymentTimeliness).to.deep.include({ paymentDueDays: 30, unpaidApproved: 2, overdue: 1, overdueFen: 10_000 });
    expect(paymentTimeliness.statements.map((s: { period: string; paymentOverdue: boolean; daysOverdue: number }) => [s.period, s.paymentOverdue, s.daysOverdue])).to.deep.equal([
      ['2026-07', true, 10],
      ['2026-08', false, 0],
    ]);
    expect(paymentTimeliness.statements[0]).to.include({ statementId: `2026-07-${w.p2.id}`, providerId: w.p2.id, payableFen: 10_000 });
  });

  it('answers a month without data with zeros and no budget used', async () => {
    const body = await overview('admin', '2026-02');

    expect(body.orders).to.deep.equal({ total: 0, byStatus: noOrders, byServiceType: [] });
    expect(body.seniors).to.include({ total: 0 });
    expect(body.spend.vouchers).to.deep.equal({ confirmedVisits: 0, grossFen: 0, subsidyFen: 0, selfPayFen: 0 });
    expect(body.spend.settlement.fundingSources.map((s: { yearToDateFen: number; yearToDateShareOfBudget: number }) => [s.yearToDateFen, s.yearToDateShareOfBudget])).to.deep.equal([[0, 0], [0, 0]]);
  });
});

describe('GET /reports/overview without budgets configured', function () {
  this.timeout(60_000);
  useTestDatabase();
  const { app, config } = createTestApp();

  it('shows spend with a null budget and a null share', async () => {
    const res = await request(app).get('/api/v1/reports/overview').set('Authorization', await tokenFor(config, 'admin'));

    expect(res.status).to.equal(200);
    expect(res.body.month).to.match(/^\d{4}-\d{2}$/);
    expect(res.body.spend.settlement.fundingSources).to.deep.equal([
      { source: 'city', monthFen: 0, yearToDateFen: 0, annualBudgetFen: null, yearToDateShareOfBudget: null },
      { source: 'district', monthFen: 0, yearToDateFen: 0, annualBudgetFen: null, yearToDateShareOfBudget: null },
    ]);
  });
});

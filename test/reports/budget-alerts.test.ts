import { expect } from 'chai';
import request from 'supertest';
import { UserModel } from '../../src/identity/user.model.ts';
import { NotificationModel } from '../../src/notifications/notification.model.ts';
import { alertBudgetRunRate } from '../../src/reports/index.ts';
import { StatementModel } from '../../src/settlement/settlement.model.ts';
import { createTestApp, createTestUser, tokenFor } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';

/** A statement written directly: the run-rate reads only its period, status and split. */
async function insertStatement(period: string, providerId: string, status: 'draft' | 'approved' | 'paid', cityFen: number, districtFen: number) {
  const approvedAt = status === 'draft' ? null : new Date(`${period}-25T02:00:00Z`);
  await StatementModel.create({
    _id: `${period}-${providerId}`, period, providerId, providerName: '甲服务商', status, fundingSplit: { cityPct: 60, districtPct: 40 }, approvedAt, approvedBy: approvedAt ? 'finance' : null,
    paidAt: status === 'paid' ? approvedAt : null, paymentRef: status === 'paid' ? 'BANK-1' : null,
    totals: { grossFen: 0, subsidyFen: cityFen + districtFen, selfPayFen: 0, penaltyFen: 0, adjustmentFen: 0, payableFen: cityFen + districtFen, cityFen, districtFen, carryForwardFen: 0 },
  });
}

const PROVIDERS = ['64b000000000000000000001', '64b000000000000000000002'];

/**
 * January to April settled (approved or paid): the city 75,000 fen a month over two providers, the
 * district 50,000; May still a draft; June already approved, after the report month. Projected at
 * the end of May: city 300,000 + 300,000 × 8 / 4 = 900,000 = 90 % of 1,000,000 (warns); district
 * 200,000 + 400,000 = 600,000, a fen's share below 90 % of 666,667 (does not).
 */
async function buildYear() {
  for (const month of ['01', '02', '03', '04']) {
    await insertStatement(`2026-${month}`, PROVIDERS[0]!, month === '04' ? 'approved' : 'paid', 50_000, 20_000);
    await insertStatement(`2026-${month}`, PROVIDERS[1]!, 'approved', 25_000, 30_000);
  }
  await insertStatement('2026-05', PROVIDERS[0]!, 'approved', 40_000, 1);
  await insertStatement('2026-05', PROVIDERS[1]!, 'draft', 33_333, 2);
  await insertStatement('2026-06', PROVIDERS[0]!, 'approved', 9_999_999, 9_999_999);
  await insertStatement('2025-12', PROVIDERS[0]!, 'paid', 9_999_999, 9_999_999);
}

describe('budget run-rate: the overview\'s projection and the warning to finance', function () {
  this.timeout(60_000);
  useTestDatabase();
  const { app, config } = createTestApp({ env: { ANNUAL_BUDGET_CITY_FEN: '1000000', ANNUAL_BUDGET_DISTRICT_FEN: '666667' } });

  before(buildYear);

  it('answers each source\'s settled spend, drafts apart, the run-rate and the year-end projection, warning at 90%', async () => {
    const res = await request(app).get('/api/v1/reports/overview?month=2026-05').set('Authorization', await tokenFor(config, 'finance_officer'));

    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const { runRate, fundingSources } = res.body.spend.settlement;
    expect(runRate).to.deep.include({ year: '2026', throughPeriod: '2026-05', settledMonths: 4, remainingMonths: 8, warningThresholdPct: 90 });
    expect(runRate.months.map((m: { period: string; settled: boolean; statements: number }) => [m.period, m.settled, m.statements])).to.deep.equal([
      ['2026-01', true, 2], ['2026-02', true, 2], ['2026-03', true, 2], ['2026-04', true, 2], ['2026-05', false, 2],
    ]);
    expect(runRate.months[4]).to.include({ cityFen: 73_333, districtFen: 3 });
    expect(runRate.sources).to.deep.equal([
      { source: 'city', settledFen: 300_000, pendingFen: 73_333, runRateFen: 75_000, projectedYearEndFen: 900_000, annualBudgetFen: 1_000_000, projectedShareOfBudget: 0.9, projectedOverBudgetFen: 0, warning: true },
      { source: 'district', settledFen: 200_000, pendingFen: 3, runRateFen: 50_000, projectedYearEndFen: 600_000, annualBudgetFen: 666_667, projectedShareOfBudget: 0.9, projectedOverBudgetFen: 0, warning: false },
    ]);
    // The existing figures stay as they were: every statement of the year to the month, drafts included.
    expect(fundingSources.map((s: { yearToDateFen: number }) => s.yearToDateFen)).to.deep.equal([373_333, 200_003]);
  });

  it('shows no projection to street or community roles (no settlement money for them)', async () => {
    const res = await request(app).get('/api/v1/reports/overview?month=2026-05').set('Authorization', await tokenFor(config, 'street_officer', { streetId: '64b0000000000000000000aa' }));
    expect(res.status).to.equal(200);
    expect(res.body.spend.settlement).to.equal(null);
  });

  it('tells each active finance officer once per source and year, and not again on the next run', async () => {
    const [first, second] = [await createTestUser('finance_officer'), await createTestUser('finance_officer')];
    const gone = await createTestUser('finance_officer');
    await UserModel.updateOne({ _id: gone.id }, { $set: { active: false } });
    await createTestUser('admin');
    const now = new Date('2026-05-20T00:30:00Z');
    // The officer the first test signed in as is one of them too.
    const officers = (await UserModel.find({ role: 'finance_officer', active: true }).lean()).map((user) => String(user._id)).sort();
    expect(officers).to.include.members([first.id, second.id]).and.not.include(gone.id);

    expect(await alertBudgetRunRate(config, now)).to.deep.equal({ sourcesOverThreshold: 1, notified: officers.length });
    expect(await alertBudgetRunRate(config, new Date('2026-05-21T00:30:00Z'))).to.deep.equal({ sourcesOverThreshold: 1, notified: 0 });

    const messages = await NotificationModel.find({ template: 'budget_run_rate' }).sort({ _id: 1 }).lean();
    expect(messages.map((m) => m.recipient.userId).sort()).to.deep.equal(officers);
    expect(messages.map((m) => m._id).sort()).to.deep.equal(officers.map((id) => `budget-run-rate:2026:city:${id}`).sort());
    for (const message of messages) {
      expect(message).to.deep.include({ channel: 'staff_message', status: 'pending', subject: { type: 'funding_source', id: '2026-city' } });
      expect(message.recipient.kind).to.equal('user');
      expect(message.params).to.deep.equal({ year: '2026', fundingSource: '市级财政', settledMonths: 4, projectedYuan: '9000.00', budgetYuan: '10000.00', projectedSharePct: '90.0' });
    }
  });
});

describe('budget run-rate without budgets configured', function () {
  this.timeout(60_000);
  useTestDatabase();
  const { app, config } = createTestApp();

  it('projects the year end but warns of nothing and tells no one', async () => {
    await buildYear();
    await createTestUser('finance_officer');

    const res = await request(app).get('/api/v1/reports/overview?month=2026-05').set('Authorization', await tokenFor(config, 'admin'));

    expect(res.status).to.equal(200);
    expect(res.body.spend.settlement.runRate.sources.map((s: { projectedYearEndFen: number; annualBudgetFen: null; projectedShareOfBudget: null; warning: boolean }) => [s.projectedYearEndFen, s.annualBudgetFen, s.projectedShareOfBudget, s.warning]))
      .to.deep.equal([[900_000, null, null, false], [600_000, null, null, false]]);
    expect(await alertBudgetRunRate(config, new Date('2026-05-20T00:30:00Z'))).to.deep.equal({ sourcesOverThreshold: 0, notified: 0 });
    expect(await NotificationModel.countDocuments({ template: 'budget_run_rate' })).to.equal(0);
  });
});

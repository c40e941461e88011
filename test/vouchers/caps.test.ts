import { expect } from 'chai';
import request from 'supertest';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { logger } from '../../src/shared/logger.ts';
import { addMonths } from '../../src/shared/time.ts';
import { issueMonth } from '../../src/vouchers/index.ts';
import { CapUsageModel } from '../../src/vouchers/cap-usage.model.ts';
import { reconcileLedger } from '../../src/vouchers/reconciliation.ts';
import { createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { makeCaregiver, makeCommunity, makeContract, makeProvider, makeServiceType, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody } from '../seniors/senior.fixtures.ts';

const MONTH = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date()).slice(0, 7);
const NEXT_MONTH = addMonths(MONTH, 1);
const tomorrow = () => new Date(Date.now() + 24 * 3_600_000).toISOString();
/** 10:00 Asia/Shanghai on the 2nd of next month. */
const nextMonthDay = () => `${NEXT_MONTH}-02T02:00:00.000Z`;

// Cleaning 4,000 fen a unit, its share capped at 40% (the senior's rate is 50%): 1,600 a visit.
// The month's subsidy capped at 4,801 fen: three cleanings use 4,800, the fen below the cap.
// Meals: two subsidised visits a month.
const CAPS = { monthlyFen: 4_801, perService: [{ serviceTypeCode: 'cleaning_c', maxSubsidySharePct: 40 }, { serviceTypeCode: 'meal_c', monthlyVisits: 2 }] };

describe('voucher policy caps', function () {
  this.timeout(60_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  let w: { staff: string; admin: string; seniorId: string };

  beforeEach(async () => {
    await clearCollections();
    const street = await makeStreet();
    const community = await makeCommunity(street);
    const cleaning = await makeServiceType('cleaning_c');
    const meals = await makeServiceType('meal_c');
    const provider = await makeProvider([community.id], { location: { lng: 117.2594, lat: 31.8457 } });
    await makeCaregiver(config.pii, provider.id, [cleaning.code, meals.code]);
    await makeContract(provider.id, [community.id], [{ serviceTypeCode: cleaning.code, unitPriceFen: 4_000 }, { serviceTypeCode: meals.code, unitPriceFen: 1_500 }], '2020-01-01', '2099-12-31');
    const admin = await tokenFor(config, 'admin');
    const policy = await request(app).post('/api/v1/voucher-policies').set('Authorization', admin).send({
      name: '限额政策', effectiveFrom: '2020-01', combine: 'max', categories: [{ category: 'living_alone', monthlyAmountFen: 100_000, subsidyRatePct: 50 }],
      careLevelSupplementFen: [0, 0, 0, 0, 0, 0], defaultSubsidyRatePct: 50, fundingSplit: { cityPct: 50, districtPct: 50 }, expiry: { mode: 'end_of_month' }, caps: CAPS,
    });
    expect(policy.status, JSON.stringify(policy.body)).to.equal(201);
    expect(policy.body.caps).to.deep.equal(CAPS);
    const staff = await tokenFor(config, 'community_staff', { communityIds: [community.id] });
    const senior = (await request(app).post('/api/v1/seniors').set('Authorization', staff).send(enrolmentBody(community.id, { categories: ['living_alone'] }))).body;
    await SeniorModel.updateOne({ _id: senior.id }, { $set: { status: 'active' } });
    await issueMonth(MONTH, 'test');
    w = { staff, admin, seniorId: senior.id };
  });

  const order = (serviceTypeCode: string, scheduledStart = tomorrow()) =>
    request(app).post('/api/v1/service-orders').set('Authorization', w.staff).send({ seniorId: w.seniorId, serviceTypeCode, quantity: 1, scheduledStart, source: 'hotline' });
  const account = (month?: string) => request(app).get(`/api/v1/seniors/${w.seniorId}/voucher-account${month ? `?month=${month}` : ''}`).set('Authorization', w.staff);

  it('lowers the subsidy to the service\'s share of the price: 40% of 4,000 fen, not the senior\'s 50%', async () => {
    const res = await order('cleaning_c');

    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.order).to.include({ status: 'offered', priceFen: 4_000, subsidyFen: 1_600, selfPayFen: 2_400 });
  });

  it('lets an order through with the fen below the monthly cap (its subsidy lowered to it) and refuses the next with 422 CAP_EXCEEDED, nothing stored', async () => {
    for (let i = 0; i < 3; i += 1) expect((await order('cleaning_c')).body.order.subsidyFen).to.equal(1_600);

    const lastFen = await order('cleaning_c');
    const refused = await order('cleaning_c');

    expect(lastFen.status).to.equal(201);
    expect(lastFen.body.order).to.include({ subsidyFen: 1, selfPayFen: 3_999 });
    expect(refused.status).to.equal(422);
    expect(refused.body.error.code).to.equal('CAP_EXCEEDED');
    expect(refused.body.error.details).to.deep.equal([{ path: 'caps.monthlyFen', message: `每月补贴上限 48.01 元，${MONTH} 已用 48.01 元` }]);
    expect(await OrderModel.countDocuments({ seniorId: w.seniorId })).to.equal(4);
    expect(await CapUsageModel.findById(`${w.seniorId}:${MONTH}`).lean()).to.include({ subsidyFen: 4_801 });
  });

  it('never passes the cap under eight orders at once: what the stored orders hold is what the month counts, at most the cap', async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, () => order('cleaning_c')));

    const created = answers.filter((res) => res.status === 201).map((res) => res.body.order);
    expect(answers.every((res) => res.status === 201 || res.body.error?.code === 'CAP_EXCEEDED'), JSON.stringify(answers.map((res) => res.status))).to.equal(true);
    const subsidyFen = created.reduce((sum: number, o: { subsidyFen: number }) => sum + o.subsidyFen, 0);
    expect(subsidyFen).to.be.at.most(4_801);
    expect(created.length).to.be.at.least(3);
    const usage = await CapUsageModel.findById(`${w.seniorId}:${MONTH}`).lean();
    expect(usage?.subsidyFen).to.equal(subsidyFen);
    expect(Object.keys(usage?.holds ?? {})).to.have.length(created.filter((o: { subsidyFen: number }) => o.subsidyFen > 0).length);
    expect((await account()).body.heldFen).to.equal(subsidyFen);
  });

  it('gives the room back when an order is cancelled', async () => {
    const orders = [];
    for (let i = 0; i < 4; i += 1) orders.push((await order('cleaning_c')).body.order);
    expect((await order('cleaning_c')).status).to.equal(422);

    const cancelled = await request(app).post(`/api/v1/service-orders/${orders[0].id}/cancel`).set('Authorization', w.staff).send({ reason: '老人住院' });
    const again = await order('cleaning_c');

    expect(cancelled.status).to.equal(200);
    expect(again.status).to.equal(201);
    expect(again.body.order.subsidyFen).to.equal(1_600);
    expect((await account()).body.caps.usedFen).to.equal(4_801);
  });

  it('lets the Nth subsidised visit of a service through and refuses the N+1th with 422, naming the quota', async () => {
    const first = await order('meal_c');
    const second = await order('meal_c');
    const third = await order('meal_c');

    expect([first.status, second.status]).to.deep.equal([201, 201]);
    expect(second.body.order.subsidyFen).to.equal(750);
    expect(third.status).to.equal(422);
    expect(third.body.error).to.include({ code: 'CAP_EXCEEDED' });
    expect(third.body.error.details).to.deep.equal([{ path: 'caps.perService.monthlyVisits', message: `服务“助洁”每月补贴限 2 次，${MONTH} 已用 2 次` }]);
  });

  it('starts a new month fresh: the month after a used-up one has its whole cap and quota', async () => {
    for (let i = 0; i < 4; i += 1) await order('cleaning_c');
    await order('meal_c');
    await order('meal_c');
    expect((await order('meal_c')).status).to.equal(422);

    const nextMeal = await order('meal_c', nextMonthDay());
    const nextCleaning = await order('cleaning_c', nextMonthDay());

    expect(nextMeal.status, JSON.stringify(nextMeal.body)).to.equal(201);
    expect(nextCleaning.body.order).to.include({ subsidyFen: 1_600 });
    expect((await account(NEXT_MONTH)).body.caps).to.deep.include({ month: NEXT_MONTH, usedFen: 2_350 });
  });

  it('holds each month to its own policy\'s cap across a policy change: the fen below passes, the fen at it does not, on both sides', async () => {
    // From next month a new policy caps the month at 3,201 fen: two cleanings (3,200) are the fen below.
    const changed = await request(app).post('/api/v1/voucher-policies').set('Authorization', w.admin).send({
      name: '下月起收紧的限额', effectiveFrom: NEXT_MONTH, combine: 'max', categories: [{ category: 'living_alone', monthlyAmountFen: 100_000, subsidyRatePct: 50 }],
      careLevelSupplementFen: [0, 0, 0, 0, 0, 0], defaultSubsidyRatePct: 50, fundingSplit: { cityPct: 50, districtPct: 50 }, expiry: { mode: 'end_of_month' },
      caps: { monthlyFen: 3_201, perService: [{ serviceTypeCode: 'cleaning_c', maxSubsidySharePct: 40 }] },
    });
    expect(changed.status, JSON.stringify(changed.body)).to.equal(201);

    const next = [];
    for (let i = 0; i < 4; i += 1) next.push(await order('cleaning_c', nextMonthDay()));
    const current = [];
    for (let i = 0; i < 5; i += 1) current.push(await order('cleaning_c'));

    expect(next.map((res) => res.status)).to.deep.equal([201, 201, 201, 422]);
    expect(next.slice(0, 3).map((res) => res.body.order.subsidyFen)).to.deep.equal([1_600, 1_600, 1]);
    expect(next[3]!.body.error.details).to.deep.equal([{ path: 'caps.monthlyFen', message: `每月补贴上限 32.01 元，${NEXT_MONTH} 已用 32.01 元` }]);
    // This month keeps this month's policy: 4,801.
    expect(current.map((res) => res.status)).to.deep.equal([201, 201, 201, 201, 422]);
    expect(current.slice(0, 4).map((res) => res.body.order.subsidyFen)).to.deep.equal([1_600, 1_600, 1_600, 1]);
    expect(await CapUsageModel.findById(`${w.seniorId}:${NEXT_MONTH}`).lean()).to.include({ subsidyFen: 3_201 });
    expect(await CapUsageModel.findById(`${w.seniorId}:${MONTH}`).lean()).to.include({ subsidyFen: 4_801 });
    expect(await OrderModel.countDocuments({ seniorId: w.seniorId })).to.equal(7);
  });

  it('shows the month\'s caps and what is used of them on the voucher account', async () => {
    await order('cleaning_c');
    await order('meal_c');

    const res = await account();

    expect(res.status).to.equal(200);
    expect(res.body).to.include({ seniorId: w.seniorId, heldFen: 2_350 });
    expect(res.body.caps).to.deep.equal({
      month: MONTH, monthlyFen: 4_801, usedFen: 2_350,
      perService: [
        { serviceTypeCode: 'cleaning_c', maxSubsidySharePct: 40, monthlyVisits: null, visitsUsed: 1 },
        { serviceTypeCode: 'meal_c', maxSubsidySharePct: null, monthlyVisits: 2, visitsUsed: 1 },
      ],
    });
  });

  it('has the reconciliation rebuild a drifted usage from the ledger', async () => {
    await order('cleaning_c');
    await order('meal_c');
    const _id = `${w.seniorId}:${MONTH}`;
    await CapUsageModel.updateOne({ _id }, { $set: { subsidyFen: 99, 'visits.meal_c': 7 } });

    const counts = await reconcileLedger('caps-1', logger);

    expect(counts).to.include({ mismatches: 0, capUsageRepaired: 1 });
    expect(await CapUsageModel.findById(_id).lean()).to.deep.include({ subsidyFen: 2_350, visits: { cleaning_c: 1, meal_c: 1 } });
    expect((await reconcileLedger('caps-2', logger)).capUsageRepaired).to.equal(0);
  });

  it('refuses a service named twice in the caps, in Chinese', async () => {
    const body = (caps: object) => ({
      name: '限额政策', effectiveFrom: '2031-01', combine: 'max', categories: [{ category: 'living_alone', monthlyAmountFen: 100_000, subsidyRatePct: 50 }],
      careLevelSupplementFen: [0, 0, 0, 0, 0, 0], defaultSubsidyRatePct: 50, fundingSplit: { cityPct: 50, districtPct: 50 }, expiry: { mode: 'end_of_month' }, caps,
    });
    const twice = await request(app).post('/api/v1/voucher-policies').set('Authorization', w.admin).send(body({ perService: [{ serviceTypeCode: 'x' }, { serviceTypeCode: 'x' }] }));

    expect(twice.status).to.equal(400);
    expect(twice.body.error.details).to.deep.include({ path: 'caps.perService.1.serviceTypeCode', message: '同一服务只能设置一条限额' });
  });
});

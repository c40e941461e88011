import { expect } from 'chai';
import request from 'supertest';
import { OccurrenceModel } from '../../src/care-plans/care-plan.model.ts';
import { generateCarePlanOrders } from '../../src/care-plans/index.ts';
import { occurrenceOrderId } from '../../src/care-plans/care-plan-generation.service.ts';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { logger } from '../../src/shared/logger.ts';
import { addDaysToDay } from '../../src/shared/time.ts';
import { AccountModel } from '../../src/vouchers/ledger.model.ts';
import { createTestApp } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { carePlanWorld, nextMonday, planBody } from './care-plans.fixtures.ts';

describe('care plans: order generation and stopping', function () {
  this.timeout(60_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  let w: Awaited<ReturnType<typeof carePlanWorld>>;
  let monday: string;
  let planId: string;

  beforeEach(async () => {
    await clearCollections();
    w = await carePlanWorld(app, config);
    monday = nextMonday();
    const res = await request(app).post('/api/v1/care-plans').set('Authorization', w.staff).send(planBody(w.senior.id, w.meals.code, { startDate: monday }));
    expect(res.status).to.equal(201);
    planId = res.body.id;
  });

  const generate = () => generateCarePlanOrders(config, logger, monday, 7);
  const planOrders = () => OrderModel.find({ seniorId: w.senior.id, source: 'care_plan' }).sort({ scheduledStart: 1 }).lean();
  const mondayWednesdayFriday = () => [monday, addDaysToDay(monday, 2), addDaysToDay(monday, 4)];

  it('creates Monday, Wednesday and Friday of the 7-day horizon at 11:00 Asia/Shanghai (03:00Z)', async () => {
    const counts = await generate();

    const orders = await planOrders();
    expect(counts).to.include({ plans: 1, created: 3, skipped: 0, existing: 0 });
    expect(orders.map((order) => order.scheduledDay)).to.deep.equal(mondayWednesdayFriday());
    expect(orders.map((order) => order.scheduledStart.toISOString())).to.deep.equal(mondayWednesdayFriday().map((day) => `${day}T03:00:00.000Z`));
    expect(orders.every((order) => order.serviceTypeCode === w.meals.code && order.status === 'offered')).to.equal(true);
    const claims = await OccurrenceModel.find({ planId }).sort({ day: 1 }).lean();
    expect(claims.map((claim) => [claim._id, claim.status, claim.orderId])).to.deep.equal(orders.map((order) => [`${planId}:${order.scheduledDay}`, 'created', String(order._id)]));
  });

  it('respects the end date, converts 07:30 to 23:30Z of the day before, and leaves stopped plans alone', async () => {
    await request(app).post('/api/v1/care-plans').set('Authorization', w.staff).send(planBody(w.senior.id, w.meals.code, { startDate: monday, endDate: addDaysToDay(monday, 2), weekdays: [1, 2, 3, 4, 5, 6, 7], time: '07:30' }));
    await request(app).post(`/api/v1/care-plans/${planId}/stop`).set('Authorization', w.staff);

    const counts = await generate();

    const orders = await planOrders();
    expect(counts).to.include({ plans: 1, created: 3 });
    expect(orders.map((order) => order.scheduledStart.toISOString())).to.deep.equal([0, 1, 2].map((offset) => `${addDaysToDay(monday, offset - 1)}T23:30:00.000Z`));
  });

  it('never duplicates: a second run finds every day existing', async () => {
    await generate();
    const again = await generate();

    expect(again).to.include({ created: 0, existing: 3 });
    expect(await planOrders()).to.have.length(3);
  });

  it('never duplicates when two runs race', async () => {
    const [first, second] = await Promise.all([generate(), generate()]);

    expect(first.created + second.created).to.equal(3);
    expect(first.existing + second.existing).to.equal(3);
    expect(await planOrders()).to.have.length(3);
  });

  it('takes over a stale claim left without an order, but not a fresh one', async () => {
    const wednesday = addDaysToDay(monday, 2);
    await OccurrenceModel.create({ _id: `${planId}:${monday}`, planId, day: monday, status: 'claimed', claimToken: 'crashed', claimedAt: new Date(Date.now() - 11 * 60_000) });
    await OccurrenceModel.create({ _id: `${planId}:${wednesday}`, planId, day: wednesday, status: 'claimed', claimToken: 'running', claimedAt: new Date(Date.now() - 60_000) });

    const counts = await generate();

    expect(counts).to.include({ created: 2, existing: 1 });
    expect((await planOrders()).map((order) => order.scheduledDay)).to.deep.equal([monday, addDaysToDay(monday, 4)]);
    expect(await OccurrenceModel.findById(`${planId}:${monday}`).lean()).to.include({ status: 'created' });
    expect(await OccurrenceModel.findById(`${planId}:${wednesday}`).lean()).to.include({ status: 'claimed', orderId: null });
  });

  it('finds the order a crashed run created before recording it, instead of creating a second one', async () => {
    await generate();
    // Simulate the crash: the claim lost its order id and went stale, the order exists.
    await OccurrenceModel.updateOne({ _id: `${planId}:${monday}` }, { $set: { status: 'claimed', orderId: null, claimedAt: new Date(Date.now() - 11 * 60_000) } });

    const counts = await generate();

    expect(counts).to.include({ created: 1, existing: 2 });
    expect(await planOrders()).to.have.length(3);
    expect((await OccurrenceModel.findById(`${planId}:${monday}`).lean())!.orderId).to.equal(occurrenceOrderId(`${planId}:${monday}`));
  });

  it('skips the days of a senior no longer active, with the reason, and creates them once the senior is active again', async () => {
    await SeniorModel.updateOne({ _id: w.senior.id }, { $set: { status: 'suspended' } });

    const suspended = await generate();
    const claim = await OccurrenceModel.findById(`${planId}:${monday}`).lean();
    await SeniorModel.updateOne({ _id: w.senior.id }, { $set: { status: 'active' } });
    const resumed = await generate();

    expect(suspended).to.include({ created: 0, skipped: 3 });
    expect(claim).to.include({ status: 'skipped', orderId: null });
    expect(claim!.reason).to.match(/^NOT_ELIGIBLE/);
    expect(resumed).to.include({ created: 3, skipped: 0 });
    expect(await planOrders()).to.have.length(3);
  });

  it('cancels future orders not yet accepted when stopped, releasing their holds; an accepted one stays', async () => {
    await generate();
    const [accepted, ...others] = await planOrders();
    expect((await request(app).post(`/api/v1/service-orders/${String(accepted!._id)}/accept`).set('Authorization', w.providerAdmin)).status).to.equal(200);
    expect((await AccountModel.findById(w.senior.id).lean())!.heldFen).to.equal(3 * 2_000);

    const res = await request(app).post(`/api/v1/care-plans/${planId}/stop`).set('Authorization', w.staff);

    expect(res.status).to.equal(200);
    expect((await OrderModel.findById(accepted!._id).lean())!.status).to.equal('accepted');
    for (const order of others) expect((await OrderModel.findById(order._id).lean())!.status).to.equal('cancelled');
    expect((await AccountModel.findById(w.senior.id).lean())!.heldFen).to.equal(2_000);
  });

  it('releases every hold when no order was accepted, and generates nothing more after the stop', async () => {
    await generate();

    await request(app).post(`/api/v1/care-plans/${planId}/stop`).set('Authorization', w.staff);
    const after = await generate();

    expect((await planOrders()).map((order) => order.status)).to.deep.equal(['cancelled', 'cancelled', 'cancelled']);
    expect((await AccountModel.findById(w.senior.id).lean())!.heldFen).to.equal(0);
    expect(after).to.include({ plans: 0, created: 0 });
  });
});

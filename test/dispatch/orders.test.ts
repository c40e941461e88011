import { expect } from 'chai';
import request from 'supertest';
import { sweepExpiredOffers } from '../../src/dispatch/order-offers.service.ts';
import mongoose from 'mongoose';
import { OrderModel, OrderRankingModel } from '../../src/dispatch/order.model.ts';
import { ProviderModel } from '../../src/organisation/providers.model.ts';
import { NotificationModel } from '../../src/notifications/notification.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { logger } from '../../src/shared/logger.ts';
import { issueMonth } from '../../src/vouchers/index.ts';
import { AccountModel, EntryModel } from '../../src/vouchers/ledger.model.ts';
import { authFor, createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { makeCaregiver, makeCommunity, makeContract, makeProvider, makeServiceType, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody } from '../seniors/senior.fixtures.ts';

const MONTH = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date()).slice(0, 7);
const tomorrow = () => new Date(Date.now() + 24 * 3_600_000).toISOString();

describe('service orders and dispatch', function () {
  this.timeout(60_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  let w: Awaited<ReturnType<typeof buildWorld>>;

  async function buildWorld() {
    const street = await makeStreet();
    const community = await makeCommunity(street);
    const cleaning = await makeServiceType('cleaning_t');
    const meals = await makeServiceType('meal_t', { onSite: true });
    const near = await makeProvider([community.id], { location: { lng: 117.2594, lat: 31.8457 } });
    const far = await makeProvider([community.id], { location: { lng: 117.3387, lat: 31.8457 } });
    const starlight = await makeProvider([community.id], { kind: 'starlight_center', location: { lng: 117.2858, lat: 31.8457 } });
    for (const provider of [near, far, starlight]) await makeCaregiver(config.pii, provider.id, [cleaning.code, meals.code]);
    await makeContract(near.id, [community.id], [{ serviceTypeCode: cleaning.code, unitPriceFen: 4_000 }, { serviceTypeCode: meals.code, unitPriceFen: 1_500 }], '2020-01-01', '2099-12-31');
    await makeContract(far.id, [community.id], [{ serviceTypeCode: cleaning.code, unitPriceFen: 5_000 }], '2020-01-01', '2099-12-31');
    await makeContract(starlight.id, [community.id], [{ serviceTypeCode: meals.code, unitPriceFen: 1_200 }], '2020-01-01', '2099-12-31');
    const admin = await tokenFor(config, 'admin');
    await request(app).post('/api/v1/voucher-policies').set('Authorization', admin).send({
      name: '测试政策', effectiveFrom: '2020-01', combine: 'max', categories: [{ category: 'living_alone', monthlyAmountFen: 10_000, subsidyRatePct: 50 }],
      careLevelSupplementFen: [0, 0, 0, 0, 0, 0], defaultSubsidyRatePct: 50, fundingSplit: { cityPct: 50, districtPct: 50 }, expiry: { mode: 'end_of_month' },
    });
    const staff = await tokenFor(config, 'community_staff', { communityIds: [community.id] });
    const senior = (await request(app).post('/api/v1/seniors').set('Authorization', staff).send(enrolmentBody(community.id, { categories: ['living_alone'] }))).body;
    await SeniorModel.updateOne({ _id: senior.id }, { $set: { status: 'active' } });
    await issueMonth(MONTH, 'test');
    const providerStaff = {
      near: await authFor(config, 'provider_admin', { providerId: near.id }),
      far: await authFor(config, 'provider_admin', { providerId: far.id }),
      starlight: await authFor(config, 'provider_admin', { providerId: starlight.id }),
    };
    return { street, community, cleaning, meals, near, far, starlight, admin, staff, senior, providerStaff };
  }

  beforeEach(async () => {
    await clearCollections();
    w = await buildWorld();
  });

  const order = (overrides: Record<string, unknown> = {}, authorization = w.staff) =>
    request(app).post('/api/v1/service-orders').set('Authorization', authorization).send({ seniorId: w.senior.id, serviceTypeCode: w.cleaning.code, quantity: 2, scheduledStart: tomorrow(), source: 'hotline', ...overrides });
  const act = (who: keyof typeof w.providerStaff, id: string, action: string, body: object = {}) =>
    request(app).post(`/api/v1/service-orders/${id}/${action}`).set('Authorization', w.providerStaff[who].authorization).send(body);

  it("tells a provider's dispatcher whom an offer is for and why it came to them, and no one else", async () => {
    const created = (await order()).body.order;
    const listed = async (who: keyof typeof w.providerStaff) => (await request(app).get('/api/v1/service-orders?status=offered').set('Authorization', w.providerStaff[who].authorization)).body.items;

    const [mine] = await listed('near');
    expect(mine.id).to.equal(created.id);
    // The senior's name masked and the address to the door number (enrolmentBody: 桐城路218号3幢201室).
    expect(mine.offerFacts.senior).to.deep.equal({ nameMasked: '王*英', addressArea: '合肥市蜀山区桐城路218号' });
    expect(mine.offerFacts).to.include({ rank: 1, candidates: 2 });
    expect(mine.offerFacts.reasons).to.deep.equal(created.dispatch.ranking[0].reasons);
    expect(mine.offerFacts.reasons.join()).to.match(/15分钟服务圈/);
    const detail = (await request(app).get(`/api/v1/service-orders/${created.id}`).set('Authorization', w.providerStaff.near.authorization)).body;
    expect(detail.offerFacts.rank).to.equal(1);

    // Declined: re-ranked without the decliner and offered to the next provider, which is told
    // why by the new ranking; the first sees nothing of it any more.
    expect((await act('near', created.id, 'decline', { reason: '人手不足' })).status).to.equal(200);
    const [next] = await listed('far');
    expect(next.offerFacts).to.include({ rank: 1, candidates: 1 });
    expect(next.offerFacts.reasons.join()).to.match(/距离 [\d.]+ 公里/);
    expect(await listed('near')).to.deep.equal([]);
    const staffView = (await request(app).get(`/api/v1/service-orders/${created.id}`).set('Authorization', w.staff)).body;
    expect(staffView).to.not.have.property('offerFacts');
  });

  it('creates an order priced by the best provider, holds the subsidy and answers the visit code once', async () => {
    const res = await order();

    expect(res.status, JSON.stringify(res.body).slice(0, 300)).to.equal(201);
    expect(res.body.visitCode).to.match(/^\d{6}$/);
    expect(res.body.order).to.include({ status: 'offered', priceFen: 8_000, subsidyFen: 4_000, selfPayFen: 4_000, priority: 'normal' });
    expect(res.body.order.offer.providerId).to.equal(w.near.id);
    expect(res.body.order.dispatch.ranking[0].reasons[0]).to.match(/15分钟服务圈/);
    expect(await AccountModel.findById(w.senior.id).lean()).to.include({ heldFen: 4_000, availableFen: 6_000 });
    const stored = await OrderModel.findById(res.body.order.id).lean();
    expect(JSON.stringify(stored)).not.to.include(res.body.visitCode.length === 6 ? `"${res.body.visitCode}"` : 'x');
    const again = await request(app).get(`/api/v1/service-orders/${res.body.order.id}`).set('Authorization', w.staff);
    expect(again.body).not.to.have.property('visitCode');
  });

  it('keeps the ranking beside the order: the detail shows it, the stored order and the list items do not carry it', async () => {
    const created = await order();
    const id = created.body.order.id as string;

    const stored = await OrderModel.findById(id).lean();
    const beside = await OrderRankingModel.findById(stored!.rankingRef).lean();
    const detail = await request(app).get(`/api/v1/service-orders/${id}`).set('Authorization', w.staff);
    const list = await request(app).get('/api/v1/service-orders').set('Authorization', w.staff);

    expect(stored!.dispatch).to.not.have.property('ranking');
    expect(stored!.rankingRef).to.equal(`${id}:1`);
    expect(beside).to.include({ orderId: id });
    expect(beside!.ranking.map((r) => r.providerId)[0]).to.equal(w.near.id);
    expect(detail.body.dispatch.ranking).to.deep.equal(created.body.order.dispatch.ranking);
    expect(detail.body.dispatch.ranking[0]).to.include({ providerId: w.near.id });
    expect(list.body.items[0].id).to.equal(id);
    expect(list.body.items[0].dispatch).to.deep.equal({ attempts: detail.body.dispatch.attempts });

    // The next offer (after a decline) has a ranking of its own; the first stays as it was.
    const declined = await act('near', id, 'decline', { reason: '人手不足' });
    expect(declined.status).to.equal(200);
    const after = await OrderModel.findById(id).lean();
    expect(after!.rankingRef).to.equal(`${id}:2`);
    expect(declined.body.dispatch.ranking.map((r: { providerId: string }) => r.providerId)).to.not.include(w.near.id);
    expect(await OrderRankingModel.countDocuments({ orderId: id })).to.equal(2);
  });

  it('shows an order from before the change with the ranking it carries itself', async () => {
    const created = await order();
    const id = created.body.order.id as string;
    const legacy = [{ providerId: w.near.id, score: 0.9, distanceKm: 0.5, reasons: ['within the 15-minute circle (0.5 km)'] }];
    await OrderModel.collection.updateOne({ _id: new mongoose.Types.ObjectId(id) }, { $set: { 'dispatch.ranking': legacy }, $unset: { rankingRef: '' } });

    const detail = await request(app).get(`/api/v1/service-orders/${id}`).set('Authorization', w.staff);

    expect(detail.status).to.equal(200);
    expect(detail.body.dispatch.ranking).to.deep.equal(legacy);
  });

  it('caps the subsidy at the available balance', async () => {
    const res = await order({ quantity: 5 });

    expect(res.body.order).to.include({ priceFen: 20_000, subsidyFen: 10_000, selfPayFen: 10_000 });
    const second = await order({ quantity: 1 });
    expect(second.body.order).to.include({ priceFen: 4_000, subsidyFen: 0, selfPayFen: 4_000 });
  });

  it('refuses an order for a senior who is not active (422 NOT_ELIGIBLE) or outside the worker\'s scope (404)', async () => {
    await SeniorModel.updateOne({ _id: w.senior.id }, { $set: { status: 'suspended' } });
    const suspended = await order();
    const otherStaff = await tokenFor(config, 'community_staff', { communityIds: [(await makeCommunity(w.street)).id] });
    await SeniorModel.updateOne({ _id: w.senior.id }, { $set: { status: 'active' } });
    const outside = await order({}, otherStaff);

    expect(suspended.status).to.equal(422);
    expect(suspended.body.error.code).to.equal('NOT_ELIGIBLE');
    expect(outside.status).to.equal(404);
    expect(await OrderModel.countDocuments()).to.equal(0);
  });

  it('sends meals to the community\'s Starlight centre first, at its contract price', async () => {
    const res = await order({ serviceTypeCode: w.meals.code, quantity: 1 });

    expect(res.body.order.offer.providerId).to.equal(w.starlight.id);
    expect(res.body.order).to.include({ priceFen: 1_200, subsidyFen: 600 });
  });

  it('lets exactly one of 20 simultaneous accepts win', async () => {
    const id = (await order()).body.order.id;

    const answers = await Promise.all(Array.from({ length: 20 }, () => act('near', id, 'accept')));

    expect(answers.filter((r) => r.status === 200)).to.have.length(1);
    expect(answers.filter((r) => r.status === 409).every((r) => r.body.error.code === 'OFFER_NOT_ACTIVE')).to.equal(true);
    expect((await OrderModel.findById(id).lean())).to.include({ status: 'accepted', providerId: w.near.id });
  });

  it('hides an order from a provider it was not offered to (404), and refuses their accept', async () => {
    const id = (await order()).body.order.id;

    expect((await request(app).get(`/api/v1/service-orders/${id}`).set('Authorization', w.providerStaff.far.authorization)).status).to.equal(404);
    expect((await act('far', id, 'accept')).status).to.equal(404);
    expect((await OrderModel.findById(id).lean())!.status).to.equal('offered');
  });

  it('re-dispatches a declined order at once, re-prices it and never offers it back to the decliner', async () => {
    const id = (await order()).body.order.id;

    const declined = await act('near', id, 'decline', { reason: '人手不足' });

    expect(declined.status).to.equal(200);
    expect(declined.body.offer.providerId).to.equal(w.far.id);
    expect(declined.body).to.include({ priceFen: 10_000, subsidyFen: 5_000 });
    expect(declined.body.dispatch.attempts.map((a: { outcome: string }) => a.outcome)).to.deep.equal(['declined', 'offered']);
    expect(declined.body.dispatch.attempts.map((a: { answeredAt: string | null }) => a.answeredAt === null)).to.deep.equal([false, true]);
    expect(await AccountModel.findById(w.senior.id).lean()).to.include({ heldFen: 5_000 });
    expect(await EntryModel.countDocuments({ type: 'release' })).to.equal(1);
    const again = await act('far', id, 'decline', { reason: '太远' });
    expect(again.body.status).to.equal('unassigned');
    expect(await AccountModel.findById(w.senior.id).lean()).to.include({ heldFen: 0 });
  });

  it('moves expired offers on with the sweeper (controlled clock), then to a human with a notification', async () => {
    const id = (await order()).body.order.id;
    const later = (minutes: number) => new Date(Date.now() + minutes * 60_000);

    const first = await sweepExpiredOffers(config, logger, later(31));
    const afterFirst = await OrderModel.findById(id).lean();
    const second = await sweepExpiredOffers(config, logger, later(62));
    const afterSecond = await OrderModel.findById(id).lean();

    expect(first).to.include({ expired: 1, reoffered: 1 });
    expect(afterFirst!.offer!.providerId).to.equal(w.far.id);
    expect(second).to.include({ expired: 1, unassigned: 1 });
    expect(afterSecond!.status).to.equal('unassigned');
    expect(afterSecond!.dispatch!.attempts.map((a) => a.outcome)).to.deep.equal(['expired', 'expired']);
    expect(await NotificationModel.countDocuments({ template: 'order_unassigned' })).to.equal(1);
    expect(await sweepExpiredOffers(config, logger, later(100))).to.include({ expired: 0 });
  });

  it('passes over a provider whose visits taken that day fill its daily capacity, and counts only its own', async () => {
    await ProviderModel.updateOne({ _id: w.near.id }, { $set: { dailyCapacity: 1 } });
    const first = (await order()).body.order;
    expect((await act('near', first.id, 'accept')).status).to.equal(200);

    const sameDay = await order({ scheduledStart: first.scheduledStart });
    const nextDay = await order({ scheduledStart: new Date(Date.parse(first.scheduledStart) + 86_400_000).toISOString() });

    expect(sameDay.body.order.offer.providerId).to.equal(w.far.id);
    expect(sameDay.body.order.dispatch.ranking.map((r: { providerId: string }) => r.providerId)).not.to.include(w.near.id);
    expect(nextDay.body.order.offer.providerId).to.equal(w.near.id);
  });

  it('refuses an accept after the offer expired with 409 OFFER_NOT_ACTIVE', async () => {
    const id = (await order()).body.order.id;
    await OrderModel.updateOne({ _id: id }, { $set: { 'offer.expiresAt': new Date(Date.now() - 1000) } });

    const res = await act('near', id, 'accept');

    expect(res.status).to.equal(409);
    expect(res.body.error.code).to.equal('OFFER_NOT_ACTIVE');
  });

  it('lets staff dispatch an unassigned order by hand, and refuses a provider that declined it', async () => {
    const id = (await order()).body.order.id;
    await act('near', id, 'decline', { reason: 'x' });
    await act('far', id, 'decline', { reason: 'y' });

    const refused = await request(app).post(`/api/v1/service-orders/${id}/dispatch`).set('Authorization', w.staff).send({ providerId: w.near.id });
    const stillNobody = await request(app).post(`/api/v1/service-orders/${id}/dispatch`).set('Authorization', w.staff).send({});

    expect(refused.status).to.equal(422);
    expect(stillNobody.status).to.equal(409);
    expect((await OrderModel.findById(id).lean())!.status).to.equal('unassigned');
  });

  it('records every transition in the order\'s history', async () => {
    const id = (await order()).body.order.id;
    await act('near', id, 'accept');

    const history = await request(app).get(`/api/v1/service-orders/${id}/history`).set('Authorization', w.staff);

    expect(history.body.items.map((h: { action: string; toStatus: string }) => `${h.action}:${h.toStatus}`)).to.deep.equal(['create:pending_dispatch', 'offer:offered', 'accept:accepted']);
  });
});

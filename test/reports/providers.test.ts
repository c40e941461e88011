import { expect } from 'chai';
import request from 'supertest';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { createTestApp, tokenFor } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { MONTH, buildSeptember, type September } from './reports.fixtures.ts';

describe('GET /reports/providers', function () {
  this.timeout(120_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  let w: September;
  let body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a JSON answer
  const row = (providerId: string) => body.providers.find((p: { providerId: string }) => p.providerId === providerId);

  before(async () => {
    w = await buildSeptember(config);
    const res = await request(app).get(`/api/v1/reports/providers?month=${MONTH}`).set('Authorization', await tokenFor(config, 'finance_officer'));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    body = res.body;
  });

  it('lists every provider with an offer or an order in the month, by name', () => {
    expect(body.providers.map((p: { providerName: string }) => p.providerName)).to.deep.equal(['丙服务商', '甲服务商', '乙服务商']);
    expect(body).to.include({ month: MONTH, lateArrivalGraceMinutes: 30 });
    expect(body.scope).to.deep.equal({ level: 'district', streetId: null, communityIds: [] });
  });

  it('counts offers in the month they were made, with acceptance rate and median time to accept', () => {
    // P1: O1 12 min, O2 29, O3 20 (after P2 declined), O8 10, O12 3 (a visit of October); declined O6.
    expect(row(w.p1.id)).to.include({ offers: 6, accepted: 5, declined: 1, expired: 0, openOffers: 0, acceptanceRate: 0.8333, medianMinutesToAccept: 12 });
    // P2: declined O3, accepted O4 6 min, O5 4, O7 8, let O6 expire.
    expect(row(w.p2.id)).to.include({ offers: 5, accepted: 3, declined: 1, expired: 1, acceptanceRate: 0.6, medianMinutesToAccept: 6 });
    expect(row(w.p3.id)).to.include({ offers: 3, accepted: 3, acceptanceRate: 1, medianMinutesToAccept: 15 });
  });

  it('measures visits of the month: on time within the grace, satisfaction, cancellations, disputes and flags', () => {
    expect(row(w.p1.id)).to.include({
      visitsCheckedIn: 4, visitsConfirmed: 4, onTimeVisits: 3, onTimeRate: 0.75, ratings: 2, averageSatisfaction: 4,
      cancellationsAfterAcceptance: 0, disputes: 0, flaggedVisits: 1, flagRate: 0.25,
    });
    expect(row(w.p2.id)).to.include({
      visitsCheckedIn: 2, visitsConfirmed: 2, onTimeVisits: 2, onTimeRate: 1, ratings: 2, averageSatisfaction: 3,
      cancellationsAfterAcceptance: 1, disputes: 1, flaggedVisits: 1, flagRate: 0.5,
    });
    expect(row(w.p3.id)).to.include({ visitsCheckedIn: 3, visitsConfirmed: 1, onTimeRate: 1, averageSatisfaction: 5, flaggedVisits: 0, flagRate: 0 });
  });

  it('gives the same figures over every provider, and the district flag rate', () => {
    expect(body.overall).to.include({
      offers: 14, accepted: 11, declined: 2, expired: 1, acceptanceRate: 0.7857, medianMinutesToAccept: 12,
      visitsCheckedIn: 9, onTimeVisits: 8, ratings: 5, averageSatisfaction: 3.8, cancellationsAfterAcceptance: 1, disputes: 1, flaggedVisits: 2, flagRate: 0.2222,
    });
    expect(body.districtFlagRate).to.equal(0.2222);
  });

  it('leaves offers recorded before answer times were kept out of the median, not out of the counts', async () => {
    await OrderModel.updateOne({ _id: w.orders.o2 }, { $unset: { 'dispatch.attempts.0.answeredAt': 1 } });

    const res = await request(app).get(`/api/v1/reports/providers?month=${MONTH}`).set('Authorization', await tokenFor(config, 'auditor'));

    // [3, 10, 12, 20] without O2's 29 minutes: the median is (10 + 12) / 2.
    expect(res.body.providers.find((p: { providerId: string }) => p.providerId === w.p1.id)).to.include({ accepted: 5, medianMinutesToAccept: 11 });
  });
});

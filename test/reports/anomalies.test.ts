import { expect } from 'chai';
import request from 'supertest';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { StatementModel } from '../../src/settlement/settlement.model.ts';
import { createTestApp, tokenFor } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { MONTH, at, buildSeptember, type September } from './reports.fixtures.ts';

describe('GET /reports/anomalies', function () {
  this.timeout(120_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  let w: September;
  /** The human number of each order, by id, as stored. */
  const numbers = new Map<string, string | null>();
  const numberOf = (orderId: string) => numbers.get(orderId);
  let body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a JSON answer

  before(async () => {
    w = await buildSeptember(config);
    for (const order of await OrderModel.find({}, { number: 1 }).lean()) numbers.set(String(order._id), order.number ?? null);
    await StatementModel.create({
      _id: `2026-08-${w.p2.id}`, period: '2026-08', providerId: w.p2.id, providerName: '乙服务商', status: 'approved', fundingSplit: { cityPct: 60, districtPct: 40 },
      approvedAt: new Date(Date.now() - 45 * 86_400_000), approvedBy: 'finance',
      totals: { grossFen: 0, subsidyFen: 5_000, selfPayFen: 0, penaltyFen: 0, adjustmentFen: 0, payableFen: 5_000, cityFen: 3_000, districtFen: 2_000, carryForwardFen: 0 },
    });
    const res = await request(app).get(`/api/v1/reports/anomalies?month=${MONTH}`).set('Authorization', await tokenFor(config, 'auditor'));
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    body = res.body;
  });

  it('lists the flagged visits with their flags, provider, caregiver and community', () => {
    expect(body.flaggedVisits.map((v: { orderId: string }) => v.orderId)).to.deep.equal([w.orders.o3, w.orders.o7]);
    const [o3, o7] = body.flaggedVisits;
    expect(numberOf(w.orders.o3)).to.match(/^GD\d{12}$/);
    expect(o3).to.deep.include({ orderNumber: numberOf(w.orders.o3), flags: ['geofence_check_in'], providerId: w.p1.id, providerName: '甲服务商', caregiverId: w.g1b.id, caregiverName: w.g1b.name, communityId: w.south.id, status: 'confirmed' });
    expect(o7).to.deep.include({ orderNumber: numberOf(w.orders.o7), flags: ['caregiver_overlap'], providerId: w.p2.id, caregiverId: w.g2.id, scheduledStart: at(16, '10:30').toISOString() });
  });

  it('finds the caregiver who was in two places at once, with the minutes of overlap', () => {
    expect(body.caregiverOverlaps).to.deep.equal([{
      caregiverId: w.g2.id, caregiverName: w.g2.name, providerId: w.p2.id, providerName: '乙服务商', overlapMinutes: 30,
      visits: [
        { orderId: w.orders.o5, orderNumber: numberOf(w.orders.o5), communityId: w.south.id, checkInAt: at(16, '10:00').toISOString(), checkOutAt: at(16, '11:00').toISOString() },
        { orderId: w.orders.o7, orderNumber: numberOf(w.orders.o7), communityId: w.south.id, checkInAt: at(16, '10:30').toISOString(), checkOutAt: at(16, '11:30').toISOString() },
      ],
    }]);
  });

  it('lists services delivered to a senior who was suspended at the visit', () => {
    expect(body.visitsForInactiveSeniors).to.deep.equal([{
      orderId: w.orders.o8, orderNumber: numberOf(w.orders.o8), seniorId: w.seniors.s3.id, communityId: w.north.id, providerId: w.p1.id, providerName: '甲服务商', status: 'confirmed',
      visitAt: at(18, '10:00').toISOString(), seniorStatus: 'suspended',
    }]);
  });

  it('names no provider on a handful of visits, however high its flag rate', () => {
    // District: 2 flagged of 9 checked-in visits. P2 is flagged on 1 of 2 (0.5, more than twice the
    // district's) but is judged only from 20 visits (the binomial test with its minimum volume is
    // exercised in suspect-visits.test.ts).
    expect(body.flagRateOutliers).to.deep.equal({ districtFlagRate: 0.2222, providers: [] });
  });

  it('lists each suspect visit once, with the reasons the other sections give', () => {
    const reasonsOf = new Map<string, string[]>(body.suspectVisits.map((v: { orderId: string; reasons: string[] }) => [v.orderId, v.reasons]));

    expect(reasonsOf.size).to.equal(body.suspectVisits.length);
    expect(reasonsOf.get(w.orders.o3)).to.include('geofence');
    expect(reasonsOf.get(w.orders.o5)).to.include('caregiver_overlap');
    expect(reasonsOf.get(w.orders.o7)).to.include('caregiver_overlap');
    expect(reasonsOf.get(w.orders.o8)).to.include('senior_suspended');
    for (const neverVisited of [w.orders.o4, w.orders.o6, w.orders.o12]) expect(reasonsOf.has(neverVisited)).to.equal(false);
  });

  it('lists approved statements whose payment is overdue', () => {
    expect(body.latePayments).to.have.length(1);
    expect(body.latePayments[0]).to.include({ statementId: `2026-08-${w.p2.id}`, paymentOverdue: true, daysOverdue: 15, payableFen: 5_000 });
  });

  it('carries no personal data: no names of seniors, ID numbers, phones or addresses', () => {
    const text = JSON.stringify(body);

    // The fixtures' seniors are 王秀英 of 桐城路, phone 13912345678, contact 13800001111, ID numbers 340104…
    for (const personal of ['王秀英', '桐城路', '13912345678', '13800001111', '340104', '****']) expect(text).not.to.include(personal);
  });

  it('answers a month without visits with empty lists', async () => {
    const res = await request(app).get('/api/v1/reports/anomalies?month=2026-01').set('Authorization', await tokenFor(config, 'admin'));

    expect(res.status).to.equal(200);
    expect(res.body).to.deep.include({ flaggedVisits: [], caregiverOverlaps: [], visitsForInactiveSeniors: [], flagRateOutliers: { districtFlagRate: null, providers: [] }, suspectVisits: [] });
  });
});

import { expect } from 'chai';
import request from 'supertest';
import type { Role } from '../../src/shared/roles.ts';
import { createTestApp, tokenFor } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { MONTH, buildSeptember, type September } from './reports.fixtures.ts';

const REPORTS = ['overview', 'providers', 'anomalies'] as const;

describe('reports: who may read them, and which rows each role sees', function () {
  this.timeout(120_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  let w: September;
  let tokens: { northStaff: string; streetOfficer: string; farOfficer: string };

  before(async () => {
    w = await buildSeptember(config);
    tokens = {
      northStaff: await tokenFor(config, 'community_staff', { communityIds: [w.north.id] }),
      streetOfficer: await tokenFor(config, 'street_officer', { streetId: w.street.id }),
      farOfficer: await tokenFor(config, 'street_officer', { streetId: w.otherStreet.id }),
    };
  });

  const report = async (name: (typeof REPORTS)[number], authorization: string, query = `?month=${MONTH}`) => {
    const res = await request(app).get(`/api/v1/reports/${name}${query}`).set('Authorization', authorization);
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).to.equal(200);
    return res.body;
  };

  it('shows community staff their communities\' seniors and orders, and no district money', async () => {
    const body = await report('overview', tokens.northStaff);

    expect(body.scope).to.deep.equal({ level: 'communities', streetId: null, communityIds: [w.north.id] });
    expect(body.seniors.byCommunity.map((c: { communityId: string; total: number }) => [c.communityId, c.total])).to.deep.equal([[w.north.id, 2]]);
    expect(body.orders).to.include({ total: 3 });
    expect(body.orders.byStatus).to.include({ confirmed: 3 });
    expect(body.spend).to.deep.equal({ vouchers: { confirmedVisits: 3, grossFen: 12_000, subsidyFen: 6_000, selfPayFen: 6_000 }, settlement: null });
    expect(body.paymentTimeliness).to.equal(null);
  });

  it('shows community staff the providers of their communities\' orders only, against the district flag rate', async () => {
    const body = await report('providers', tokens.northStaff);

    expect(body.providers.map((p: { providerId: string }) => p.providerId)).to.deep.equal([w.p1.id]);
    // O1, O2, O8 and O12 (October's visit offered in September); O3 and O6 are 南社区's.
    expect(body.providers[0]).to.include({ offers: 4, accepted: 4, declined: 0, visitsCheckedIn: 3, flaggedVisits: 0 });
    expect(body.districtFlagRate).to.equal(0.2222);
  });

  it('shows community staff only the anomalies of their communities', async () => {
    const body = await report('anomalies', tokens.northStaff);

    expect(body.flaggedVisits).to.deep.equal([]);
    expect(body.caregiverOverlaps).to.deep.equal([]);
    expect(body.visitsForInactiveSeniors.map((v: { orderId: string }) => v.orderId)).to.deep.equal([w.orders.o8]);
    expect(body.flagRateOutliers.providers).to.deep.equal([]);
    expect(body.latePayments).to.equal(null);
  });

  it('shows a street officer their street\'s rows and not another street\'s', async () => {
    const [overview, providers, anomalies] = [await report('overview', tokens.streetOfficer), await report('providers', tokens.streetOfficer), await report('anomalies', tokens.streetOfficer)];

    expect(overview.scope).to.deep.equal({ level: 'street', streetId: w.street.id, communityIds: [] });
    expect(overview.seniors.byCommunity.map((c: { communityId: string }) => c.communityId)).to.have.members([w.north.id, w.south.id]);
    expect(overview.orders.total).to.equal(8);
    expect(overview.spend.settlement).to.equal(null);
    expect(providers.providers.map((p: { providerId: string }) => p.providerId)).to.have.members([w.p1.id, w.p2.id]);
    expect(anomalies.flaggedVisits.map((v: { orderId: string }) => v.orderId)).to.have.members([w.orders.o3, w.orders.o7]);
    expect(anomalies.caregiverOverlaps).to.have.length(1);
    // P2's 1 flagged visit of 2 is no evidence against it (the binomial test wants 20 visits).
    expect(anomalies.flagRateOutliers.providers).to.deep.equal([]);
    const suspects = anomalies.suspectVisits.map((v: { orderId: string }) => v.orderId);
    expect(suspects).to.include.members([w.orders.o3, w.orders.o7, w.orders.o8]);
    expect(suspects).not.to.include.any.members([w.orders.o9, w.orders.o10, w.orders.o11]);
  });

  it('shows the other street\'s officer only that street', async () => {
    const [overview, providers, anomalies] = [await report('overview', tokens.farOfficer), await report('providers', tokens.farOfficer), await report('anomalies', tokens.farOfficer)];

    expect(overview.seniors.byCommunity.map((c: { communityId: string }) => c.communityId)).to.deep.equal([w.far.id]);
    expect(overview.orders.total).to.equal(3);
    expect(providers.providers.map((p: { providerId: string }) => p.providerId)).to.deep.equal([w.p3.id]);
    expect(anomalies.flaggedVisits).to.deep.equal([]);
    expect(anomalies.visitsForInactiveSeniors).to.deep.equal([]);
  });

  for (const role of ['provider_admin', 'caregiver'] as Role[]) {
    it(`refuses ${role} every report with 403`, async () => {
      const authorization = await tokenFor(config, role, { providerId: w.p1.id, caregiverId: w.g1.id });
      for (const name of REPORTS) {
        const res = await request(app).get(`/api/v1/reports/${name}?month=${MONTH}`).set('Authorization', authorization);
        expect(res.status, name).to.equal(403);
        expect(res.body.error.code, name).to.equal('FORBIDDEN');
      }
    });
  }

  it('refuses a malformed month or an unknown parameter with 400 VALIDATION_FAILED naming the field', async () => {
    const admin = await tokenFor(config, 'admin');
    for (const name of REPORTS) {
      for (const [query, path] of [['?month=2026-13', 'month'], ['?month=2026-9', 'month'], ['?month=2026-09&provider=x', 'provider']]) {
        const res = await request(app).get(`/api/v1/reports/${name}${query}`).set('Authorization', admin);
        expect(res.status, `${name}${query}`).to.equal(400);
        expect(res.body.error.code).to.equal('VALIDATION_FAILED');
        expect(res.body.error.details.map((d: { path: string }) => d.path)).to.include(path);
      }
    }
  });

  it('answers 401 without a token', async () => {
    for (const name of REPORTS) expect((await request(app).get(`/api/v1/reports/${name}`)).status).to.equal(401);
  });
});

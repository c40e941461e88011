import { expect } from 'chai';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { OrderModel } from '../../src/dispatch/order.model.ts';
import { AnomalyReviewModel } from '../../src/reports/anomaly-review.model.ts';
import { enrolSenior, transitionSenior } from '../../src/seniors/index.ts';
import { signAccessToken } from '../../src/shared/http/auth.ts';
import { createTestApp, createTestUser, tokenFor } from '../support/app.ts';
import { useTestDatabase } from '../support/database.ts';
import { makeCommunity, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody } from '../seniors/senior.fixtures.ts';
import { at, insertVisit, newId } from './visits.fixtures.ts';

const MONTH = '2026-03';
const HAS_CHINESE = /[\u4e00-\u9fff]/;

describe('POST /reports/anomalies/reviews', function () {
  this.timeout(120_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  let streetId: string;
  let otherStreetId: string;
  let day = 0;
  /** A visit beyond the geofence (a suspect) on the street given, in the state given, on a day of its own. */
  const suspectVisit = (status: 'completed' | 'confirmed' | 'in_service' = 'completed', street = streetId) => {
    day += 1;
    const checkInAt = at(MONTH, day, '09:00');
    return insertVisit({ caregiverId: newId(), providerId: newId(), streetId: street, checkInAt, checkOutAt: status === 'in_service' ? null : undefined, flags: ['geofence_check_in'], status });
  };
  const review = (authorization: string, body: object) => request(app).post('/api/v1/reports/anomalies/reviews').set('Authorization', authorization).send(body);
  const reviewAudits = (orderId: string) => AuditEntryModel.countDocuments({ action: 'anomaly.review', entityId: orderId });

  before(async () => {
    [streetId, otherStreetId] = [(await makeStreet('甲街道')).id, (await makeStreet('乙街道')).id];
  });

  it('records a finance officer\'s "fine", audited, and shows it on the suspect visit for the auditor', async () => {
    const orderId = await suspectVisit('confirmed');
    const actor = await createTestUser('finance_officer', { displayName: '财务周敏' });
    const finance = { actor, authorization: `Bearer ${signAccessToken(config, actor)}` };

    const res = await review(finance.authorization, { orderId, outcome: 'fine', note: '已电话回访老人，服务属实' });

    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ orderId, outcome: 'fine', note: '已电话回访老人，服务属实', by: finance.actor.id, byName: '财务周敏', orderStatus: 'confirmed' });
    const stored = await AnomalyReviewModel.findById(orderId).lean();
    expect(stored).to.include({ outcome: 'fine', note: '已电话回访老人，服务属实', by: finance.actor.id });
    expect(await reviewAudits(orderId)).to.equal(1);
    expect((await OrderModel.findById(orderId).lean())?.status).to.equal('confirmed');

    const report = await request(app).get(`/api/v1/reports/anomalies?month=${MONTH}`).set('Authorization', await tokenFor(config, 'auditor'));
    const row = report.body.suspectVisits.find((visit: { orderId: string }) => visit.orderId === orderId);
    expect(row.review).to.deep.equal({ outcome: 'fine', note: '已电话回访老人，服务属实', by: finance.actor.id, byName: '财务周敏', at: res.body.at });
  });

  it('opens a dispute on the order for a street officer\'s "dispute", and keeps one review per order', async () => {
    const orderId = await suspectVisit('completed');
    const officer = await tokenFor(config, 'street_officer', { streetId });
    expect((await review(officer, { orderId, outcome: 'fine', note: '初步看没有问题' })).status).to.equal(200);

    const res = await review(officer, { orderId, outcome: 'dispute', note: '签到位置在老人家 900 米外，需核实' });

    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body).to.include({ outcome: 'dispute', orderStatus: 'disputed' });
    const order = await OrderModel.findById(orderId).lean();
    expect(order).to.include({ status: 'disputed', disputedFrom: 'completed' });
    expect(await AnomalyReviewModel.countDocuments({ _id: orderId })).to.equal(1);
    expect(await AnomalyReviewModel.findById(orderId).lean()).to.include({ outcome: 'dispute', note: '签到位置在老人家 900 米外，需核实' });
    expect(await AuditEntryModel.countDocuments({ action: 'order.dispute', entityId: orderId })).to.equal(1);
    expect(await reviewAudits(orderId)).to.equal(2);
  });

  it('answers 409 with a Chinese message for a dispute on an order that cannot be disputed, and stores nothing', async () => {
    const inService = await suspectVisit('in_service');
    const admin = await tokenFor(config, 'admin');
    expect((await review(admin, { orderId: inService, outcome: 'fine', note: '护理员仍在服务中' })).status).to.equal(200);

    const res = await review(admin, { orderId: inService, outcome: 'dispute', note: '需核实' });

    expect(res.status).to.equal(409);
    expect(res.body.error.code).to.equal('INVALID_TRANSITION');
    expect(res.body.error.details[0].message).to.match(HAS_CHINESE);
    expect(await AnomalyReviewModel.findById(inService).lean()).to.include({ outcome: 'fine', note: '护理员仍在服务中' });
    expect((await OrderModel.findById(inService).lean())?.status).to.equal('in_service');
    expect(await reviewAudits(inService)).to.equal(1);
  });

  it('keeps a visit for a senior who had died among the suspects once its review disputed it, with the review on it', async () => {
    const month = '2026-04';
    const street = await makeStreet('丙街道');
    const community = await makeCommunity(street, '丙社区');
    const [admin, approver] = [await createTestUser('admin'), await createTestUser('admin')];
    const ctx = (actor: typeof admin, now: Date) => ({ actor, config, requestId: null, lang: 'zh' as const, now });
    const senior = await enrolSenior(enrolmentBody(community.id), ctx(admin, at(month, 1, '08:00')));
    await transitionSenior(senior.id, { action: 'approve' }, ctx(approver, at(month, 1, '09:00')));
    await transitionSenior(senior.id, { action: 'deactivate', reason: 'deceased', effectiveDate: `${month}-10` }, ctx(admin, at(month, 20, '09:00')));
    const orderId = await insertVisit({ caregiverId: newId(), providerId: newId(), seniorId: senior.id, communityId: community.id, streetId: street.id, checkInAt: at(month, 12, '09:00') });
    const authorization = `Bearer ${signAccessToken(config, admin)}`;
    const suspectRow = async () => {
      const report = await request(app).get(`/api/v1/reports/anomalies?month=${month}`).set('Authorization', authorization);
      expect(report.status).to.equal(200);
      return report.body.suspectVisits.find((visit: { orderId: string }) => visit.orderId === orderId);
    };
    expect((await suspectRow())?.reasons).to.deep.equal(['senior_deactivated']);

    const res = await review(authorization, { orderId, outcome: 'dispute', note: '老人 10 日已去世，12 日不可能上门服务' });

    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const row = await suspectRow();
    expect(row, 'still listed after its dispute').to.include({ status: 'disputed', score: 60 });
    expect(row.reasons).to.deep.equal(['senior_deactivated']);
    expect(row.review).to.include({ outcome: 'dispute', note: '老人 10 日已去世，12 日不可能上门服务' });
  });

  it('lets the auditor and community workers read reviews but not make them (403)', async () => {
    const orderId = await suspectVisit();

    for (const role of ['auditor', 'community_staff', 'provider_admin', 'caregiver'] as const) {
      const res = await review(await tokenFor(config, role), { orderId, outcome: 'fine', note: '复核无误' });
      expect(res.status, role).to.equal(403);
    }
    expect(await AnomalyReviewModel.countDocuments({ _id: orderId })).to.equal(0);
  });

  it('answers 404 for an order outside the street officer\'s street, and for no such order, storing nothing', async () => {
    const elsewhere = await suspectVisit('completed', otherStreetId);
    const officer = await tokenFor(config, 'street_officer', { streetId });

    const outside = await review(officer, { orderId: elsewhere, outcome: 'dispute', note: '需核实' });
    const missing = await review(officer, { orderId: newId(), outcome: 'fine', note: '复核无误' });

    expect([outside.status, missing.status]).to.deep.equal([404, 404]);
    expect(outside.body.error.code).to.equal('NOT_FOUND');
    expect(await AnomalyReviewModel.countDocuments({ _id: elsewhere })).to.equal(0);
    expect((await OrderModel.findById(elsewhere).lean())?.status).to.equal('completed');
  });

  it('refuses a body without a note, with a blank or too long one, an unknown outcome, a malformed id or an extra field (400), storing nothing', async () => {
    const orderId = await suspectVisit();
    const admin = await tokenFor(config, 'admin');
    const bodies = [
      { orderId, outcome: 'fine' },
      { orderId, outcome: 'fine', note: '   ' },
      { orderId, outcome: 'fine', note: '长'.repeat(501) },
      { orderId, outcome: 'ok', note: '复核无误' },
      { orderId: 'GD202603010001', outcome: 'fine', note: '复核无误' },
      { orderId, outcome: 'fine', note: '复核无误', by: 'someone' },
    ];

    for (const body of bodies) {
      const res = await review(admin, body);
      expect(res.status, JSON.stringify(body).slice(0, 80)).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
    }
    expect(await AnomalyReviewModel.countDocuments({ _id: orderId })).to.equal(0);
    expect(await reviewAudits(orderId)).to.equal(0);
    expect((await review(admin, { orderId, outcome: 'fine', note: '长'.repeat(500) })).status).to.equal(200);
  });
});

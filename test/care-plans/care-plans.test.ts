import { expect } from 'chai';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { CarePlanModel } from '../../src/care-plans/care-plan.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { createTestApp } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { carePlanWorld, planBody } from './care-plans.fixtures.ts';

describe('care plans: create, list, stop', function () {
  this.timeout(60_000);
  useTestDatabase();
  const { app, config } = createTestApp();
  let w: Awaited<ReturnType<typeof carePlanWorld>>;

  beforeEach(async () => {
    await clearCollections();
    w = await carePlanWorld(app, config);
  });

  const create = (token: string, body: object) => request(app).post('/api/v1/care-plans').set('Authorization', token).send(body);

  it('creates a plan for an active senior in scope, with the community copied and an audit entry', async () => {
    const res = await create(w.staff, planBody(w.senior.id, w.meals.code, { weekdays: [5, 1, 3], endDate: '2099-12-31' }));

    expect(res.status).to.equal(201);
    expect(res.body).to.include({ seniorId: w.senior.id, communityId: w.community.id, serviceTypeCode: w.meals.code, quantity: 1, time: '11:00', endDate: '2099-12-31', status: 'active' });
    expect(res.body.weekdays).to.deep.equal([1, 3, 5]);
    expect(res.body).to.have.keys(['id', 'seniorId', 'communityId', 'serviceTypeCode', 'quantity', 'weekdays', 'time', 'startDate', 'endDate', 'status', 'createdBy', 'createdAt']);
    expect(await CarePlanModel.countDocuments({ streetId: w.streetA.id })).to.equal(1);
    expect(await AuditEntryModel.countDocuments({ action: 'care_plan.create', entityId: res.body.id })).to.equal(1);
  });

  it('rejects empty or repeated weekdays, weekday 0 or 8, a bad time, a bad date and an end before the start with 400', async () => {
    const bad = [
      { weekdays: [] }, { weekdays: [1, 1] }, { weekdays: [0] }, { weekdays: [8] },
      { time: '24:00' }, { time: '9:00' }, { time: '11:60' },
      { startDate: '2026-02-30' }, { startDate: '2026/03/01' },
      { startDate: '2026-03-10', endDate: '2026-03-09' },
      { unexpected: true },
    ];
    for (const override of bad) {
      const res = await create(w.staff, planBody(w.senior.id, w.meals.code, override));
      expect(res.status, JSON.stringify(override)).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
    }
    expect((await create(w.staff, planBody(w.senior.id, 'no_such_service'))).status).to.equal(400);
    expect(await CarePlanModel.countDocuments()).to.equal(0);
  });

  it('answers 404 for a senior outside the staff member\'s communities, and 422 NOT_ELIGIBLE for one not active', async () => {
    const outside = await create(w.staff, planBody(w.otherSenior.id, w.meals.code));
    await SeniorModel.updateOne({ _id: w.senior.id }, { $set: { status: 'suspended' } });
    const suspended = await create(w.staff, planBody(w.senior.id, w.meals.code));

    expect(outside.status).to.equal(404);
    expect(outside.body.error.code).to.equal('NOT_FOUND');
    expect(suspended.status).to.equal(422);
    expect(suspended.body.error.code).to.equal('NOT_ELIGIBLE');
    expect(await CarePlanModel.countDocuments()).to.equal(0);
  });

  it('lists plans within scope, filtered by senior and status', async () => {
    const mine = (await create(w.staff, planBody(w.senior.id, w.meals.code))).body;
    const theirs = (await create(w.otherStaff, planBody(w.otherSenior.id, w.meals.code))).body;
    const list = (token: string, query = '') => request(app).get(`/api/v1/care-plans${query}`).set('Authorization', token);

    const ids = async (token: string, query?: string) => ((await list(token, query)).body.items as { id: string }[]).map((plan) => plan.id);

    expect(await ids(w.staff)).to.deep.equal([mine.id]);
    expect(await ids(w.streetOfficer)).to.deep.equal([mine.id]);
    expect(await ids(w.admin)).to.have.members([mine.id, theirs.id]);
    expect(await ids(w.admin, `?seniorId=${w.otherSenior.id}`)).to.deep.equal([theirs.id]);
    expect(await ids(w.admin, '?status=stopped')).to.deep.equal([]);
    expect((await list(w.admin, '?page=1&pageSize=1')).body).to.include({ page: 1, pageSize: 1, total: 2 });
  });

  it('stops a plan once (409 the second time), 404 outside scope, audited', async () => {
    const plan = (await create(w.staff, planBody(w.senior.id, w.meals.code))).body;
    const stop = (token: string) => request(app).post(`/api/v1/care-plans/${plan.id}/stop`).set('Authorization', token);

    const outside = await stop(w.otherStaff);
    const first = await stop(w.staff);
    const second = await stop(w.staff);

    expect(outside.status).to.equal(404);
    expect(first.status).to.equal(200);
    expect(first.body.status).to.equal('stopped');
    expect(second.status).to.equal(409);
    expect(second.body.error.code).to.equal('INVALID_TRANSITION');
    expect(await AuditEntryModel.countDocuments({ action: 'care_plan.stop', entityId: plan.id })).to.equal(1);
  });
});

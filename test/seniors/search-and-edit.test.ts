import { expect } from 'chai';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { makeCommunity, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody, idNumberBornOn } from './senior.fixtures.ts';

describe('senior search, edits, history and reveal', () => {
  useTestDatabase();
  const { app, config } = createTestApp();
  let communityA: { id: string };
  let communityB: { id: string };
  let admin: string;
  let staffA: string;
  beforeEach(async () => {
    await clearCollections();
    const street = await makeStreet();
    [communityA, communityB] = [await makeCommunity(street), await makeCommunity(street)];
    admin = await tokenFor(config, 'admin');
    staffA = await tokenFor(config, 'community_staff', { communityIds: [communityA.id] });
  });

  const enrol = async (communityId: string, overrides: Record<string, unknown> = {}) => {
    const res = await request(app).post('/api/v1/seniors').set('Authorization', admin).send(enrolmentBody(communityId, overrides));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as { id: string };
  };
  const list = async (authorization: string, query: string) => (await request(app).get(`/api/v1/seniors?${query}`).set('Authorization', authorization)).body;

  it('filters by community, status, category (also the derived advanced_age), name prefix and exact ID number', async () => {
    const idNumber = idNumberBornOn('1941-04-04');
    const zhang = await enrol(communityA.id, { name: '张桂英', idNumber, categories: ['three_nos'] });
    const zhao = await enrol(communityA.id, { name: '赵德明', idNumber: idNumberBornOn('1960-01-01'), categories: ['empty_nest'] });
    await enrol(communityB.id, { name: '张建国', idNumber: idNumberBornOn('1955-05-05'), categories: ['empty_nest'] });
    await SeniorModel.updateOne({ _id: zhao.id }, { $set: { status: 'active' } });

    const ids = (page: { items: { id: string }[] }) => page.items.map((s) => s.id);
    expect((await list(admin, `communityId=${communityA.id}`)).total).to.equal(2);
    expect(ids(await list(admin, 'status=active'))).to.deep.equal([zhao.id]);
    expect(ids(await list(admin, 'category=three_nos'))).to.deep.equal([zhang.id]);
    expect(ids(await list(admin, 'category=advanced_age'))).to.deep.equal([zhang.id]);
    expect((await list(admin, `q=${encodeURIComponent('张')}`)).total).to.equal(2);
    expect(ids(await list(admin, `q=${idNumber.toLowerCase()}`))).to.deep.equal([zhang.id]);
  });

  it('shows community staff only their communities, whatever they filter by', async () => {
    await enrol(communityA.id);
    await enrol(communityB.id);

    expect((await list(staffA, '')).total).to.equal(1);
    expect((await list(staffA, `communityId=${communityB.id}`)).total).to.equal(0);
  });

  it('lists the re-assessment list: assessments expired or expiring within 30 days', async () => {
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
    const yearAgo = `${Number(today.slice(0, 4)) - 1}${today.slice(4)}`;
    const expired = await enrol(communityA.id, { assessedAt: `${Number(today.slice(0, 4)) - 2}-01-15` });
    const dueToday = await enrol(communityA.id, { assessedAt: yearAgo });
    await enrol(communityA.id, { assessedAt: today });

    const due = await list(staffA, 'assessmentDue=true');

    expect(due.items.map((s: { id: string }) => s.id).sort()).to.deep.equal([expired.id, dueToday.id].sort());
  });

  it('never answers a full ID number or phone in any listing', async () => {
    const idNumber = idNumberBornOn('1944-02-02');
    await enrol(communityA.id, { idNumber, phone: '0551-65123456' });

    const text = JSON.stringify(await list(admin, ''));

    expect(text).not.to.include(idNumber.slice(6, 14));
    expect(text).not.to.include('65123456');
    expect(text).to.include('0551-****3456');
  });

  it('edits contact data and categories, keeps history with masked values and the voucher month it counts from', async () => {
    const senior = await enrol(communityA.id);

    const res = await request(app).patch(`/api/v1/seniors/${senior.id}`).set('Authorization', staffA).send({ phone: '13700002222', categories: ['disabled'], careLevel: 4 });
    const history = await request(app).get(`/api/v1/seniors/${senior.id}/history`).set('Authorization', staffA);

    expect(res.status).to.equal(200);
    expect(res.body).to.include({ phoneMasked: '137****2222', careLevel: 4 });
    expect(res.body.categories).to.deep.equal(['disabled']);
    const update = history.body.items.find((h: { action: string }) => h.action === 'update');
    expect(update.changes.phoneMasked).to.deep.equal({ before: '139****5678', after: '137****2222' });
    expect(update.changes.careLevel).to.deep.equal({ before: 2, after: 4 });
    expect(update.effectiveMonth).to.match(/^\d{4}-\d{2}$/);
    expect(JSON.stringify(history.body)).not.to.include('13700002222');
    expect(JSON.stringify(await SeniorModel.collection.findOne({ _id: (await SeniorModel.findById(senior.id))!._id }))).not.to.include('13700002222');
  });

  it('refuses edits to a deactivated record with 409', async () => {
    const senior = await enrol(communityA.id);
    await SeniorModel.updateOne({ _id: senior.id }, { $set: { status: 'deactivated' } });

    const res = await request(app).patch(`/api/v1/seniors/${senior.id}`).set('Authorization', staffA).send({ address: '新地址' });

    expect(res.status).to.equal(409);
  });

  it('reveals the full ID number and phone to the senior\'s own community staff, and audits it', async () => {
    const idNumber = idNumberBornOn('1946-06-06');
    const senior = await enrol(communityA.id, { idNumber });

    const res = await request(app).post(`/api/v1/seniors/${senior.id}/reveal`).set('Authorization', staffA).send({ fields: ['idNumber', 'phone'], reason: '核对身份信息' });
    const otherStaff = await tokenFor(config, 'community_staff', { communityIds: [communityB.id] });
    const outside = await request(app).post(`/api/v1/seniors/${senior.id}/reveal`).set('Authorization', otherStaff).send({ fields: ['idNumber'], reason: '核对身份信息' });
    const auditor = await request(app).post(`/api/v1/seniors/${senior.id}/reveal`).set('Authorization', await tokenFor(config, 'auditor')).send({ fields: ['idNumber'], reason: '核对身份信息' });

    expect(res.status).to.equal(200);
    expect(res.body).to.deep.equal({ idNumber, phone: '13912345678' });
    expect(outside.status).to.equal(404);
    expect(auditor.status).to.equal(403);
    const audit = await AuditEntryModel.find({ action: 'senior.reveal', entityId: senior.id }).lean();
    expect(audit).to.have.length(1);
    expect(audit[0]!.after).to.deep.equal({ fields: ['idNumber', 'phone'], reason: '核对身份信息' });
    expect(JSON.stringify(audit)).not.to.include(idNumber);
  });
});

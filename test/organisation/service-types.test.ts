import { expect } from 'chai';
import request from 'supertest';
import { createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { ServiceTypeModel } from '../../src/organisation/service-types.model.ts';

const paths = (res: request.Response) => res.body.error.details.map((d: { path: string }) => d.path);
const bathing = { code: 'bathing', name: '助浴', unit: 'visit', minutesPerUnit: 60, emergency: false, onSite: false };

describe('service catalogue', () => {
  useTestDatabase();
  const { app, config } = createTestApp();
  let admin: string;
  beforeEach(async () => {
    await clearCollections();
    admin = await tokenFor(config, 'admin');
  });

  it('lets an admin add a service type, readable by its code, and audits it', async () => {
    const created = await request(app).post('/api/v1/service-types').set('Authorization', admin).send(bathing);
    const read = await request(app).get('/api/v1/service-types/bathing').set('Authorization', await tokenFor(config, 'caregiver'));

    expect(created.status).to.equal(201);
    expect(created.body).to.include(bathing);
    expect(read.status).to.equal(200);
    expect(read.body).to.include({ id: created.body.id, name: '助浴', unit: 'visit' });
    const audit = await AuditEntryModel.findOne({ action: 'service_type.create' }).lean();
    expect(audit).to.include({ entityType: 'service_type', entityId: 'bathing' });
  });

  it('lists the catalogue by code to any signed-in user', async () => {
    await request(app).post('/api/v1/service-types').set('Authorization', admin).send({ ...bathing, code: 'meal_delivery', name: '助餐', unit: 'meal' });
    await request(app).post('/api/v1/service-types').set('Authorization', admin).send(bathing);

    const res = await request(app).get('/api/v1/service-types').set('Authorization', await tokenFor(config, 'community_staff'));

    expect(res.status).to.equal(200);
    expect(res.body.total).to.equal(2);
    expect(res.body.items.map((t: { code: string }) => t.code)).to.deep.equal(['bathing', 'meal_delivery']);
  });

  it('answers 409 DUPLICATE for a code already in the catalogue', async () => {
    await request(app).post('/api/v1/service-types').set('Authorization', admin).send(bathing);

    const res = await request(app).post('/api/v1/service-types').set('Authorization', admin).send({ ...bathing, name: '洗澡' });

    expect(res.status).to.equal(409);
    expect(res.body.error.code).to.equal('DUPLICATE');
    expect(await ServiceTypeModel.countDocuments()).to.equal(1);
  });

  it('rejects a code that is not lower_snake, a zero duration, an unknown unit and unknown fields', async () => {
    const res = await request(app).post('/api/v1/service-types').set('Authorization', admin)
      .send({ ...bathing, code: 'Meal-Delivery', minutesPerUnit: 0, unit: 'day', price: 100 });

    expect(res.status).to.equal(400);
    expect(paths(res)).to.have.members(['code', 'minutesPerUnit', 'unit', 'price']);
    expect(await ServiceTypeModel.countDocuments()).to.equal(0);
  });

  it('answers 404 for an unknown code and 403 when a non-admin adds one', async () => {
    const missing = await request(app).get('/api/v1/service-types/no_such_service').set('Authorization', admin);
    const denied = await request(app).post('/api/v1/service-types').set('Authorization', await tokenFor(config, 'provider_admin')).send(bathing);

    expect(missing.status).to.equal(404);
    expect(denied.status).to.equal(403);
  });
  describe('PATCH /service-types/:code', () => {
    it('changes the name, minutes and kind, keeps the code and audits the fields changed', async () => {
      await request(app).post('/api/v1/service-types').set('Authorization', admin).send(bathing);

      const res = await request(app).patch('/api/v1/service-types/bathing').set('Authorization', admin).send({ name: '助浴（上门）', minutesPerUnit: 90, onSite: true });

      expect(res.status).to.equal(200);
      expect(res.body).to.include({ code: 'bathing', name: '助浴（上门）', unit: 'visit', minutesPerUnit: 90, emergency: false, onSite: true });
      const stored = await ServiceTypeModel.findOne({ code: 'bathing' }).lean();
      expect(stored).to.include({ name: '助浴（上门）', minutesPerUnit: 90, onSite: true, unit: 'visit' });
      const audit = await AuditEntryModel.findOne({ action: 'service_type.update' }).lean();
      expect(audit).to.include({ entityType: 'service_type', entityId: 'bathing' });
      expect(audit?.before).to.deep.equal({ name: '助浴', minutesPerUnit: 60, onSite: false });
      expect(audit?.after).to.deep.equal({ name: '助浴（上门）', minutesPerUnit: 90, onSite: true });
    });

    it('refuses a code change, an empty patch and bad values with 400 in Chinese, changing nothing', async () => {
      await request(app).post('/api/v1/service-types').set('Authorization', admin).send(bathing);

      const renamed = await request(app).patch('/api/v1/service-types/bathing').set('Authorization', admin).send({ code: 'bath' });
      const empty = await request(app).patch('/api/v1/service-types/bathing').set('Authorization', admin).send({});
      const bad = await request(app).patch('/api/v1/service-types/bathing').set('Authorization', admin).send({ name: ' ', minutesPerUnit: 0, unit: 'day' });

      expect(renamed.status).to.equal(400);
      expect(paths(renamed)).to.deep.equal(['code']);
      expect(empty.status).to.equal(400);
      expect(empty.body.error.details[0].message).to.equal('至少修改一个字段');
      expect(bad.status).to.equal(400);
      expect(paths(bad)).to.have.members(['name', 'minutesPerUnit', 'unit']);
      expect(await ServiceTypeModel.findOne({ code: 'bathing' }).lean()).to.include({ name: '助浴', minutesPerUnit: 60, unit: 'visit' });
      expect(await AuditEntryModel.countDocuments({ action: 'service_type.update' })).to.equal(0);
    });

    it('answers 404 for an unknown code and 403 to anyone but an admin', async () => {
      await request(app).post('/api/v1/service-types').set('Authorization', admin).send(bathing);

      const missing = await request(app).patch('/api/v1/service-types/no_such_service').set('Authorization', admin).send({ name: '助浴' });
      const denied = await request(app).patch('/api/v1/service-types/bathing').set('Authorization', await tokenFor(config, 'community_staff')).send({ name: '洗澡' });

      expect(missing.status).to.equal(404);
      expect(denied.status).to.equal(403);
      expect(await ServiceTypeModel.findOne({ code: 'bathing' }).lean()).to.include({ name: '助浴' });
    });
  });
});

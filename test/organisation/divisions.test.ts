import { expect } from 'chai';
import request from 'supertest';
import { createTestApp, authFor, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { CommunityModel, StreetModel } from '../../src/organisation/divisions.model.ts';
import { makeCommunity, makeStreet } from './organisation.fixtures.ts';

const paths = (res: request.Response) => res.body.error.details.map((d: { path: string }) => d.path);
const location = { lng: 117.2541, lat: 31.8457 };

describe('streets and communities', () => {
  useTestDatabase();
  const { app, config } = createTestApp();
  let admin: string;
  let adminId: string;
  beforeEach(async () => {
    await clearCollections();
    ({ authorization: admin, actor: { id: adminId } } = await authFor(config, 'admin'));
  });

  describe('streets', () => {
    it('lets an admin create a street, stores it and audits it', async () => {
      const res = await request(app).post('/api/v1/streets').set('Authorization', admin).send({ name: '三里庵街道', code: '340104001' });

      expect(res.status).to.equal(201);
      expect(res.body).to.include({ name: '三里庵街道', code: '340104001' });
      expect(res.body.id).to.match(/^[0-9a-f]{24}$/);
      expect(res.body).not.to.have.property('_id');
      expect(await StreetModel.countDocuments({ code: '340104001' })).to.equal(1);
      const audit = await AuditEntryModel.findOne({ action: 'street.create', entityId: res.body.id }).lean();
      expect(audit).to.include({ actorId: adminId, actorRole: 'admin', entityType: 'street' });
      expect(audit!.after).to.deep.equal({ name: '三里庵街道', code: '340104001' });
    });

    it('answers 409 DUPLICATE for a second street with the same code', async () => {
      await request(app).post('/api/v1/streets').set('Authorization', admin).send({ name: '三里庵街道', code: '340104001' });

      const res = await request(app).post('/api/v1/streets').set('Authorization', admin).send({ name: '另一个街道', code: '340104001' });

      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal('DUPLICATE');
      expect(paths(res)).to.deep.equal(['code']);
      expect(await StreetModel.countDocuments()).to.equal(1);
    });

    it('rejects a code that is not 9 digits and unknown fields with 400 naming them', async () => {
      const res = await request(app).post('/api/v1/streets').set('Authorization', admin).send({ name: '街道', code: '34010400', region: 'x' });

      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
      expect(paths(res)).to.have.members(['code', 'region']);
      expect(await StreetModel.countDocuments()).to.equal(0);
    });

    it('refuses street creation to other roles with 403', async () => {
      const res = await request(app).post('/api/v1/streets').set('Authorization', await tokenFor(config, 'street_officer')).send({ name: '街道', code: '340104001' });

      expect(res.status).to.equal(403);
      expect(await StreetModel.countDocuments()).to.equal(0);
    });

    it('lists streets by code to any signed-in user and answers one by id', async () => {
      const second = await makeStreet('稻香村街道');
      const first = await makeStreet('三里庵街道');
      const caregiver = await tokenFor(config, 'caregiver');

      const list = await request(app).get('/api/v1/streets?pageSize=1').set('Authorization', caregiver);
      const one = await request(app).get(`/api/v1/streets/${first.id}`).set('Authorization', caregiver);
      const missing = await request(app).get('/api/v1/streets/0123456789abcdef01234567').set('Authorization', caregiver);

      expect(list.status).to.equal(200);
      expect(list.body).to.include({ page: 1, pageSize: 1, total: 2 });
      expect(list.body.items[0]).to.include({ id: second.id, code: second.code });
      expect(one.body).to.include({ id: first.id, name: '三里庵街道' });
      expect(missing.status).to.equal(404);
    });
  });

  describe('communities', () => {
    it('creates a community under its street and lists it filtered by street', async () => {
      const street = await makeStreet();
      const other = await makeStreet();
      await makeCommunity(other);

      const res = await request(app).post('/api/v1/communities').set('Authorization', admin)
        .send({ name: '安居苑社区', code: `${street.code}001`, streetId: street.id, location });
      const list = await request(app).get(`/api/v1/communities?streetId=${street.id}`).set('Authorization', admin);

      expect(res.status).to.equal(201);
      expect(res.body).to.deep.include({ name: '安居苑社区', code: `${street.code}001`, streetId: street.id, location });
      expect(list.body.total).to.equal(1);
      expect(list.body.items[0].id).to.equal(res.body.id);
      expect(await AuditEntryModel.countDocuments({ action: 'community.create', entityId: res.body.id })).to.equal(1);
    });

    it('rejects a code that is not 12 digits with 400 on code', async () => {
      const street = await makeStreet();

      const res = await request(app).post('/api/v1/communities').set('Authorization', admin)
        .send({ name: '社区', code: `${street.code}01`, streetId: street.id, location });

      expect(res.status).to.equal(400);
      expect(paths(res)).to.deep.equal(['code']);
    });

    it('rejects a code whose first 9 digits are not the street\'s code', async () => {
      const street = await makeStreet();

      const res = await request(app).post('/api/v1/communities').set('Authorization', admin).set('Accept-Language', 'en')
        .send({ name: '社区', code: '999999999001', streetId: street.id, location });

      expect(res.status).to.equal(400);
      expect(res.body.error.details).to.deep.equal([{ path: 'code', message: `The first 9 digits must be the street's code ${street.code}` }]);
      expect(await CommunityModel.countDocuments()).to.equal(0);
    });

    it('rejects an unknown streetId with 400 VALIDATION_FAILED on streetId', async () => {
      const res = await request(app).post('/api/v1/communities').set('Authorization', admin)
        .send({ name: '社区', code: '340104001001', streetId: '0123456789abcdef01234567', location });

      expect(res.status).to.equal(400);
      expect(res.body.error.code).to.equal('VALIDATION_FAILED');
      expect(paths(res)).to.deep.equal(['streetId']);
      expect(await CommunityModel.countDocuments()).to.equal(0);
    });

    it('rejects a location outside China and unknown fields inside it', async () => {
      const street = await makeStreet();

      const res = await request(app).post('/api/v1/communities').set('Authorization', admin)
        .send({ name: '社区', code: `${street.code}001`, streetId: street.id, location: { lng: 31.8, lat: 117.2, alt: 10 } });

      expect(res.status).to.equal(400);
      expect(paths(res)).to.have.members(['location.lng', 'location.lat', 'location.alt']);
    });

    it('answers 409 DUPLICATE for a second community with the same code', async () => {
      const street = await makeStreet();
      const existing = await makeCommunity(street);

      const res = await request(app).post('/api/v1/communities').set('Authorization', admin)
        .send({ name: '另一个社区', code: existing.code, streetId: street.id, location });

      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal('DUPLICATE');
      expect(await CommunityModel.countDocuments()).to.equal(1);
    });

    it('shows a street officer only the communities of their street (others: 404)', async () => {
      const mine = await makeStreet();
      const theirs = await makeStreet();
      const own = await makeCommunity(mine);
      const foreign = await makeCommunity(theirs);
      const officer = await tokenFor(config, 'street_officer', { streetId: mine.id });

      const list = await request(app).get('/api/v1/communities').set('Authorization', officer);
      const ownOne = await request(app).get(`/api/v1/communities/${own.id}`).set('Authorization', officer);
      const foreignOne = await request(app).get(`/api/v1/communities/${foreign.id}`).set('Authorization', officer);
      const filtered = await request(app).get(`/api/v1/communities?streetId=${theirs.id}`).set('Authorization', officer);

      expect(list.body.items.map((c: { id: string }) => c.id)).to.deep.equal([own.id]);
      expect(list.body.total).to.equal(1);
      expect(ownOne.status).to.equal(200);
      expect(foreignOne.status).to.equal(404);
      expect(filtered.body).to.include({ total: 0 });
    });

    it('shows community staff only their own communities', async () => {
      const street = await makeStreet();
      const [first, second, third] = [await makeCommunity(street), await makeCommunity(street), await makeCommunity(street)];
      const staff = await tokenFor(config, 'community_staff', { communityIds: [first.id, third.id] });

      const list = await request(app).get('/api/v1/communities').set('Authorization', staff);
      const outside = await request(app).get(`/api/v1/communities/${second.id}`).set('Authorization', staff);

      expect(list.body.items.map((c: { id: string }) => c.id)).to.have.members([first.id, third.id]);
      expect(list.body.total).to.equal(2);
      expect(outside.status).to.equal(404);
    });

    it('shows provider staff and finance all communities', async () => {
      const street = await makeStreet();
      await makeCommunity(street);
      await makeCommunity(street);

      const provider = await request(app).get('/api/v1/communities').set('Authorization', await tokenFor(config, 'provider_admin', { providerId: '0123456789abcdef01234567' }));
      const finance = await request(app).get('/api/v1/communities').set('Authorization', await tokenFor(config, 'finance_officer'));

      expect(provider.body.total).to.equal(2);
      expect(finance.body.total).to.equal(2);
    });
  });
});

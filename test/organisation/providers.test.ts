import { expect } from 'chai';
import request from 'supertest';
import { authFor, createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { ProviderModel } from '../../src/organisation/providers.model.ts';
import { makeCommunity, makeProvider, makeStreet, providerBody } from './organisation.fixtures.ts';

const paths = (res: request.Response) => res.body.error.details.map((d: { path: string }) => d.path);
const ids = (res: request.Response) => res.body.items.map((item: { id: string }) => item.id);

describe('providers', () => {
  useTestDatabase();
  const { app, config } = createTestApp();
  let admin: string;
  let adminId: string;
  let communityIds: string[];
  beforeEach(async () => {
    await clearCollections();
    ({ authorization: admin, actor: { id: adminId } } = await authFor(config, 'admin'));
    const street = await makeStreet();
    communityIds = [(await makeCommunity(street)).id, (await makeCommunity(street)).id];
  });

  describe('POST /providers', () => {
    it('registers a provider, active by default, with its credit code upper-cased', async () => {
      const body = providerBody(communityIds, { creditCode: '91350100m000100y43', kind: 'ngo' });

      const res = await request(app).post('/api/v1/providers').set('Authorization', admin).send(body);

      expect(res.status).to.equal(201);
      expect(res.body).to.deep.include({ ...body, creditCode: '91350100M000100Y43', status: 'active' });
      const stored = await ProviderModel.findById(res.body.id).lean();
      expect(stored).to.include({ creditCode: '91350100M000100Y43', contactPhone: '0551-65123401', status: 'active' });
    });

    it('audits the creation without the contact phone', async () => {
      const res = await request(app).post('/api/v1/providers').set('Authorization', admin).send(providerBody(communityIds));

      const audit = await AuditEntryModel.findOne({ action: 'provider.create', entityId: res.body.id }).lean();
      expect(audit).to.include({ actorId: adminId, entityType: 'provider' });
      expect(audit!.after).to.include({ name: res.body.name, creditCode: res.body.creditCode, status: 'active' });
      expect(JSON.stringify(audit)).not.to.include('65123401');
    });

    it('rejects a credit code with a wrong check character with 400 on creditCode', async () => {
      const res = await request(app).post('/api/v1/providers').set('Authorization', admin)
        .send(providerBody(communityIds, { creditCode: '91350100M000100Y44' }));

      expect(res.status).to.equal(400);
      expect(paths(res)).to.deep.equal(['creditCode']);
      expect(await ProviderModel.countDocuments()).to.equal(0);
    });

    it('answers 409 DUPLICATE for a credit code already registered, whatever its case', async () => {
      await request(app).post('/api/v1/providers').set('Authorization', admin).send(providerBody(communityIds, { creditCode: '91110000600037341L' }));

      const res = await request(app).post('/api/v1/providers').set('Authorization', admin).send(providerBody(communityIds, { creditCode: '91110000600037341l' }));

      expect(res.status).to.equal(409);
      expect(res.body.error.code).to.equal('DUPLICATE');
      expect(paths(res)).to.deep.equal(['creditCode']);
      expect(await ProviderModel.countDocuments()).to.equal(1);
    });

    it('rejects unknown communities with 400 naming each one', async () => {
      const res = await request(app).post('/api/v1/providers').set('Authorization', admin)
        .send(providerBody([communityIds[0]!, '0123456789abcdef01234567']));

      expect(res.status).to.equal(400);
      expect(paths(res)).to.deep.equal(['communityIds.1']);
      expect(await ProviderModel.countDocuments()).to.equal(0);
    });

    it('requires a Starlight centre to serve at least one community', async () => {
      const res = await request(app).post('/api/v1/providers').set('Authorization', admin).send(providerBody([], { kind: 'starlight_center' }));
      const company = await request(app).post('/api/v1/providers').set('Authorization', admin).send(providerBody([], { kind: 'company' }));

      expect(res.status).to.equal(400);
      expect(paths(res)).to.deep.equal(['communityIds']);
      expect(company.status).to.equal(201);
    });

    it('rejects a bad phone, a zero capacity, an unknown kind and unknown fields', async () => {
      const res = await request(app).post('/api/v1/providers').set('Authorization', admin)
        .send(providerBody(communityIds, { contactPhone: '12345', dailyCapacity: 0, kind: 'hospital', rating: 5 }));

      expect(res.status).to.equal(400);
      expect(paths(res)).to.have.members(['contactPhone', 'dailyCapacity', 'kind', 'rating']);
    });
  });

  describe('GET /providers', () => {
    it('filters by kind, status and community', async () => {
      const centre = await makeProvider([communityIds[0]!], { kind: 'starlight_center' });
      const company = await makeProvider([communityIds[1]!], { kind: 'company' });
      const suspended = await makeProvider([communityIds[0]!, communityIds[1]!], { kind: 'ngo', status: 'suspended' });

      const byKind = await request(app).get('/api/v1/providers?kind=starlight_center').set('Authorization', admin);
      const byStatus = await request(app).get('/api/v1/providers?status=active').set('Authorization', admin);
      const byCommunity = await request(app).get(`/api/v1/providers?communityId=${communityIds[1]}`).set('Authorization', admin);

      expect(ids(byKind)).to.deep.equal([centre.id]);
      expect(ids(byStatus)).to.have.members([centre.id, company.id]);
      expect(ids(byCommunity)).to.have.members([company.id, suspended.id]);
      expect(byCommunity.body).to.include({ total: 2, page: 1, pageSize: 20 });
    });

    it('shows provider staff only their own provider; another provider is 404', async () => {
      const own = await makeProvider(communityIds);
      const other = await makeProvider(communityIds);
      const staff = await tokenFor(config, 'provider_admin', { providerId: own.id });

      const list = await request(app).get('/api/v1/providers').set('Authorization', staff);
      const ownOne = await request(app).get(`/api/v1/providers/${own.id}`).set('Authorization', staff);
      const otherOne = await request(app).get(`/api/v1/providers/${other.id}`).set('Authorization', staff);

      expect(ids(list)).to.deep.equal([own.id]);
      expect(list.body.total).to.equal(1);
      expect(ownOne.status).to.equal(200);
      expect(otherOne.status).to.equal(404);
      expect(otherOne.body.error.code).to.equal('NOT_FOUND');
    });

    it('shows every provider to street officers, community staff, finance and auditors', async () => {
      await makeProvider(communityIds);
      await makeProvider(communityIds);

      for (const role of ['street_officer', 'community_staff', 'finance_officer', 'auditor'] as const) {
        const res = await request(app).get('/api/v1/providers').set('Authorization', await tokenFor(config, role));
        expect(res.body.total, role).to.equal(2);
      }
    });

    it('refuses the caregiver role with 403', async () => {
      const provider = await makeProvider(communityIds);
      const caregiver = await tokenFor(config, 'caregiver', { providerId: provider.id });

      const list = await request(app).get('/api/v1/providers').set('Authorization', caregiver);
      const one = await request(app).get(`/api/v1/providers/${provider.id}`).set('Authorization', caregiver);

      expect(list.status).to.equal(403);
      expect(one.status).to.equal(403);
    });
  });

  describe('PATCH /providers/:id', () => {
    it('changes status, capacity and coverage and audits before and after', async () => {
      const provider = await makeProvider([communityIds[0]!]);

      const res = await request(app).patch(`/api/v1/providers/${provider.id}`).set('Authorization', admin)
        .send({ status: 'suspended', dailyCapacity: 12, communityIds });

      expect(res.status).to.equal(200);
      expect(res.body).to.deep.include({ status: 'suspended', dailyCapacity: 12, communityIds, creditCode: provider.creditCode });
      expect(await ProviderModel.findById(provider.id).lean()).to.include({ status: 'suspended', dailyCapacity: 12 });
      const audit = await AuditEntryModel.findOne({ action: 'provider.update', entityId: provider.id }).lean();
      expect(audit!.before).to.include({ status: 'active', dailyCapacity: 30 });
      expect(audit!.after).to.include({ status: 'suspended', dailyCapacity: 12 });
    });

    it('rejects changing the credit code or kind, an empty change and unknown communities', async () => {
      const provider = await makeProvider(communityIds);

      const fixed = await request(app).patch(`/api/v1/providers/${provider.id}`).set('Authorization', admin).send({ creditCode: '91110000600037341L', kind: 'ngo' });
      const empty = await request(app).patch(`/api/v1/providers/${provider.id}`).set('Authorization', admin).send({});
      const unknown = await request(app).patch(`/api/v1/providers/${provider.id}`).set('Authorization', admin).send({ communityIds: ['0123456789abcdef01234567'] });

      expect(fixed.status).to.equal(400);
      expect(paths(fixed)).to.have.members(['creditCode', 'kind']);
      expect(empty.status).to.equal(400);
      expect(paths(unknown)).to.deep.equal(['communityIds.0']);
      expect(await ProviderModel.findById(provider.id).lean()).to.deep.include({ communityIds });
    });

    it('keeps a Starlight centre from dropping all its communities', async () => {
      const centre = await makeProvider(communityIds, { kind: 'starlight_center' });

      const res = await request(app).patch(`/api/v1/providers/${centre.id}`).set('Authorization', admin).send({ communityIds: [] });

      expect(res.status).to.equal(400);
      expect(paths(res)).to.deep.equal(['communityIds']);
    });

    it('is for admins only (403), and answers 404 for an unknown provider', async () => {
      const provider = await makeProvider(communityIds);
      const staff = await tokenFor(config, 'provider_admin', { providerId: provider.id });

      const denied = await request(app).patch(`/api/v1/providers/${provider.id}`).set('Authorization', staff).send({ dailyCapacity: 99 });
      const missing = await request(app).patch('/api/v1/providers/0123456789abcdef01234567').set('Authorization', admin).send({ dailyCapacity: 99 });

      expect(denied.status).to.equal(403);
      expect(missing.status).to.equal(404);
      expect(await ProviderModel.findById(provider.id).lean()).to.include({ dailyCapacity: 30 });
    });
  });
});

import { expect } from 'chai';
import request from 'supertest';
import { authFor, createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import { ContractLockModel, ContractModel } from '../../src/organisation/contracts.model.ts';
import { makeContract, makeDistrict, makeProvider } from './organisation.fixtures.ts';

const paths = (res: request.Response) => res.body.error.details.map((d: { path: string }) => d.path);

describe('contracts', () => {
  useTestDatabase();
  const { app, config } = createTestApp();
  let admin: string;
  let adminId: string;
  let district: Awaited<ReturnType<typeof makeDistrict>>;
  beforeEach(async () => {
    await clearCollections();
    ({ authorization: admin, actor: { id: adminId } } = await authFor(config, 'admin'));
    district = await makeDistrict();
  });

  const body = (overrides: Record<string, unknown> = {}) => ({
    providerId: district.provider.id,
    validFrom: '2026-01-01',
    validTo: '2026-06-30',
    communityIds: [district.north.id],
    prices: [{ serviceTypeCode: district.meals.code, unitPriceFen: 1500 }],
    ...overrides,
  });
  const create = (overrides: Record<string, unknown> = {}) => request(app).post('/api/v1/contracts').set('Authorization', admin).send(body(overrides));

  describe('POST /contracts', () => {
    it('signs a contract, stores it and audits it', async () => {
      const res = await create({ communityIds: [district.north.id, district.south.id], prices: [{ serviceTypeCode: district.meals.code, unitPriceFen: 1500 }, { serviceTypeCode: district.cleaning.code, unitPriceFen: 4000 }] });

      expect(res.status).to.equal(201);
      expect(res.body).to.deep.include({
        providerId: district.provider.id, validFrom: '2026-01-01', validTo: '2026-06-30', communityIds: [district.north.id, district.south.id],
        prices: [{ serviceTypeCode: district.meals.code, unitPriceFen: 1500 }, { serviceTypeCode: district.cleaning.code, unitPriceFen: 4000 }], createdBy: adminId,
      });
      expect(res.body).not.to.have.property('serviceTypeCodes');
      expect(await ContractModel.findById(res.body.id).lean()).to.deep.include({ serviceTypeCodes: [district.meals.code, district.cleaning.code] });
      const audit = await AuditEntryModel.findOne({ action: 'contract.create', entityId: res.body.id }).lean();
      expect(audit).to.include({ actorId: adminId, entityType: 'contract' });
    });

    it('rejects validTo before validFrom with 400 on validTo', async () => {
      const res = await create({ validFrom: '2026-07-01', validTo: '2026-06-30' });

      expect(res.status).to.equal(400);
      expect(paths(res)).to.deep.equal(['validTo']);
      expect(await ContractModel.countDocuments()).to.equal(0);
    });

    it('rejects days that do not exist or are not YYYY-MM-DD', async () => {
      const res = await create({ validFrom: '2026-02-30', validTo: '2026/12/31' });

      expect(res.status).to.equal(400);
      expect(paths(res)).to.have.members(['validFrom', 'validTo']);
    });

    it('rejects a service type priced twice with 400 on the repeat', async () => {
      const res = await create({ prices: [{ serviceTypeCode: district.meals.code, unitPriceFen: 1500 }, { serviceTypeCode: district.meals.code, unitPriceFen: 1600 }] });

      expect(res.status).to.equal(400);
      expect(paths(res)).to.deep.equal(['prices.1.serviceTypeCode']);
    });

    it('rejects prices that are not positive safe integers of fen', async () => {
      const res = await create({ prices: [
        { serviceTypeCode: district.meals.code, unitPriceFen: 0 },
        { serviceTypeCode: district.cleaning.code, unitPriceFen: 15.5 },
        { serviceTypeCode: 'bathing', unitPriceFen: 2 ** 53 },
      ] });

      expect(res.status).to.equal(400);
      expect(paths(res)).to.have.members(['prices.0.unitPriceFen', 'prices.1.unitPriceFen', 'prices.2.unitPriceFen']);
    });

    it('rejects empty communities and prices, and unknown fields', async () => {
      const res = await create({ communityIds: [], prices: [], status: 'active' });

      expect(res.status).to.equal(400);
      expect(paths(res)).to.have.members(['communityIds', 'prices', 'status']);
    });

    it('rejects an unknown provider, service type or community with 400 naming the field', async () => {
      const provider = await create({ providerId: '0123456789abcdef01234567' });
      const serviceType = await create({ prices: [{ serviceTypeCode: 'massage', unitPriceFen: 100 }] });
      const community = await create({ communityIds: ['0123456789abcdef01234567'] });

      expect(paths(provider)).to.deep.equal(['providerId']);
      expect(paths(serviceType)).to.deep.equal(['prices.0.serviceTypeCode']);
      expect(paths(community)).to.deep.equal(['communityIds.0']);
      expect(await ContractModel.countDocuments()).to.equal(0);
    });

    it('rejects a community the provider does not cover', async () => {
      const narrow = await makeProvider([district.north.id]);

      const res = await create({ providerId: narrow.id, communityIds: [district.north.id, district.south.id] });

      expect(res.status).to.equal(400);
      expect(paths(res)).to.deep.equal(['communityIds.1']);
    });

    it('is for admins only', async () => {
      const res = await request(app).post('/api/v1/contracts').set('Authorization', await tokenFor(config, 'finance_officer')).send(body());

      expect(res.status).to.equal(403);
    });
  });

  describe('overlapping contracts', () => {
    it('answers 409 DUPLICATE naming the contract it overlaps (same community, service type and days)', async () => {
      const first = await create();

      const res = await create({ validFrom: '2026-06-30', validTo: '2026-12-31', communityIds: [district.south.id, district.north.id] });

      expect(res.status).to.equal(409);
      expect(res.body.error).to.include({ code: 'DUPLICATE', conflictingContractId: first.body.id });
      expect(await ContractModel.countDocuments()).to.equal(1);
    });

    it('accepts a contract for another community, another service type, or the adjacent period', async () => {
      await create();

      const otherCommunity = await create({ communityIds: [district.south.id] });
      const otherService = await create({ prices: [{ serviceTypeCode: district.cleaning.code, unitPriceFen: 4000 }] });
      const nextPeriod = await create({ validFrom: '2026-07-01', validTo: '2026-12-31' });
      const otherProvider = await create({ providerId: (await makeProvider([district.north.id])).id });

      expect([otherCommunity.status, otherService.status, nextPeriod.status, otherProvider.status]).to.deep.equal([201, 201, 201, 201]);
      expect(await ContractModel.countDocuments()).to.equal(5);
    });

    it('lets exactly one of two simultaneous overlapping creates win', async () => {
      const results = await Promise.all([create(), create({ validFrom: '2026-03-01', validTo: '2026-09-30' })]);

      expect(results.map((r) => r.status).sort()).to.deep.equal([201, 409]);
      const winner = results.find((r) => r.status === 201)!;
      expect(results.find((r) => r.status === 409)!.body.error.conflictingContractId).to.equal(winner.body.id);
      expect(await ContractModel.countDocuments()).to.equal(1);
    });

    it('creates simultaneous non-overlapping contracts of one provider one after another', async () => {
      const months = ['01', '02', '03', '04', '05', '06'];

      const results = await Promise.all(months.map((month) => create({ validFrom: `2026-${month}-01`, validTo: `2026-${month}-28` })));

      expect(results.map((r) => r.status)).to.deep.equal(months.map(() => 201));
      expect(await ContractModel.countDocuments()).to.equal(6);
      expect(await ContractLockModel.countDocuments({ holder: { $ne: null } })).to.equal(0);
    });

    it('takes over a lock whose holder died without releasing it', async () => {
      await ContractLockModel.create({ _id: district.provider.id, holder: 'crashed-instance', leaseUntil: new Date(Date.now() - 1000) });

      const res = await create();

      expect(res.status).to.equal(201);
    });
  });

  describe('reading contracts', () => {
    it('lists contracts filtered by provider, newest period first', async () => {
      const other = await makeProvider([district.north.id]);
      const early = await makeContract(district.provider.id, [district.north.id], [{ serviceTypeCode: district.meals.code, unitPriceFen: 1500 }], '2025-01-01', '2025-12-31');
      const late = await makeContract(district.provider.id, [district.north.id], [{ serviceTypeCode: district.meals.code, unitPriceFen: 1600 }], '2026-01-01', '2026-12-31');
      await makeContract(other.id, [district.north.id], [{ serviceTypeCode: district.meals.code, unitPriceFen: 1400 }]);

      const res = await request(app).get(`/api/v1/contracts?providerId=${district.provider.id}`).set('Authorization', await tokenFor(config, 'finance_officer'));

      expect(res.status).to.equal(200);
      expect(res.body.total).to.equal(2);
      expect(res.body.items.map((c: { id: string }) => c.id)).to.deep.equal([late.id, early.id]);
    });

    it('shows provider staff only their own contracts; another provider\'s is 404', async () => {
      const other = await makeProvider([district.north.id]);
      const own = await makeContract(district.provider.id, [district.north.id], [{ serviceTypeCode: district.meals.code, unitPriceFen: 1500 }]);
      const foreign = await makeContract(other.id, [district.north.id], [{ serviceTypeCode: district.meals.code, unitPriceFen: 1400 }]);
      const staff = await tokenFor(config, 'provider_admin', { providerId: district.provider.id });

      const list = await request(app).get('/api/v1/contracts').set('Authorization', staff);
      const filteredToOther = await request(app).get(`/api/v1/contracts?providerId=${other.id}`).set('Authorization', staff);
      const ownOne = await request(app).get(`/api/v1/contracts/${own.id}`).set('Authorization', staff);
      const foreignOne = await request(app).get(`/api/v1/contracts/${foreign.id}`).set('Authorization', staff);

      expect(list.body.items.map((c: { id: string }) => c.id)).to.deep.equal([own.id]);
      expect(filteredToOther.body.total).to.equal(0);
      expect(ownOne.status).to.equal(200);
      expect(ownOne.body.prices).to.deep.equal([{ serviceTypeCode: district.meals.code, unitPriceFen: 1500 }]);
      expect(foreignOne.status).to.equal(404);
    });

    it('refuses community staff, street officers and caregivers with 403', async () => {
      for (const role of ['community_staff', 'street_officer', 'caregiver'] as const) {
        const res = await request(app).get('/api/v1/contracts').set('Authorization', await tokenFor(config, role));
        expect(res.status, role).to.equal(403);
      }
    });
  });
});

import { expect } from 'chai';
import { createTestApp } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { AuditEntryModel } from '../../src/audit/audit.model.ts';
import {
  assertCaregiverOfProvider, assertCommunitiesExist, assertProviderExists, assertStreetExists, findValidContract, getCaregiver,
  getCommunity, getProvider, getServiceType, listServiceTypes, upsertCaregiver, upsertCommunity, upsertContract, upsertProvider,
  upsertServiceType, upsertStreet, dispatchCandidates,
} from '../../src/organisation/index.ts';
import { CaregiverModel, ProviderModel } from '../../src/organisation/providers.model.ts';
import { ContractModel } from '../../src/organisation/contracts.model.ts';
import { CommunityModel, StreetModel } from '../../src/organisation/divisions.model.ts';
import { ServiceTypeModel } from '../../src/organisation/service-types.model.ts';
import { DomainError } from '../../src/shared/errors.ts';
import { makeCaregiver, makeContract, makeDistrict, makeProvider, providerBody } from './organisation.fixtures.ts';

const UNKNOWN_ID = '0123456789abcdef01234567';

async function rejection(promise: Promise<unknown>): Promise<DomainError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('organisation as used by other capabilities', () => {
  useTestDatabase();
  const { config } = createTestApp();
  let district: Awaited<ReturnType<typeof makeDistrict>>;
  beforeEach(async () => {
    await clearCollections();
    district = await makeDistrict();
  });

  describe('findValidContract', () => {
    beforeEach(async () => {
      await makeContract(district.provider.id, [district.north.id], [{ serviceTypeCode: district.meals.code, unitPriceFen: 1500 }], '2026-01-01', '2026-06-30');
      await makeContract(district.provider.id, [district.north.id], [{ serviceTypeCode: district.meals.code, unitPriceFen: 1650 }], '2026-07-01', '2026-12-31');
    });
    const ask = (overrides: Partial<Parameters<typeof findValidContract>[0]> = {}) =>
      findValidContract({ providerId: district.provider.id, serviceTypeCode: district.meals.code, communityId: district.north.id, day: '2026-03-15', ...overrides });

    it('answers the contract in force on the day with its unit price, boundaries included', async () => {
      const march = await ask();
      const lastDay = await ask({ day: '2026-06-30' });
      const firstDayOfNext = await ask({ day: '2026-07-01' });

      expect(march!.unitPriceFen).to.equal(1500);
      expect(march!.contract).to.include({ providerId: district.provider.id, validFrom: '2026-01-01' });
      expect(lastDay!.unitPriceFen).to.equal(1500);
      expect(firstDayOfNext!.unitPriceFen).to.equal(1650);
    });

    it('answers null outside every period, for another community, service type or provider', async () => {
      expect(await ask({ day: '2025-12-31' })).to.equal(null);
      expect(await ask({ day: '2027-01-01' })).to.equal(null);
      expect(await ask({ communityId: district.south.id })).to.equal(null);
      expect(await ask({ serviceTypeCode: district.cleaning.code })).to.equal(null);
      expect(await ask({ providerId: UNKNOWN_ID })).to.equal(null);
    });
  });

  describe('reference checks', () => {
    it('names the path of an unknown street, community or provider with 400', async () => {
      const street = await rejection(assertStreetExists(UNKNOWN_ID, 'streetId', 'en'));
      const communities = await rejection(assertCommunitiesExist([district.north.id, UNKNOWN_ID, 'not-an-id'], 'communityIds'));
      const provider = await rejection(assertProviderExists(UNKNOWN_ID, 'preferredProviderId'));

      expect(street.code).to.equal('VALIDATION_FAILED');
      expect(street.details).to.deep.equal([{ path: 'streetId', message: 'No such street' }]);
      expect(communities.details.map((d) => d.path)).to.deep.equal(['communityIds.1', 'communityIds.2']);
      expect(provider.details.map((d) => d.path)).to.deep.equal(['preferredProviderId']);
    });

    it('answers existing references with their records, in the order asked', async () => {
      const communities = await assertCommunitiesExist([district.south.id, district.north.id]);

      expect(communities.map((c) => c.id)).to.deep.equal([district.south.id, district.north.id]);
      expect((await assertStreetExists(district.street.id)).code).to.equal(district.street.code);
      expect((await assertProviderExists(district.provider.id)).id).to.equal(district.provider.id);
    });

    it('accepts a caregiver of the provider and refuses another provider\'s with 400 on caregiverId', async () => {
      const other = await makeProvider([district.north.id]);
      const caregiver = await makeCaregiver(config.pii, district.provider.id, [district.meals.code]);

      const accepted = await assertCaregiverOfProvider(caregiver.id, district.provider.id);
      const refused = await rejection(assertCaregiverOfProvider(caregiver.id, other.id));

      expect(accepted).to.include({ id: caregiver.id, status: 'active' });
      expect(accepted.skills).to.deep.equal([district.meals.code]);
      expect(refused.code).to.equal('VALIDATION_FAILED');
      expect(refused.details.map((d) => d.path)).to.deep.equal(['caregiverId']);
    });

    it('reads records by id or code, null when unknown', async () => {
      const caregiver = await makeCaregiver(config.pii, district.provider.id, []);

      expect((await getCommunity(district.north.id))!.location).to.deep.equal({ lng: 117.2541, lat: 31.8457 });
      expect((await getProvider(district.provider.id))!.communityIds).to.deep.equal([district.north.id, district.south.id]);
      expect((await getServiceType(district.meals.code))!.minutesPerUnit).to.equal(60);
      expect((await getCaregiver(caregiver.id))!.providerId).to.equal(district.provider.id);
      expect((await listServiceTypes()).map((t) => t.code)).to.deep.equal([district.meals.code, district.cleaning.code].sort());
      expect([await getCommunity(UNKNOWN_ID), await getProvider('nope'), await getServiceType('no_such'), await getCaregiver(UNKNOWN_ID)]).to.deep.equal([null, null, null, null]);
    });
  });

  describe('seeding helpers', () => {
    it('are idempotent by natural key and audit a creation once, as system', async () => {
      const run = async () => {
        const street = await upsertStreet({ name: '琥珀街道', code: '340104003' });
        const community = await upsertCommunity({ name: '琥珀山庄社区', code: '340104003001', streetId: street.id, location: { lng: 117.263, lat: 31.8695 } });
        const type = await upsertServiceType({ code: 'day_care', name: '日间照料', unit: 'visit', minutesPerUnit: 480, emergency: false, onSite: true });
        const provider = await upsertProvider(providerBody([community.id], { creditCode: '91340104ma00000070', kind: 'starlight_center' }) as Parameters<typeof upsertProvider>[0]);
        const caregiver = await upsertCaregiver(config.pii, { providerId: provider.id, name: '孙丽', phone: '13912345678', skills: ['day_care'] });
        const contract = await upsertContract({ providerId: provider.id, validFrom: '2026-01-01', validTo: '2026-12-31', communityIds: [community.id], prices: [{ serviceTypeCode: type.code, unitPriceFen: 6000 }] });
        return [street.id, community.id, type.id, provider.id, caregiver.id, contract.id];
      };

      const first = await run();
      const second = await run();

      expect(second).to.deep.equal(first);
      expect(await StreetModel.countDocuments({ code: '340104003' })).to.equal(1);
      expect(await CommunityModel.countDocuments({ code: '340104003001' })).to.equal(1);
      expect(await ServiceTypeModel.countDocuments({ code: 'day_care' })).to.equal(1);
      expect(await ProviderModel.countDocuments({ creditCode: '91340104MA00000070' })).to.equal(1);
      expect(await CaregiverModel.countDocuments({ name: '孙丽' })).to.equal(1);
      expect(await ContractModel.countDocuments({ providerId: first[3] })).to.equal(1);
      const audits = await AuditEntryModel.find({ entityId: { $in: first.slice(0, 2).concat(first.slice(3)) } }).lean();
      expect(audits).to.have.length(5);
      expect(audits.every((entry) => entry.actorId === 'system')).to.equal(true);
    });

    it('end with one record when two starts seed the same key at once', async () => {
      const [a, b] = await Promise.all([
        upsertStreet({ name: '稻香村街道', code: '340104002' }),
        upsertStreet({ name: '稻香村街道', code: '340104002' }),
      ]);

      expect(a.id).to.equal(b.id);
      expect(await StreetModel.countDocuments({ code: '340104002' })).to.equal(1);
    });

    it('validate like the API', async () => {
      const error = await rejection(upsertStreet({ name: '街道', code: '34010' }));

      expect(error.code).to.equal('VALIDATION_FAILED');
      expect(error.details.map((d) => d.path)).to.deep.equal(['code']);
    });
  });

  // Dispatch keeps a community's candidates while the organisation token stands: every write to
  // providers, contracts or caregivers, from any process, must show in the next ranking.
  describe('dispatchCandidates, kept between rankings', () => {
    beforeEach(async () => {
      await makeContract(district.provider.id, [district.north.id], [{ serviceTypeCode: district.cleaning.code, unitPriceFen: 4000 }]);
      await makeCaregiver(config.pii, district.provider.id, [district.cleaning.code]);
    });
    const question = () => ({ communityId: district.north.id, serviceTypeCode: district.cleaning.code, day: '2026-06-01' });
    const ids = async () => (await dispatchCandidates(question())).map((c) => c.provider.id);

    it('sees a new provider, a suspension, a capacity change and a new price at the next ranking', async () => {
      expect(await ids()).to.deep.equal([district.provider.id]);

      const second = await makeProvider([district.north.id]);
      await makeContract(second.id, [district.north.id], [{ serviceTypeCode: district.cleaning.code, unitPriceFen: 3500 }]);
      await makeCaregiver(config.pii, second.id, [district.cleaning.code]);
      expect((await ids()).sort()).to.deep.equal([district.provider.id, second.id].sort());

      await ProviderModel.updateOne({ _id: second.id }, { $set: { dailyCapacity: 7 } });
      expect((await dispatchCandidates(question())).find((c) => c.provider.id === second.id)?.provider.dailyCapacity).to.equal(7);

      await ContractModel.updateMany({ providerId: second.id }, { $set: { 'prices.0.unitPriceFen': 3000 } });
      expect((await dispatchCandidates(question())).find((c) => c.provider.id === second.id)?.unitPriceFen).to.equal(3000);

      await ProviderModel.findOneAndUpdate({ _id: district.provider.id }, { $set: { status: 'suspended' } });
      expect(await ids()).to.deep.equal([second.id]);
    });

    it('drops a provider whose last skilled caregiver leaves', async () => {
      expect(await ids()).to.deep.equal([district.provider.id]);

      await CaregiverModel.updateMany({ providerId: district.provider.id }, { $set: { status: 'inactive' } });

      expect(await ids()).to.deep.equal([]);
    });
  });
});

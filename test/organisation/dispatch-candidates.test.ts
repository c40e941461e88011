import { expect } from 'chai';
import { dispatchCandidates } from '../../src/organisation/index.ts';
import { CaregiverModel, ProviderModel } from '../../src/organisation/providers.model.ts';
import { ContractModel } from '../../src/organisation/contracts.model.ts';
import { createTestApp } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';
import { makeCaregiver, makeContract, makeDistrict, makeProvider } from './organisation.fixtures.ts';

// Dispatch keeps a community's candidates while the organisation token stands: every write to
// providers, contracts or caregivers, from any process, must show in the next ranking.
describe('dispatch candidates, kept between rankings', () => {
  useTestDatabase();
  const { config } = createTestApp();
  let district: Awaited<ReturnType<typeof makeDistrict>>;
  beforeEach(async () => {
    await clearCollections();
    district = await makeDistrict();
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

import { findValidContract } from './contracts.service.ts';
import { CaregiverModel, ProviderModel } from './providers.model.ts';
import { toProviderView, type ProviderView } from './providers.service.ts';

export interface DispatchCandidate {
  provider: ProviderView;
  unitPriceFen: number;
  /** Active caregivers of the provider with the service's skill. */
  skilledCaregivers: number;
}

/**
 * Providers that may receive an offer for this service, community and day (PRODUCT.md §4):
 * active, covering the community, under a contract valid that day for the service, with at
 * least one active caregiver who has the skill. Capacity, declines and ranking are dispatch's.
 */
export async function dispatchCandidates(question: { communityId: string; serviceTypeCode: string; day: string }): Promise<DispatchCandidate[]> {
  const providers = await ProviderModel.find({ status: 'active', communityIds: question.communityId }).lean();
  const candidates: DispatchCandidate[] = [];
  for (const provider of providers) {
    const providerId = String(provider._id);
    const contract = await findValidContract({ providerId, serviceTypeCode: question.serviceTypeCode, communityId: question.communityId, day: question.day });
    if (!contract) continue;
    const skilledCaregivers = await CaregiverModel.countDocuments({ providerId, skills: question.serviceTypeCode, status: 'active' });
    if (skilledCaregivers === 0) continue;
    candidates.push({ provider: toProviderView(provider), unitPriceFen: contract.unitPriceFen, skilledCaregivers });
  }
  return candidates;
}

import { candidateVersion } from './candidate-version.ts';
import { contractsCovering, validContractAmong } from './contracts.service.ts';
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
  // Kept per community, service and day while the organisation version stands (one read by `_id`
  // instead of three reads and a scan of the caregivers: the bulk of a ranking). The age limit
  // covers a writer that died between its write and the bump. Callers treat the answer as read-only.
  const version = await candidateVersion();
  const key = `${question.communityId}|${question.serviceTypeCode}|${question.day}`;
  const kept = candidateCache.get(key);
  if (kept && kept.version === version && Date.now() - kept.atMs < CANDIDATE_CACHE_MAX_AGE_MS) return kept.candidates;
  const candidates = await readDispatchCandidates(question);
  if (candidateCache.size >= CANDIDATE_CACHE_MAX_ENTRIES) candidateCache.clear();
  candidateCache.set(key, { version, atMs: Date.now(), candidates });
  return candidates;
}

const CANDIDATE_CACHE_MAX_AGE_MS = 60_000;
const CANDIDATE_CACHE_MAX_ENTRIES = 2_000;
const candidateCache = new Map<string, { version: string | null; atMs: number; candidates: DispatchCandidate[] }>();

async function readDispatchCandidates(question: { communityId: string; serviceTypeCode: string; day: string }): Promise<DispatchCandidate[]> {
  const providers = await ProviderModel.find({ status: 'active', communityIds: question.communityId }).lean();
  const providerIds = providers.map((provider) => String(provider._id));
  // The contracts and skilled caregivers of all of them in one read each (two reads per provider
  // made dispatching among 50 providers a hundred round trips).
  const contracts = await contractsCovering(providerIds, question);
  const skilled = new Map<string, number>();
  for (const { providerId } of await CaregiverModel.find({ providerId: { $in: providerIds }, skills: question.serviceTypeCode, status: 'active' }, { providerId: 1 }).lean()) {
    skilled.set(String(providerId), (skilled.get(String(providerId)) ?? 0) + 1);
  }
  const candidates: DispatchCandidate[] = [];
  for (const provider of providers) {
    const providerId = String(provider._id);
    const contract = validContractAmong(contracts, { ...question, providerId });
    const skilledCaregivers = skilled.get(providerId) ?? 0;
    if (!contract || skilledCaregivers === 0) continue;
    candidates.push({ provider: toProviderView(provider), unitPriceFen: contract.unitPriceFen, skilledCaregivers });
  }
  return candidates;
}

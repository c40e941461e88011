export { organisationRouter } from './organisation.routes.ts';
export { allCommunities, assertStreetExists, assertCommunitiesExist, findCommunityByCode, getCommunity, type StreetView, type CommunityView } from './divisions.service.ts';
export { assertProviderExists, getProvider, type ProviderView } from './providers.service.ts';
export { assertCaregiverOfProvider, caregiversByPhoneHash, getCaregiver, type CaregiverView } from './caregivers.service.ts';
export { getServiceType, listServiceTypes, type ServiceTypeView } from './service-types.service.ts';
export { findValidContract, contractsOfProvider, validContractAmong, type ContractQuestion, type ContractView } from './contracts.service.ts';
export { creditCodeCheckCharacter, isValidCreditCode, normaliseCreditCode } from './credit-code.ts';
export { upsertStreet, upsertCommunity, upsertProvider, upsertCaregiver, upsertServiceType, upsertContract } from './organisation.seed.ts';
export { dispatchCandidates, type DispatchCandidate } from './dispatch-candidates.ts';

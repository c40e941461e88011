import { assertCaregiverOfProvider, assertCommunitiesExist, assertProviderExists, assertStreetExists } from '../organisation/index.ts';
import type { UserScopeInput } from './users.service.ts';

/** Scope ids must name real streets, communities, providers and that provider's caregiver. */
export async function assertScopeReferencesExist(scope: UserScopeInput): Promise<void> {
  if (scope.streetId) await assertStreetExists(scope.streetId);
  if (scope.communityIds?.length) await assertCommunitiesExist(scope.communityIds);
  if (scope.providerId) await assertProviderExists(scope.providerId);
  if (scope.caregiverId && scope.providerId) await assertCaregiverOfProvider(scope.caregiverId, scope.providerId);
}

import type { UserScopeInput } from './users.service.ts';

/** Scope ids must name real streets, communities, providers and caregivers. */
export async function assertScopeReferencesExist(scope: UserScopeInput): Promise<void> {
  void scope;
}

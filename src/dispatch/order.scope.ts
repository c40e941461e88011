import type { ScopeRules } from '../shared/scope.ts';
import { MATCH_NOTHING, scopeBy } from '../shared/scope.ts';

/**
 * Who sees which orders (PRODUCT.md §2): community staff their communities', street officers their
 * street's, a provider the orders offered or given to it, a caregiver their own visits.
 */
export const orderScope: ScopeRules = {
  admin: 'all',
  auditor: 'all',
  finance_officer: 'all',
  street_officer: scopeBy.streetField('streetId'),
  community_staff: scopeBy.communityField('communityId'),
  provider_admin: (actor) => (actor.providerId ? { $or: [{ providerId: actor.providerId }, { 'offer.providerId': actor.providerId }] } : MATCH_NOTHING),
  caregiver: (actor) => (actor.caregiverId ? { caregiverId: actor.caregiverId } : MATCH_NOTHING),
};

import type { ScopeRules } from '../shared/scope.ts';
import { scopeBy } from '../shared/scope.ts';

/**
 * Who sees which seniors (PRODUCT.md §2): community staff their communities', street officers
 * their street's, district roles all. Providers and caregivers see what orders tell them, not the
 * registry.
 */
export const seniorScope: ScopeRules = {
  admin: 'all',
  auditor: 'all',
  finance_officer: 'all',
  street_officer: scopeBy.streetField('streetId'),
  community_staff: scopeBy.communityField('communityId'),
};

export const ROLES = ['admin', 'street_officer', 'community_staff', 'provider_admin', 'caregiver', 'finance_officer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as carried in the access token. Scope fields follow PRODUCT.md §2. */
export interface Actor {
  id: string;
  role: Role;
  communityIds: string[];
  streetId: string | null;
  providerId: string | null;
  caregiverId: string | null;
}

/** Writes made by the scheduler or the start-up code rather than a person. */
export const SYSTEM_ACTOR_ID = 'system';

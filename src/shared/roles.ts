export const ROLES = ['admin', 'street_officer', 'community_staff', 'provider_admin', 'caregiver', 'finance_officer', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** How a role is named to people (error messages; the console has its own table, web/src/labels.ts). */
export const ROLE_ZH: Record<Role, string> = {
  admin: '系统管理员', street_officer: '街道审核员', community_staff: '社区工作者', provider_admin: '服务商调度员',
  caregiver: '护理员', finance_officer: '财务人员', auditor: '审计人员',
};

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

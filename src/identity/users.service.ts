import { recordAudit } from '../audit/index.ts';
import type { Config } from '../config/env.ts';
import { DomainError, type ErrorDetail } from '../shared/errors.ts';
import { findPage, type Page } from '../shared/http/pagination.ts';
import type { Logger } from '../shared/logger.ts';
import { isDuplicateKeyError } from '../shared/mongo-errors.ts';
import type { Actor, Role } from '../shared/roles.ts';
import { hashPassword } from './password.ts';
import { assertScopeReferencesExist } from './scope-references.ts';
import { UserModel, type UserDoc } from './user.model.ts';
import { bilingual } from '../shared/i18n.ts';
import { ROLE_ZH } from '../shared/roles.ts';

export interface UserView {
  id: string;
  username: string;
  displayName: string;
  role: Role;
  communityIds: string[];
  streetId: string | null;
  providerId: string | null;
  caregiverId: string | null;
  active: boolean;
}

export function toUserView(user: UserDoc): UserView {
  return {
    id: String(user._id),
    username: user.username,
    displayName: user.displayName,
    role: user.role as Role,
    communityIds: user.communityIds ?? [],
    streetId: user.streetId ?? null,
    providerId: user.providerId ?? null,
    caregiverId: user.caregiverId ?? null,
    active: user.active,
  };
}

export interface UserScopeInput {
  communityIds?: string[];
  streetId?: string | null;
  providerId?: string | null;
  caregiverId?: string | null;
}

/** Which scope fields each role needs (PRODUCT.md §2); a field that does not belong is refused. */
const SCOPE_FIELDS: Record<Role, (keyof UserScopeInput)[]> = {
  admin: [],
  finance_officer: [],
  auditor: [],
  street_officer: ['streetId'],
  community_staff: ['communityIds'],
  provider_admin: ['providerId'],
  caregiver: ['providerId', 'caregiverId'],
};

export function scopeProblems(role: Role, scope: UserScopeInput): ErrorDetail[] {
  const needed = SCOPE_FIELDS[role];
  const problems: ErrorDetail[] = [];
  for (const field of ['communityIds', 'streetId', 'providerId', 'caregiverId'] as const) {
    const value = scope[field];
    const present = Array.isArray(value) ? value.length > 0 : value !== undefined && value !== null;
    if (needed.includes(field) && !present) problems.push({ path: field, message: bilingual(`${ROLE_ZH[role]}必须填写此项`, `required for role ${role}`) });
    if (!needed.includes(field) && present) problems.push({ path: field, message: bilingual(`${ROLE_ZH[role]}不能设置此项`, `not allowed for role ${role}`) });
  }
  return problems;
}

export interface CreateUserInput extends UserScopeInput {
  username: string;
  password: string;
  displayName: string;
  role: Role;
}

export async function createUser(input: CreateUserInput, actor: Actor | 'system', requestId: string | null): Promise<UserView> {
  const problems = scopeProblems(input.role, input);
  if (problems.length > 0) throw new DomainError('VALIDATION_FAILED', problems);
  await assertScopeReferencesExist(input);
  let user: UserDoc;
  try {
    user = (
      await UserModel.create({
        username: input.username.trim().toLowerCase(),
        displayName: input.displayName,
        role: input.role,
        passwordHash: await hashPassword(input.password),
        communityIds: input.communityIds ?? [],
        streetId: input.streetId ?? null,
        providerId: input.providerId ?? null,
        caregiverId: input.caregiverId ?? null,
        active: true,
      })
    ).toObject();
  } catch (error) {
    if (isDuplicateKeyError(error)) throw new DomainError('DUPLICATE', [{ path: 'username', message: bilingual('该用户名已被使用', 'username already taken') }]);
    throw error;
  }
  const view = toUserView(user);
  await recordAudit({ actor, action: 'user.create', entityType: 'user', entityId: view.id, after: view, requestId });
  return view;
}

export async function listUsers(filter: { role?: Role; active?: boolean; page: number; pageSize: number }): Promise<Page<UserView>> {
  const query: Record<string, unknown> = {};
  if (filter.role) query.role = filter.role;
  if (filter.active !== undefined) query.active = filter.active;
  return findPage(UserModel, query, { username: 1 }, filter, toUserView);
}

/** People's display names by user id, for lists that name who did something (one read for a page's ids). */
export async function displayNamesOf(ids: string[]): Promise<Map<string, string>> {
  const userIds = [...new Set(ids)].filter((id) => /^[0-9a-f]{24}$/.test(id));
  if (userIds.length === 0) return new Map();
  const users = await UserModel.find({ _id: { $in: userIds } }, { displayName: 1, username: 1 }).lean();
  return new Map(users.map((user) => [String(user._id), user.displayName || user.username]));
}

/** The ids of the active users of a role, for a message to all of them (a handful of finance officers). */
export async function activeUserIdsWithRole(role: Role): Promise<string[]> {
  const users = await UserModel.find({ role, active: true }, { _id: 1 }).sort({ _id: 1 }).lean();
  return users.map((user) => String(user._id));
}

export async function getUser(id: string): Promise<UserView> {
  const user = /^[0-9a-f]{24}$/.test(id) ? await UserModel.findById(id).lean() : null;
  if (!user) throw new DomainError('NOT_FOUND');
  return toUserView(user);
}

export interface UpdateUserInput {
  displayName?: string;
  communityIds?: string[];
  active?: boolean;
}

export async function updateUser(id: string, patch: UpdateUserInput, actor: Actor, requestId: string, onDeactivate: (userId: string) => Promise<void>): Promise<UserView> {
  const before = await getUser(id);
  if (patch.communityIds !== undefined) {
    if (before.role !== 'community_staff') throw new DomainError('VALIDATION_FAILED', [{ path: 'communityIds', message: bilingual(`${ROLE_ZH[before.role]}不能设置此项`, `not allowed for role ${before.role}`) }]);
    if (patch.communityIds.length === 0) throw new DomainError('VALIDATION_FAILED', [{ path: 'communityIds', message: bilingual('社区工作者必须至少负责一个社区', 'required for role community_staff') }]);
    await assertScopeReferencesExist({ communityIds: patch.communityIds });
  }
  if (patch.active === false && before.role === 'admin' && before.active) await assertAnotherActiveAdmin(id);
  const updated = await UserModel.findByIdAndUpdate(id, { $set: patch }, { returnDocument: 'after' }).lean();
  if (!updated) throw new DomainError('NOT_FOUND');
  if (patch.active === false) await onDeactivate(id);
  const after = toUserView(updated);
  await recordAudit({ actor, action: 'user.update', entityType: 'user', entityId: id, before, after, requestId });
  return after;
}

// The district must never lock itself out of its own system.
async function assertAnotherActiveAdmin(exceptId: string): Promise<void> {
  const others = await UserModel.countDocuments({ role: 'admin', active: true, _id: { $ne: exceptId } });
  if (others === 0) throw new DomainError('RULE_VIOLATION', [{ path: 'active', message: bilingual('这是最后一个启用的系统管理员，不能停用', 'the last active admin cannot be deactivated') }]);
}

/** Creates the user unless the username exists (then answers the existing one): for seeds. */
export async function ensureUser(input: CreateUserInput): Promise<UserView> {
  const existing = await UserModel.findOne({ username: input.username.trim().toLowerCase() }).lean();
  if (existing) return toUserView(existing);
  try {
    return await createUser(input, 'system', null);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'DUPLICATE') return toUserView((await UserModel.findOne({ username: input.username.trim().toLowerCase() }).lean()) as UserDoc);
    throw error;
  }
}

/** Creates the configured first admin when there is no admin at all; safe on every start. */
export async function ensureBootstrapAdmin(config: Config, logger: Logger): Promise<void> {
  if (!config.bootstrapAdmin) return;
  if ((await UserModel.countDocuments({ role: 'admin' })) > 0) return;
  try {
    await createUser({ ...config.bootstrapAdmin, displayName: '系统管理员', role: 'admin' }, 'system', null);
    logger.info({ username: config.bootstrapAdmin.username }, 'bootstrap admin created');
  } catch (error) {
    // Another instance created it at the same moment.
    if (!(error instanceof DomainError && error.code === 'DUPLICATE')) throw error;
  }
}

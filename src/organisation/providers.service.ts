import { recordAudit } from '../audit/index.ts';
import { DomainError } from '../shared/errors.ts';
import { findPage, type Page } from '../shared/http/pagination.ts';
import { localise } from '../shared/i18n.ts';
import type { Language } from '../shared/i18n.ts';
import type { PiiKeys } from '../shared/pii.ts';
import type { Actor } from '../shared/roles.ts';
import { findInScope, scopeBy, withinScope, type ScopeRules } from '../shared/scope.ts';
import { storedBankAccount, toBankAccountView, type BankAccountInput, type BankAccountView } from './bank-account.ts';
import { assertCommunitiesExist } from './divisions.service.ts';
import { invalidField, isObjectIdHex, refusingDuplicates, type WriteContext } from './organisation.context.ts';
import { ProviderModel, type ProviderDoc } from './providers.model.ts';
import { STARLIGHT_NEEDS_COMMUNITY, type CreateProviderInput, type UpdateProviderInput } from './providers.schemas.ts';

export interface ProviderView {
  id: string;
  name: string;
  kind: 'company' | 'ngo' | 'starlight_center';
  creditCode: string;
  contactName: string;
  contactPhone: string;
  address: string;
  location: { lng: number; lat: number };
  communityIds: string[];
  dailyCapacity: number;
  status: 'active' | 'suspended';
  bankAccount: BankAccountView | null;
  createdAt: Date;
  updatedAt: Date;
}


/** Provider staff see their own provider only; every other role admitted by a route sees all. */
export const providerScope: ScopeRules = {
  admin: 'all', auditor: 'all', finance_officer: 'all', street_officer: 'all', community_staff: 'all',
  provider_admin: scopeBy.providerField('_id'),
};

export function toProviderView(provider: ProviderDoc): ProviderView {
  return {
    id: String(provider._id),
    name: provider.name,
    kind: provider.kind,
    creditCode: provider.creditCode,
    contactName: provider.contactName,
    contactPhone: provider.contactPhone,
    address: provider.address,
    location: { lng: provider.location.lng, lat: provider.location.lat },
    communityIds: [...provider.communityIds],
    dailyCapacity: provider.dailyCapacity,
    status: provider.status,
    bankAccount: toBankAccountView(provider.bankAccount),
    createdAt: provider.createdAt,
    updatedAt: provider.updatedAt,
  };
}

/** What the audit log keeps of a provider: no phone numbers; of the bank account only the masked number. */
function auditSummary(provider: ProviderView) {
  const { id: _id, contactPhone: _phone, createdAt: _c, updatedAt: _u, ...summary } = provider;
  return summary;
}

/** The stored form of a bank account given in a write; it needs the PII keys (the seed writes none). */
function bankAccountToStore(keys: PiiKeys | undefined, bankAccount: BankAccountInput | undefined) {
  if (!bankAccount) return {};
  if (!keys) throw new Error('a provider\'s bank account is written with the PII keys');
  return { bankAccount: storedBankAccount(keys, bankAccount) };
}

export async function createProvider(ctx: WriteContext, input: CreateProviderInput, keys?: PiiKeys): Promise<ProviderView> {
  await assertCommunitiesExist(input.communityIds, 'communityIds', ctx.lang);
  const { bankAccount, ...fields } = input;
  const created = await refusingDuplicates(ctx.lang, 'creditCode', () => ProviderModel.create({ ...fields, ...bankAccountToStore(keys, bankAccount) }));
  const provider = toProviderView(created.toObject());
  await recordAudit({ actor: ctx.actor, action: 'provider.create', entityType: 'provider', entityId: provider.id, after: auditSummary(provider), requestId: ctx.requestId });
  return provider;
}

export async function updateProvider(ctx: WriteContext, id: string, patch: UpdateProviderInput, keys?: PiiKeys): Promise<ProviderView> {
  const before = await getProviderOrNotFound(id);
  if (patch.communityIds) {
    await assertCommunitiesExist(patch.communityIds, 'communityIds', ctx.lang);
    if (before.kind === 'starlight_center' && patch.communityIds.length === 0) {
      throw invalidField(ctx.lang, 'communityIds', { zh: localise(STARLIGHT_NEEDS_COMMUNITY, 'zh'), en: localise(STARLIGHT_NEEDS_COMMUNITY, 'en') });
    }
  }
  const { bankAccount, ...fields } = patch;
  const updated = await ProviderModel.findOneAndUpdate({ _id: id }, { $set: { ...fields, ...bankAccountToStore(keys, bankAccount) } }, { returnDocument: 'after' }).lean();
  if (!updated) throw new DomainError('NOT_FOUND');
  const after = toProviderView(updated);
  await recordAudit({
    actor: ctx.actor, action: 'provider.update', entityType: 'provider', entityId: id,
    before: auditSummary(before), after: auditSummary(after), requestId: ctx.requestId,
  });
  return after;
}

export interface ProviderFilter {
  kind?: ProviderView['kind'];
  status?: ProviderView['status'];
  communityId?: string;
  page: number;
  pageSize: number;
}

export async function listProviders(actor: Actor, filter: ProviderFilter): Promise<Page<ProviderView>> {
  const conditions: Record<string, unknown> = {};
  if (filter.kind) conditions.kind = filter.kind;
  if (filter.status) conditions.status = filter.status;
  if (filter.communityId) conditions.communityIds = filter.communityId;
  const query = withinScope(providerScope, actor, conditions);
  return findPage(ProviderModel, query, { name: 1, _id: 1 }, filter, toProviderView);
}

export async function getProviderInScope(actor: Actor, id: string): Promise<ProviderView> {
  return toProviderView(await findInScope<ProviderDoc>(ProviderModel, id, providerScope, actor));
}

/** The provider, unscoped, for other capabilities; null when there is none. */
export async function getProvider(id: string): Promise<ProviderView | null> {
  const provider = isObjectIdHex(id) ? await ProviderModel.findById(id).lean() : null;
  return provider ? toProviderView(provider) : null;
}

async function getProviderOrNotFound(id: string): Promise<ProviderView> {
  const provider = await getProvider(id);
  if (!provider) throw new DomainError('NOT_FOUND');
  return provider;
}

/** The provider, or a 400 naming `path` (a reference to an unknown provider is a bad request). */
export async function assertProviderExists(id: string, path = 'providerId', lang: Language = 'zh'): Promise<ProviderView> {
  const provider = await getProvider(id);
  if (!provider) throw invalidField(lang, path, { zh: '服务商不存在', en: 'No such provider' });
  return provider;
}

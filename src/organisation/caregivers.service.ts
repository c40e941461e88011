import { recordAudit } from '../audit/index.ts';
import { DomainError } from '../shared/errors.ts';
import { findPage, type Page } from '../shared/http/pagination.ts';
import type { Language } from '../shared/i18n.ts';
import { encryptPii, hmacPii, maskPhone, type PiiKeys } from '../shared/pii.ts';
import type { Actor } from '../shared/roles.ts';
import { findInScope, scopeBy, withinScope, type ScopeRules } from '../shared/scope.ts';
import type { CreateCaregiverInput, UpdateCaregiverInput } from './caregivers.schemas.ts';
import { invalidField, isObjectIdHex, refusingDuplicates, type WriteContext } from './organisation.context.ts';
import { CaregiverModel, ProviderModel, type CaregiverDoc, type ProviderDoc } from './providers.model.ts';
import { providerScope } from './providers.service.ts';
import { assertServiceTypesExist } from './service-types.service.ts';

export interface CaregiverView {
  id: string;
  providerId: string;
  name: string;
  phoneMasked: string;
  skills: string[];
  certificateNo: string | null;
  status: 'active' | 'inactive';
  createdAt: Date;
  updatedAt: Date;
}


/** Provider staff manage their own provider's caregivers; admin and auditor see all. */
export const caregiverScope: ScopeRules = {
  admin: 'all',
  auditor: 'all',
  provider_admin: scopeBy.providerField('providerId'),
};

export function toCaregiverView(caregiver: CaregiverDoc): CaregiverView {
  return {
    id: String(caregiver._id),
    providerId: caregiver.providerId,
    name: caregiver.name,
    phoneMasked: caregiver.phoneMasked,
    skills: [...caregiver.skills],
    certificateNo: caregiver.certificateNo ?? null,
    status: caregiver.status,
    createdAt: caregiver.createdAt,
    updatedAt: caregiver.updatedAt,
  };
}

/** The audit log keeps neither the phone nor its masked form. */
function auditSummary(caregiver: CaregiverView) {
  return { providerId: caregiver.providerId, name: caregiver.name, skills: caregiver.skills, certificateNo: caregiver.certificateNo, status: caregiver.status };
}

function phoneFields(keys: PiiKeys, phone: string) {
  return { phoneEncrypted: encryptPii(keys, phone), phoneHash: hmacPii(keys, phone), phoneMasked: maskPhone(phone) };
}

/** The provider the caller may manage; 404 for a provider outside the caller's scope. */
async function providerInScope(ctx: WriteContext, providerId: string): Promise<void> {
  if (ctx.actor === 'system') {
    if (!isObjectIdHex(providerId) || !(await ProviderModel.exists({ _id: providerId }))) throw new DomainError('NOT_FOUND');
    return;
  }
  await findInScope<ProviderDoc>(ProviderModel, providerId, providerScope, ctx.actor);
}

export async function addCaregiver(ctx: WriteContext, keys: PiiKeys, providerId: string, input: CreateCaregiverInput): Promise<CaregiverView> {
  await providerInScope(ctx, providerId);
  await assertServiceTypesExist(input.skills, 'skills', ctx.lang);
  const created = await refusingDuplicates(ctx.lang, 'phone', () => CaregiverModel.create({
    providerId,
    name: input.name,
    ...phoneFields(keys, input.phone),
    skills: input.skills,
    certificateNo: input.certificateNo ?? null,
  }));
  const caregiver = toCaregiverView(created.toObject());
  await recordAudit({ actor: ctx.actor, action: 'caregiver.create', entityType: 'caregiver', entityId: caregiver.id, after: auditSummary(caregiver), requestId: ctx.requestId });
  return caregiver;
}

export async function updateCaregiver(ctx: WriteContext, keys: PiiKeys, ids: { providerId: string; caregiverId: string }, patch: UpdateCaregiverInput): Promise<CaregiverView> {
  await providerInScope(ctx, ids.providerId);
  const existing = await CaregiverModel.findOne({ _id: ids.caregiverId, providerId: ids.providerId }).lean();
  if (!existing) throw new DomainError('NOT_FOUND');
  if (patch.skills) await assertServiceTypesExist(patch.skills, 'skills', ctx.lang);
  const { phone, ...rest } = patch;
  const changes = { ...rest, ...(phone ? phoneFields(keys, phone) : {}) };
  const updated = await refusingDuplicates(ctx.lang, 'phone', () =>
    CaregiverModel.findOneAndUpdate({ _id: ids.caregiverId, providerId: ids.providerId }, { $set: changes }, { returnDocument: 'after' }).lean());
  if (!updated) throw new DomainError('NOT_FOUND');
  const after = toCaregiverView(updated);
  await recordAudit({
    actor: ctx.actor, action: 'caregiver.update', entityType: 'caregiver', entityId: after.id,
    before: auditSummary(toCaregiverView(existing)), after: { ...auditSummary(after), ...(phone ? { phoneChanged: true } : {}) }, requestId: ctx.requestId,
  });
  return after;
}

export async function listCaregivers(actor: Actor, providerId: string, filter: { status?: CaregiverView['status']; page: number; pageSize: number }): Promise<Page<CaregiverView>> {
  await findInScope<ProviderDoc>(ProviderModel, providerId, providerScope, actor);
  const query = withinScope(caregiverScope, actor, { providerId, ...(filter.status ? { status: filter.status } : {}) });
  return findPage(CaregiverModel, query, { name: 1, _id: 1 }, filter, toCaregiverView);
}

export async function getCaregiverInScope(actor: Actor, ids: { providerId: string; caregiverId: string }): Promise<CaregiverView> {
  const caregiver = await CaregiverModel.findOne(withinScope(caregiverScope, actor, { _id: ids.caregiverId, providerId: ids.providerId })).lean();
  if (!caregiver) throw new DomainError('NOT_FOUND');
  return toCaregiverView(caregiver);
}

/**
 * The caregiver when they work for this provider; otherwise a 400 naming `path` (assigning another
 * provider's caregiver is a bad request, not a missing one).
 */
export async function assertCaregiverOfProvider(caregiverId: string, providerId: string, path = 'caregiverId', lang: Language = 'zh'): Promise<CaregiverView> {
  const caregiver = isObjectIdHex(caregiverId) ? await CaregiverModel.findOne({ _id: caregiverId, providerId }).lean() : null;
  if (!caregiver) throw invalidField(lang, path, { zh: '该护理员不属于此服务商', en: 'This caregiver does not work for this provider' });
  return toCaregiverView(caregiver);
}

/** The caregiver, unscoped, for other capabilities; null when there is none. */
export async function getCaregiver(id: string): Promise<CaregiverView | null> {
  const caregiver = isObjectIdHex(id) ? await CaregiverModel.findById(id).lean() : null;
  return caregiver ? toCaregiverView(caregiver) : null;
}

/**
 * The provider's caregivers whose phones hash (hmacPii) to these, by that hash, in one read: an
 * uploaded visit names its caregiver by phone, the one thing both systems know of her.
 */
export async function caregiversByPhoneHash(providerId: string, phoneHashes: string[]): Promise<Map<string, CaregiverView>> {
  if (phoneHashes.length === 0) return new Map();
  const caregivers = await CaregiverModel.find({ providerId, phoneHash: { $in: [...new Set(phoneHashes)] } }).lean();
  return new Map(caregivers.map((caregiver) => [caregiver.phoneHash, toCaregiverView(caregiver)]));
}

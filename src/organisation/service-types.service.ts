import { recordAudit } from '../audit/index.ts';
import { DomainError } from '../shared/errors.ts';
import { findPage, type Page } from '../shared/http/pagination.ts';
import type { Language } from '../shared/i18n.ts';
import type { Actor } from '../shared/roles.ts';
import { withinScope, type ScopeRules } from '../shared/scope.ts';
import { refusingDuplicates, type WriteContext } from './organisation.context.ts';
import type { CreateServiceTypeInput, UpdateServiceTypeInput } from './service-types.schemas.ts';
import { ServiceTypeModel, type ServiceTypeDoc } from './service-types.model.ts';

export interface ServiceTypeView {
  id: string;
  code: string;
  name: string;
  unit: 'visit' | 'hour' | 'meal';
  minutesPerUnit: number;
  emergency: boolean;
  onSite: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** The catalogue is the same for everybody. */
export const serviceTypeScope: ScopeRules = {
  admin: 'all', auditor: 'all', finance_officer: 'all', street_officer: 'all',
  community_staff: 'all', provider_admin: 'all', caregiver: 'all',
};

export function toServiceTypeView(type: ServiceTypeDoc): ServiceTypeView {
  return {
    id: String(type._id),
    code: type.code,
    name: type.name,
    unit: type.unit,
    minutesPerUnit: type.minutesPerUnit,
    emergency: type.emergency,
    onSite: type.onSite,
    createdAt: type.createdAt,
    updatedAt: type.updatedAt,
  };
}

export async function createServiceType(ctx: WriteContext, input: CreateServiceTypeInput): Promise<ServiceTypeView> {
  const created = await refusingDuplicates(ctx.lang, 'code', () => ServiceTypeModel.create(input));
  const type = toServiceTypeView(created.toObject());
  const { id: _id, createdAt: _c, updatedAt: _u, ...summary } = type;
  await recordAudit({ actor: ctx.actor, action: 'service_type.create', entityType: 'service_type', entityId: type.code, after: summary, requestId: ctx.requestId });
  return type;
}

/**
 * Changes a catalogue entry by its code. Orders keep the price and minutes they were made with,
 * so a change applies to what is ordered from now on.
 */
export async function updateServiceType(ctx: WriteContext, code: string, patch: UpdateServiceTypeInput): Promise<ServiceTypeView> {
  const before = await ServiceTypeModel.findOne({ code }).lean();
  if (!before) throw new DomainError('NOT_FOUND');
  const updated = await ServiceTypeModel.findOneAndUpdate({ code }, { $set: patch }, { returnDocument: 'after' }).lean();
  if (!updated) throw new DomainError('NOT_FOUND');
  const changed = Object.keys(patch) as (keyof UpdateServiceTypeInput)[];
  const pick = (type: ServiceTypeDoc) => Object.fromEntries(changed.map((field) => [field, type[field]]));
  await recordAudit({ actor: ctx.actor, action: 'service_type.update', entityType: 'service_type', entityId: code, before: pick(before), after: pick(updated), requestId: ctx.requestId });
  return toServiceTypeView(updated);
}

export async function listServiceTypesPage(actor: Actor, filter: { page: number; pageSize: number }): Promise<Page<ServiceTypeView>> {
  const query = withinScope(serviceTypeScope, actor);
  return findPage(ServiceTypeModel, query, { code: 1 }, filter, toServiceTypeView);
}

export async function getServiceTypeInScope(actor: Actor, code: string): Promise<ServiceTypeView> {
  const type = await ServiceTypeModel.findOne(withinScope(serviceTypeScope, actor, { code })).lean();
  if (!type) throw new DomainError('NOT_FOUND');
  return toServiceTypeView(type);
}

/** The catalogue entry, for other capabilities; null when the code is unknown. */
export async function getServiceType(code: string): Promise<ServiceTypeView | null> {
  const type = await ServiceTypeModel.findOne({ code }).lean();
  return type ? toServiceTypeView(type) : null;
}

/** The whole catalogue by code (a few dozen entries at most). */
export async function listServiceTypes(): Promise<ServiceTypeView[]> {
  return (await ServiceTypeModel.find({}).sort({ code: 1 }).lean()).map(toServiceTypeView);
}

/** Every code must be in the catalogue; otherwise a 400 naming each unknown one as `<path>.<index>[.<suffix>]`. */
export async function assertServiceTypesExist(codes: readonly string[], path: string, lang: Language, suffix = ''): Promise<void> {
  const known = new Set(codes.length > 0 ? (await ServiceTypeModel.find({ code: { $in: [...new Set(codes)] } }).lean()).map((type) => type.code) : []);
  const details = codes
    .map((code, index) => ({ code, index }))
    .filter(({ code }) => !known.has(code))
    .map(({ index }) => ({ path: `${path}.${index}${suffix}`, message: lang === 'zh' ? '服务项目不存在' : 'No such service type' }));
  if (details.length > 0) throw new DomainError('VALIDATION_FAILED', details);
}

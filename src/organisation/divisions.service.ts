import { recordAudit } from '../audit/index.ts';
import { DomainError } from '../shared/errors.ts';
import { findPage, type Page } from '../shared/http/pagination.ts';
import type { Language } from '../shared/i18n.ts';
import type { Actor } from '../shared/roles.ts';
import { scopeBy, findInScope, withinScope, type ScopeRules } from '../shared/scope.ts';
import type { CreateCommunityInput, CreateStreetInput } from './divisions.schemas.ts';
import { CommunityModel, StreetModel, type CommunityDoc, type StreetDoc } from './divisions.model.ts';
import { invalidField, isObjectIdHex, refusingDuplicates, type WriteContext } from './organisation.context.ts';

export interface StreetView { id: string; name: string; code: string; createdAt: Date; updatedAt: Date }
export interface CommunityView { id: string; name: string; code: string; streetId: string; location: { lng: number; lat: number }; createdAt: Date; updatedAt: Date }

/** Streets are public knowledge inside the system: every signed-in user sees all of them. */
export const streetScope: ScopeRules = {
  admin: 'all', auditor: 'all', finance_officer: 'all', street_officer: 'all',
  community_staff: 'all', provider_admin: 'all', caregiver: 'all',
};

/** A street officer sees the communities of their street, community staff their own communities. */
export const communityScope: ScopeRules = {
  admin: 'all', auditor: 'all', finance_officer: 'all', provider_admin: 'all', caregiver: 'all',
  street_officer: scopeBy.streetField('streetId'),
  community_staff: (actor) => ({ _id: { $in: actor.communityIds.filter(isObjectIdHex) } }),
};

export function toStreetView(street: StreetDoc): StreetView {
  return { id: String(street._id), name: street.name, code: street.code, createdAt: street.createdAt, updatedAt: street.updatedAt };
}

export function toCommunityView(community: CommunityDoc): CommunityView {
  return {
    id: String(community._id),
    name: community.name,
    code: community.code,
    streetId: community.streetId,
    location: { lng: community.location.lng, lat: community.location.lat },
    createdAt: community.createdAt,
    updatedAt: community.updatedAt,
  };
}

export async function createStreet(ctx: WriteContext, input: CreateStreetInput): Promise<StreetView> {
  const created = await refusingDuplicates(ctx.lang, 'code', () => StreetModel.create(input));
  const street = toStreetView(created.toObject());
  await recordAudit({ actor: ctx.actor, action: 'street.create', entityType: 'street', entityId: street.id, after: { name: street.name, code: street.code }, requestId: ctx.requestId });
  return street;
}

export async function listStreets(actor: Actor, filter: { page: number; pageSize: number }): Promise<Page<StreetView>> {
  const query = withinScope(streetScope, actor);
  return findPage(StreetModel, query, { code: 1 }, filter, toStreetView);
}

export async function getStreetInScope(actor: Actor, id: string): Promise<StreetView> {
  return toStreetView(await findInScope<StreetDoc>(StreetModel, id, streetScope, actor));
}

/** The street with this id, or a 400 naming `path` (an unknown reference is a bad request). */
export async function assertStreetExists(id: string, path = 'streetId', lang: Language = 'zh'): Promise<StreetView> {
  const street = isObjectIdHex(id) ? await StreetModel.findById(id).lean() : null;
  if (!street) throw invalidField(lang, path, { zh: '街道不存在', en: 'No such street' });
  return toStreetView(street);
}

export async function createCommunity(ctx: WriteContext, input: CreateCommunityInput): Promise<CommunityView> {
  const street = await assertStreetExists(input.streetId, 'streetId', ctx.lang);
  // The statutory 12-digit code nests in the street's 9-digit one; a mismatch is a typo or the wrong street.
  if (!input.code.startsWith(street.code)) {
    throw invalidField(ctx.lang, 'code', { zh: `社区编码的前 9 位须为所属街道编码 ${street.code}`, en: `The first 9 digits must be the street's code ${street.code}` });
  }
  const created = await refusingDuplicates(ctx.lang, 'code', () => CommunityModel.create(input));
  const community = toCommunityView(created.toObject());
  await recordAudit({
    actor: ctx.actor, action: 'community.create', entityType: 'community', entityId: community.id,
    after: { name: community.name, code: community.code, streetId: community.streetId, location: community.location }, requestId: ctx.requestId,
  });
  return community;
}

export async function listCommunities(actor: Actor, filter: { streetId?: string; page: number; pageSize: number }): Promise<Page<CommunityView>> {
  const query = withinScope(communityScope, actor, filter.streetId ? { streetId: filter.streetId } : {});
  return findPage(CommunityModel, query, { code: 1 }, filter, toCommunityView);
}

export async function getCommunityInScope(actor: Actor, id: string): Promise<CommunityView> {
  return toCommunityView(await findInScope<CommunityDoc>(CommunityModel, id, communityScope, actor));
}

/** The community, unscoped, for other capabilities; null when there is none. */
export async function getCommunity(id: string): Promise<CommunityView | null> {
  const community = isObjectIdHex(id) ? await CommunityModel.findById(id).lean() : null;
  return community ? toCommunityView(community) : null;
}

/**
 * Every community in code order, unscoped, for district-wide jobs (the monthly letters): a
 * district has tens to a few hundred, so one read of the small documents.
 */
export async function allCommunities(): Promise<CommunityView[]> {
  return (await CommunityModel.find({}).sort({ code: 1 }).lean()).map(toCommunityView);
}

/** The community with this 12-digit division code, unscoped; null when there is none. */
export async function findCommunityByCode(code: string): Promise<CommunityView | null> {
  const community = /^\d{12}$/.test(code) ? await CommunityModel.findOne({ code }).lean() : null;
  return community ? toCommunityView(community) : null;
}

/**
 * All the communities, in the order given, or a 400 naming every unknown one as
 * `<path>.<index>` (e.g. communityIds.2).
 */
export async function assertCommunitiesExist(ids: readonly string[], path = 'communityIds', lang: Language = 'zh'): Promise<CommunityView[]> {
  const valid = ids.filter(isObjectIdHex);
  const found = valid.length > 0 ? await CommunityModel.find({ _id: { $in: valid } }).lean() : [];
  const byId = new Map(found.map((community) => [String(community._id), toCommunityView(community)]));
  const missing = ids.map((id, index) => ({ id, index })).filter(({ id }) => !byId.has(id));
  if (missing.length > 0) {
    throw new DomainError('VALIDATION_FAILED', missing.map(({ index }) => ({ path: `${path}.${index}`, message: lang === 'zh' ? '社区不存在' : 'No such community' })));
  }
  return ids.map((id) => byId.get(id) as CommunityView);
}

import { recordAudit } from '../audit/index.ts';
import { DomainError } from '../shared/errors.ts';
import { findPage, type Page } from '../shared/http/pagination.ts';
import type { Actor } from '../shared/roles.ts';
import { findInScope, scopeBy, withinScope, type ScopeRules } from '../shared/scope.ts';
import { SYSTEM_ACTOR_ID } from '../shared/roles.ts';
import { withContractLock } from './contract-lock.ts';
import type { CreateContractInput } from './contracts.schemas.ts';
import { ContractModel, type ContractDoc } from './contracts.model.ts';
import { assertCommunitiesExist } from './divisions.service.ts';
import { type WriteContext } from './organisation.context.ts';
import { assertProviderExists } from './providers.service.ts';
import { assertServiceTypesExist } from './service-types.service.ts';

export interface ContractView {
  id: string;
  providerId: string;
  validFrom: string;
  validTo: string;
  communityIds: string[];
  prices: { serviceTypeCode: string; unitPriceFen: number }[];
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}


/** Provider staff see their own provider's contracts; admin, auditor and finance see all. */
export const contractScope: ScopeRules = {
  admin: 'all', auditor: 'all', finance_officer: 'all',
  provider_admin: scopeBy.providerField('providerId'),
};

export function toContractView(contract: ContractDoc): ContractView {
  return {
    id: String(contract._id),
    providerId: contract.providerId,
    validFrom: contract.validFrom,
    validTo: contract.validTo,
    communityIds: [...contract.communityIds],
    prices: contract.prices.map((price) => ({ serviceTypeCode: price.serviceTypeCode, unitPriceFen: price.unitPriceFen })),
    createdBy: contract.createdBy,
    createdAt: contract.createdAt,
    updatedAt: contract.updatedAt,
  };
}

/**
 * Creates a contract after checking its references, then, under the provider's contract lock,
 * that no other contract of the provider overlaps it: shared days (inclusive at both ends), a
 * shared community and a shared service type would make the price of a visit ambiguous (409).
 */
export async function createContract(ctx: WriteContext, input: CreateContractInput): Promise<ContractView> {
  const provider = await assertProviderExists(input.providerId, 'providerId', ctx.lang);
  await assertCommunitiesExist(input.communityIds, 'communityIds', ctx.lang);
  const uncovered = input.communityIds.map((id, index) => ({ id, index })).filter(({ id }) => !provider.communityIds.includes(id));
  if (uncovered.length > 0) {
    const message = ctx.lang === 'zh' ? '该服务商不服务此社区' : 'The provider does not cover this community';
    throw new DomainError('VALIDATION_FAILED', uncovered.map(({ index }) => ({ path: `communityIds.${index}`, message })));
  }
  const codes = input.prices.map((price) => price.serviceTypeCode);
  await assertServiceTypesExist(codes, 'prices', ctx.lang, '.serviceTypeCode');

  const created = await withContractLock(input.providerId, async () => {
    const conflicting = await ContractModel.findOne({
      providerId: input.providerId,
      validFrom: { $lte: input.validTo },
      validTo: { $gte: input.validFrom },
      communityIds: { $in: input.communityIds },
      serviceTypeCodes: { $in: codes },
    }).lean();
    if (conflicting) {
      throw new DomainError(
        'DUPLICATE',
        [{ path: '', message: ctx.lang === 'zh' ? '与该服务商已有合同的期间、社区和服务项目重叠' : 'Overlaps an existing contract of this provider in days, communities and service types' }],
        undefined,
        { conflictingContractId: String(conflicting._id) },
      );
    }
    return ContractModel.create({ ...input, serviceTypeCodes: codes, createdBy: ctx.actor === 'system' ? SYSTEM_ACTOR_ID : ctx.actor.id });
  });
  const contract = toContractView(created.toObject());
  const { id: _id, createdAt: _c, updatedAt: _u, ...summary } = contract;
  await recordAudit({ actor: ctx.actor, action: 'contract.create', entityType: 'contract', entityId: contract.id, after: summary, requestId: ctx.requestId });
  return contract;
}

export async function listContracts(actor: Actor, filter: { providerId?: string; page: number; pageSize: number }): Promise<Page<ContractView>> {
  const query = withinScope(contractScope, actor, filter.providerId ? { providerId: filter.providerId } : {});
  return findPage(ContractModel, query, { validFrom: -1, _id: 1 }, filter, toContractView);
}

export async function getContractInScope(actor: Actor, id: string): Promise<ContractView> {
  return toContractView(await findInScope<ContractDoc>(ContractModel, id, contractScope, actor));
}

export interface ContractQuestion {
  providerId: string;
  serviceTypeCode: string;
  communityId: string;
  /** 'YYYY-MM-DD', Asia/Shanghai. */
  day: string;
}

/**
 * The contract under which this provider may deliver this service in this community on this day,
 * with its unit price; null when there is none. Overlaps are refused at creation, so there is at
 * most one. The provider's own status (active or suspended) is the caller's to check.
 */
export async function findValidContract(question: ContractQuestion): Promise<{ contract: ContractView; unitPriceFen: number } | null> {
  return validContractAmong(await contractsCovering([question.providerId], question), question);
}

/** The contracts of these providers that cover the service, community and day: one read for many providers (dispatch). */
export async function contractsCovering(providerIds: readonly string[], question: Omit<ContractQuestion, 'providerId'>): Promise<ContractView[]> {
  const found = await ContractModel.find({
    providerId: { $in: providerIds },
    communityIds: question.communityId,
    serviceTypeCodes: question.serviceTypeCode,
    validFrom: { $lte: question.day },
    validTo: { $gte: question.day },
  }).lean();
  return found.map(toContractView);
}

/** All contracts of one provider, for callers that check many visits of it (settlement). */
export async function contractsOfProvider(providerId: string): Promise<ContractView[]> {
  return (await ContractModel.find({ providerId }).sort({ validFrom: 1 }).lean()).map(toContractView);
}

/** findValidContract's rule over contracts already read: the one covering the question, with its price. */
export function validContractAmong(contracts: readonly ContractView[], question: ContractQuestion): { contract: ContractView; unitPriceFen: number } | null {
  for (const contract of contracts) {
    if (contract.providerId !== question.providerId || contract.validFrom > question.day || contract.validTo < question.day) continue;
    if (!contract.communityIds.includes(question.communityId)) continue;
    const price = contract.prices.find((p) => p.serviceTypeCode === question.serviceTypeCode);
    if (price) return { contract, unitPriceFen: price.unitPriceFen };
  }
  return null;
}

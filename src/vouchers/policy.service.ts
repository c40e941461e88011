import { recordAudit } from '../audit/index.ts';
import { DomainError } from '../shared/errors.ts';
import { findPage, type Page } from '../shared/http/pagination.ts';
import type { Language } from '../shared/i18n.ts';
import { isDuplicateKeyError } from '../shared/mongo-errors.ts';
import type { Actor } from '../shared/roles.ts';
import { latestIssuedMonth } from './issued-months.ts';
import { VoucherPolicyModel, type VoucherCategory, type VoucherPolicyDoc } from './policy.model.ts';
import type { ExpiryRule } from './expiry-cutoff.ts';
import type { CreateVoucherPolicyInput } from './policy.schemas.ts';

export interface VoucherPolicy {
  /** The effectiveFrom month, which is also the policy's key. */
  id: string;
  name: string;
  effectiveFrom: string;
  combine: 'max' | 'sum';
  categories: { category: VoucherCategory; monthlyAmountFen: number; subsidyRatePct: number }[];
  /** Indexed by care level 0-5. */
  careLevelSupplementFen: number[];
  defaultSubsidyRatePct: number;
  fundingSplit: { cityPct: number; districtPct: number };
  expiry: ExpiryRule;
  caps: PolicyCaps;
  createdBy: string;
  createdAt: Date;
}

/** A senior's monthly subsidy cap and per-service limits; absent fields set no limit. */
export interface PolicyCaps {
  monthlyFen?: number;
  perService: { serviceTypeCode: string; maxSubsidySharePct?: number; monthlyVisits?: number }[];
}

export interface PolicyWriteContext {
  actor: Actor;
  requestId: string | null;
  lang: Language;
}

export function toVoucherPolicy(doc: VoucherPolicyDoc): VoucherPolicy {
  return {
    id: doc._id,
    name: doc.name,
    effectiveFrom: doc._id,
    combine: doc.combine,
    categories: doc.categories.map((entry) => ({ category: entry.category, monthlyAmountFen: entry.monthlyAmountFen, subsidyRatePct: entry.subsidyRatePct })),
    careLevelSupplementFen: [...doc.careLevelSupplementFen] as number[],
    defaultSubsidyRatePct: doc.defaultSubsidyRatePct,
    fundingSplit: { cityPct: doc.fundingSplit.cityPct, districtPct: doc.fundingSplit.districtPct },
    expiry: toExpiryRule(doc.expiry),
    caps: toCaps(doc.caps),
    createdBy: doc.createdBy,
    createdAt: doc.createdAt,
  };
}

function toCaps(caps: VoucherPolicyDoc['caps'] | undefined | null): PolicyCaps {
  const present = <K extends string>(key: K, value: number | null | undefined) => (typeof value === 'number' ? { [key]: value } as Record<K, number> : {});
  return {
    ...present('monthlyFen', caps?.monthlyFen),
    perService: (caps?.perService ?? []).map((entry) => ({
      serviceTypeCode: entry.serviceTypeCode, ...present('maxSubsidySharePct', entry.maxSubsidySharePct), ...present('monthlyVisits', entry.monthlyVisits),
    })),
  };
}

function toExpiryRule(expiry: VoucherPolicyDoc['expiry']): ExpiryRule {
  const { mode, rolloverMonths, lapsesOn, lapsesAfterYears } = expiry;
  if (mode === 'rollover' && typeof rolloverMonths === 'number') return { mode, rolloverMonths };
  if (mode === 'anchor_date') return { mode, lapsesOn: lapsesOn ?? '12-31', lapsesAfterYears: lapsesAfterYears ?? 0 };
  return { mode };
}

/**
 * Adds the policy that applies from `effectiveFrom` on. Vouchers already issued were computed
 * under the policy then in force, so a policy may only start after the latest issued month: it
 * never rewrites a month that has money in accounts. (Without transactions, an issuance starting
 * between the check and the insert could still read the new policy; the window is the few
 * milliseconds of this call, and issuance runs on the 1st or on an approval.)
 */
export async function createVoucherPolicy(ctx: PolicyWriteContext, input: CreateVoucherPolicyInput): Promise<VoucherPolicy> {
  const latest = await latestIssuedMonth();
  if (latest !== null && input.effectiveFrom <= latest) throw alreadyIssued(ctx.lang, latest);
  const { effectiveFrom, ...fields } = input;
  let created;
  try {
    created = await VoucherPolicyModel.create({ _id: effectiveFrom, ...fields, createdBy: ctx.actor.id });
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const message = ctx.lang === 'zh' ? `${effectiveFrom} 已有生效的政策` : `A policy already starts in ${effectiveFrom}`;
    throw new DomainError('DUPLICATE', [{ path: 'effectiveFrom', message }]);
  }
  const policy = toVoucherPolicy(created.toObject() as VoucherPolicyDoc);
  const { id: _id, createdAt: _c, createdBy: _b, ...summary } = policy;
  await recordAudit({ actor: ctx.actor, action: 'voucher_policy.create', entityType: 'voucher_policy', entityId: policy.id, after: summary, requestId: ctx.requestId });
  return policy;
}

function alreadyIssued(lang: Language, latest: string): DomainError {
  const message = {
    zh: `${latest} 的服务券已经发放，新政策须从之后的月份开始`,
    en: `vouchers were already issued for ${latest}; a new policy must start later`,
  };
  return new DomainError('DUPLICATE', [{ path: 'effectiveFrom', message: message[lang] }], message, { latestIssuedMonth: latest });
}

/** Every policy, newest first. */
export async function listVoucherPolicies(paging: { page: number; pageSize: number }): Promise<Page<VoucherPolicy>> {
  return findPage(VoucherPolicyModel, {}, { _id: -1 }, paging, toVoucherPolicy);
}

/** The policy for month M (PRODUCT.md §6): the newest whose effectiveFrom ≤ M; null before the first. */
export async function policyForMonth(month: string): Promise<VoucherPolicy | null> {
  const doc = await VoucherPolicyModel.findOne({ _id: { $lte: month } }).sort({ _id: -1 }).lean<VoucherPolicyDoc>();
  return doc ? toVoucherPolicy(doc) : null;
}

/** Like policyForMonth, for the API: 404 when no policy covers the month. */
export async function getEffectivePolicy(month: string): Promise<VoucherPolicy> {
  const policy = await policyForMonth(month);
  if (!policy) throw new DomainError('NOT_FOUND');
  return policy;
}

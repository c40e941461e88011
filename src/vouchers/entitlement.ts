import { ADVANCED_AGE, ASSESSMENT_VALID_MONTHS, ageOn } from '../seniors/index.ts';
import { addMonthsToDay } from '../shared/time.ts';
import type { VoucherPolicy } from './policy.service.ts';

/** What a senior's monthly voucher depends on, as recorded on the senior. */
export interface EntitlementBasis {
  /** The categories a community worker entered; `advanced_age` is derived here, not read. */
  categories: readonly string[];
  birthDate: string;
  careLevel: number;
  assessedAt: string;
}

export interface Entitlement {
  amountFen: number;
  subsidyRatePct: number;
  /** The senior's categories the policy lists, in the policy's order; `advanced_age` included when it applies. */
  categories: string[];
  supplementFen: number;
}

/**
 * A senior's voucher for `month` under `policy` (PRODUCT.md §6). Everything is judged on the 1st
 * of the month, the issuance day: someone turning 80 mid-month counts as advanced age from the
 * next month, and the care-level supplement is paid for every month whose 1st falls within the
 * assessment's 12-month validity (it stops the month after the assessment lapses). Categories
 * the policy does not list contribute nothing; with none listed the amount is the supplement
 * alone and the subsidy rate is the policy's default.
 */
export function computeEntitlement(policy: VoucherPolicy, basis: EntitlementBasis, month: string): Entitlement {
  const firstDay = `${month}-01`;
  const held = new Set(basis.categories);
  if (ageOn(basis.birthDate, firstDay) >= ADVANCED_AGE) held.add('advanced_age');
  const counted = policy.categories.filter((entry) => held.has(entry.category));
  const amounts = counted.map((entry) => entry.monthlyAmountFen);
  const categoryFen = policy.combine === 'sum' ? amounts.reduce((total, amount) => total + amount, 0) : Math.max(0, ...amounts);
  const isAssessmentValid = addMonthsToDay(basis.assessedAt, ASSESSMENT_VALID_MONTHS) >= firstDay;
  const supplementFen = isAssessmentValid ? (policy.careLevelSupplementFen[basis.careLevel] ?? 0) : 0;
  const amountFen = categoryFen + supplementFen;
  if (!Number.isSafeInteger(amountFen)) throw new RangeError(`entitlement of ${amountFen} fen is not a safe integer`);
  return {
    amountFen,
    subsidyRatePct: counted.length > 0 ? Math.max(...counted.map((entry) => entry.subsidyRatePct)) : policy.defaultSubsidyRatePct,
    categories: counted.map((entry) => entry.category),
    supplementFen,
  };
}

/**
 * The part of a service's price vouchers pay: ⌊price × rate / 100⌋ in integer arithmetic. The
 * subsidy is rounded down, in the budget's favour, and the senior's self-pay is the remaining fen
 * (price − subsidy), so the two always add up to the price.
 */
export function subsidyFor(priceFen: number, ratePct: number): number {
  if (!Number.isSafeInteger(priceFen) || priceFen < 0) throw new RangeError(`price must be a non-negative integer of fen, got ${priceFen}`);
  if (!Number.isInteger(ratePct) || ratePct < 0 || ratePct > 100) throw new RangeError(`rate must be an integer percent 0-100, got ${ratePct}`);
  return Number((BigInt(priceFen) * BigInt(ratePct)) / 100n);
}

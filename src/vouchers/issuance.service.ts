import { seniorForIssuance, seniorsForIssuance, type SeniorForIssuance } from '../seniors/index.ts';
import { DomainError } from '../shared/errors.ts';
import { addMonths } from '../shared/time.ts';
import { openAccount } from './account.service.ts';
import { computeEntitlement } from './entitlement.ts';
import { expireThrough } from './expiry.ts';
import { IssuedMonthModel, markMonthIssued } from './issued-months.ts';
import { applyMovement } from './ledger.ts';
import { policyForMonth, type VoucherPolicy } from './policy.service.ts';

export interface IssuanceResult {
  month: string;
  /** Seniors credited by this run. */
  issued: number;
  /** Seniors already credited for the month (an earlier run, or at approval): nothing new. */
  skipped: number;
  /** All credits of the month, whichever run made them: the same figure on every re-run. */
  totalFen: number;
  /** Seniors whose categories and care level earn nothing under the month's policy. */
  zeroAmount: number;
  expiredFen: number;
}

/**
 * Issues month M (PRODUCT.md §6) to every senior active or suspended when it runs, streaming over
 * the registry. For each senior it first lapses what the previous month's policy lets expire
 * (so expiry always precedes the new credit), then credits `issue:<senior>:<M>` — a key that makes
 * a re-run, or a run after a mid-month approval credit, change nothing.
 */
export async function issueMonth(month: string, by: string, signal?: AbortSignal): Promise<IssuanceResult> {
  const policy = await requirePolicy(month);
  const previousPolicy = await policyForMonth(addMonths(month, -1));
  await markMonthIssued(month);
  const result: IssuanceResult = { month, issued: 0, skipped: 0, totalFen: 0, zeroAmount: 0, expiredFen: 0 };
  for await (const senior of seniorsForIssuance(month)) {
    if (signal?.aborted) break;
    const outcome = await creditSenior(senior, month, policy, previousPolicy, by);
    result.expiredFen += outcome.expiredFen;
    if (outcome.amountFen === 0) result.zeroAmount += 1;
    else if (outcome.isNew) result.issued += 1;
    else result.skipped += 1;
    result.totalFen += outcome.amountFen;
  }
  if (!signal?.aborted) {
    await IssuedMonthModel.updateOne({ _id: month }, { $set: { completedAt: new Date(), issued: result.issued, skipped: result.skipped, totalFen: result.totalFen } });
  }
  return result;
}

/** The month's credit for one senior approved mid-month (the approval hook); idempotent. */
export async function creditOnApproval(seniorId: string, month: string, by: string): Promise<number> {
  const policy = await policyForMonth(month);
  const senior = await seniorForIssuance(seniorId, month);
  if (!policy || !senior) return 0;
  await markMonthIssued(month);
  return (await creditSenior(senior, month, policy, null, by)).amountFen;
}

async function creditSenior(senior: SeniorForIssuance, month: string, policy: VoucherPolicy, previousPolicy: VoucherPolicy | null, by: string) {
  await openAccount(senior.seniorId, senior.communityId);
  let expiredFen = 0;
  if (previousPolicy) {
    const cutoffMonth = expiryCutoff(previousPolicy, month);
    const expired = await expireThrough({ seniorId: senior.seniorId, cutoffMonth, key: `expire:${senior.seniorId}:${cutoffMonth}`, month: cutoffMonth, by, reason: previousPolicy.expiry.mode });
    if (expired?.isNew) expiredFen = -expired.entry.balanceDeltaFen;
  }
  const { amountFen } = computeEntitlement(policy, { ...senior.basis, birthDate: senior.birthDate }, month);
  if (amountFen === 0) return { amountFen, isNew: false, expiredFen };
  const applied = await applyMovement({
    key: `issue:${senior.seniorId}:${month}`, seniorId: senior.seniorId, type: 'issue', balanceDeltaFen: amountFen, heldDeltaFen: 0,
    month, createdBy: by, creditMonth: month,
  });
  return { amountFen: applied.entry.balanceDeltaFen, isNew: applied.isNew, expiredFen };
}

/**
 * The last month whose credits lapse at the start of `month`: the month before with
 * end_of_month; with rollover for N months, credits older than N months.
 */
export function expiryCutoff(policy: VoucherPolicy, month: string): string {
  const keepMonths = policy.expiry.mode === 'rollover' ? policy.expiry.rolloverMonths ?? 0 : 0;
  return addMonths(month, -1 - keepMonths);
}

async function requirePolicy(month: string): Promise<VoucherPolicy> {
  const policy = await policyForMonth(month);
  if (!policy) throw new DomainError('RULE_VIOLATION', [{ path: 'month', message: `no voucher policy is in effect for ${month}` }]);
  return policy;
}

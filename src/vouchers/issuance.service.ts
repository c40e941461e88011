import { seniorForIssuance, seniorsForIssuance, type SeniorForIssuance } from '../seniors/index.ts';
import { DomainError } from '../shared/errors.ts';
import { addMonths } from '../shared/time.ts';
import { openAccount } from './account.service.ts';
import { computeEntitlement } from './entitlement.ts';
import { expiryCutoff } from './expiry-cutoff.ts';
import { expirableFen, expireThrough } from './expiry.ts';

export { expiryCutoff };
import { IssuedMonthModel, markMonthIssued } from './issued-months.ts';
import { applyMovement, applyMovementBatch, clearParked, type BatchMovement, type Movement } from './ledger.ts';
import { AccountModel, EntryModel, type AccountDoc } from './ledger.model.ts';
import { insertDocs } from '../shared/insert-docs.ts';
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
  let batch: SeniorForIssuance[] = [];
  const credit = async () => {
    for (const outcome of await creditBatch(batch, month, policy, previousPolicy, by)) {
      result.expiredFen += outcome.expiredFen;
      if (outcome.amountFen === 0) result.zeroAmount += 1;
      else if (outcome.isNew) result.issued += 1;
      else result.skipped += 1;
      result.totalFen += outcome.amountFen;
    }
    batch = [];
  };
  for await (const senior of seniorsForIssuance(month)) {
    if (signal?.aborted) break;
    batch.push(senior);
    if (batch.length >= ISSUANCE_BATCH) await credit();
  }
  if (!signal?.aborted && batch.length > 0) await credit();
  if (!signal?.aborted) {
    await IssuedMonthModel.updateOne({ _id: month }, { $set: { completedAt: new Date(), issued: result.issued, skipped: result.skipped, totalFen: result.totalFen } });
  }
  return result;
}

const ISSUANCE_BATCH = 500;

/**
 * The month for a batch of seniors, with the same outcome as creditSenior one by one, in a few
 * commands: their accounts and the month's entries read by key, missing accounts opened in one
 * insert, then every expiry and every credit through applyMovementBatch (expiry first, as always).
 * Anything unusual about an account — busy, moved meanwhile — goes the one-by-one way.
 */
async function creditBatch(seniors: SeniorForIssuance[], month: string, policy: VoucherPolicy, previousPolicy: VoucherPolicy | null, by: string) {
  const outcomes = new Map(seniors.map((senior) => [senior.seniorId, { amountFen: 0, isNew: false, expiredFen: 0 }]));
  const accounts = await accountsOf(seniors);
  const cutoffMonth = previousPolicy ? expiryCutoff(previousPolicy, month) : null;
  const keys = seniors.flatMap((senior) => [`issue:${senior.seniorId}:${month}`, ...(cutoffMonth ? [`expire:${senior.seniorId}:${cutoffMonth}`] : [])]);
  const existing = new Map((await EntryModel.find({ _id: { $in: keys } }, { balanceDeltaFen: 1 }).lean()).map((entry) => [String(entry._id), entry.balanceDeltaFen]));

  // Expiry entries written and still parked on their account, by senior.
  const parkedExpiries = new Map<string, string>();
  if (cutoffMonth && previousPolicy) {
    const expiries: BatchMovement[] = [];
    for (const senior of seniors) {
      const key = `expire:${senior.seniorId}:${cutoffMonth}`;
      const account = accounts.get(senior.seniorId) as AccountDoc & { _id: string };
      const amountFen = account.pending ? 0 : expirableFen(account, cutoffMonth);
      if (existing.has(key) || (!account.pending && amountFen === 0)) continue;
      const expireInput = { seniorId: senior.seniorId, cutoffMonth, key, month: cutoffMonth, by, reason: previousPolicy.expiry.mode };
      expiries.push({
        account,
        movement: { key, seniorId: senior.seniorId, type: 'expire', balanceDeltaFen: -amountFen, heldDeltaFen: 0, month: cutoffMonth, reason: expireInput.reason, createdBy: by, expect: { balanceFen: account.balanceFen, heldFen: account.heldFen } },
        fallback: () => expireThrough(expireInput),
      });
    }
    // Left parked: the credit below takes each account over from its expiry (one rewrite fewer).
    for (const [seniorId, { applied, account }] of await applyMovementBatch(expiries, { keepParked: true })) {
      if (applied?.isNew) (outcomes.get(seniorId) as { expiredFen: number }).expiredFen = -applied.entry.balanceDeltaFen;
      // After the one-by-one way the account's figures are unknown here: the credit goes that way too.
      accounts.set(seniorId, account ? { ...account, _id: seniorId } : { ...(accounts.get(seniorId) as AccountDoc & { _id: string }), pending: BUSY });
      if (account && applied) parkedExpiries.set(seniorId, applied.entry._id as string);
    }
  }

  const credits: BatchMovement[] = [];
  for (const senior of seniors) {
    const { amountFen } = computeEntitlement(policy, { ...senior.basis, birthDate: senior.birthDate }, month);
    const outcome = outcomes.get(senior.seniorId) as { amountFen: number; isNew: boolean };
    const key = `issue:${senior.seniorId}:${month}`;
    if (amountFen === 0) continue;
    if (existing.has(key)) {
      outcome.amountFen = existing.get(key) as number;
      continue;
    }
    const movement: Movement = { key, seniorId: senior.seniorId, type: 'issue', balanceDeltaFen: amountFen, heldDeltaFen: 0, month, createdBy: by, creditMonth: month };
    credits.push({ account: accounts.get(senior.seniorId) as AccountDoc & { _id: string }, movement, fallback: () => applyMovement(movement) });
  }
  for (const [seniorId, { applied }] of await applyMovementBatch(credits, { written: new Set(parkedExpiries.values()) })) {
    Object.assign(outcomes.get(seniorId) as object, { amountFen: applied?.entry.balanceDeltaFen ?? 0, isNew: applied?.isNew ?? false });
  }
  // An expiry no credit took over (nothing to credit this month) is cleared here.
  const credited = new Set(credits.map((item) => item.movement.seniorId));
  const leftParked = [...parkedExpiries].filter(([seniorId]) => !credited.has(seniorId));
  await clearParked(leftParked.map(([seniorId]) => seniorId), leftParked.map(([, key]) => key));
  return [...outcomes.values()];
}

/** A marker that sends an account the one-by-one way (its figures were not read after a fallback). */
const BUSY = { key: 'unknown' } as unknown as AccountDoc['pending'];

/** The batch's accounts, the missing ones opened (zero) in one insert. */
async function accountsOf(seniors: SeniorForIssuance[]): Promise<Map<string, AccountDoc & { _id: string }>> {
  type Account = AccountDoc & { _id: string };
  const read = await AccountModel.find({ _id: { $in: seniors.map((senior) => senior.seniorId) } }).lean();
  const accounts = new Map<string, Account>(read.map((account) => [String(account._id), { ...account, _id: String(account._id) } as Account]));
  const now = new Date();
  const missing = seniors.filter((senior) => !accounts.has(senior.seniorId)).map((senior) => ({
    _id: senior.seniorId, communityId: senior.communityId, balanceFen: 0, heldFen: 0, availableFen: 0, creditsByMonth: {}, debitedFen: 0, pending: null, createdAt: now, updatedAt: now,
  }));
  const { taken } = await insertDocs(AccountModel.collection, missing);
  for (const account of missing) accounts.set(account._id, account as unknown as Account);
  // Opened meanwhile by someone else (an approval): read as they are.
  for (const account of taken) {
    const stored = await AccountModel.findById(account._id).lean();
    if (stored) accounts.set(account._id, { ...stored, _id: account._id } as Account);
  }
  return accounts;
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

async function requirePolicy(month: string): Promise<VoucherPolicy> {
  const policy = await policyForMonth(month);
  if (!policy) throw new DomainError('RULE_VIOLATION', [{ path: 'month', message: `${month} 没有生效的服务券政策` }]);
  return policy;
}

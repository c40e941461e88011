/*
 * THE VOUCHER LEDGER WITHOUT TRANSACTIONS
 *
 * Money moves as an entry (append-only, `_id` = idempotency key) and as figures on the senior's
 * account (balance, held, available, credits by month, debited). Neither engine gives us one
 * atomic write over both documents, so every movement runs three steps:
 *
 *   1. ACCOUNT: one conditional update moves the figures AND parks the entry on the account as
 *      `pending` — only if nothing else is pending and the guard holds (available ≥ amount for a
 *      hold, held ≥ amount for a release…). This single-document write is the moment money moves.
 *   2. ENTRY: insert the pending entry under its key (a duplicate means it is already there).
 *   3. CLEAR: unset `pending` if it is still this entry.
 *
 * A crash after 1 leaves the account one entry ahead of the entries, with that entry written on
 * the account itself: nothing is lost. Whoever touches the account next — the retried operation,
 * any other operation on that account, or the reconciliation job — finishes steps 2 and 3 first
 * (`completePending`). A crash after 2 leaves only a stale `pending`, finished the same way.
 * Retrying a whole operation is safe: it looks for its entry by key, after reading the account,
 * and returns it; step 1 also requires the account's movement count as read (`seq`), so the same
 * key finished by someone else in between (two requests retrying one operation, the random
 * operations test of 1,000 saw it once) moves the count and is found on the next attempt instead
 * of being applied twice.
 * Concurrency: only one movement per account is in flight (the `pending: null` condition); a
 * contender helps finish the pending one and tries again, so guards are evaluated on committed
 * figures and available never goes below zero.
 * Invariant checked by reconciliation: account figures = Σ entries (+ the pending entry, if any).
 */
import { DomainError } from '../shared/errors.ts';
import { insertDocs } from '../shared/insert-docs.ts';
import { isDuplicateKeyError } from '../shared/mongo-errors.ts';
import { AccountModel, EntryModel, type AccountDoc, type EntryDoc, type EntryType } from './ledger.model.ts';
import { bilingual } from '../shared/i18n.ts';
import { yuanText } from '../shared/money.ts';

export interface Movement {
  key: string;
  seniorId: string;
  type: EntryType;
  balanceDeltaFen: number;
  heldDeltaFen: number;
  month?: string | null;
  orderId?: string | null;
  reason?: string | null;
  createdBy: string;
  /** The month a credit counts in for expiry (issue: its month; refund, adjustment: the current one). */
  creditMonth?: string;
  /**
   * For amounts computed from the account's figures (expiry): apply only if the figures are still
   * these, else StaleAccountError and the caller recomputes.
   */
  expect?: { balanceFen: number; heldFen: number };
}

export class StaleAccountError extends Error {
  constructor() {
    super('the voucher account moved since it was read');
  }
}

export interface Applied {
  entry: EntryDoc;
  /** False when the entry already existed: the retried step changed nothing. */
  isNew: boolean;
}

const MAX_ATTEMPTS = 200;

/** Test seam: lets a test stop the protocol between its steps, as a crash would. */
export const ledgerFaults = {
  afterAccountUpdate: null as null | ((movement: Movement) => void),
  /** Awaited after a movement has read the account and found no entry under its key, before step 1. */
  afterAccountRead: null as null | ((movement: Movement) => void | Promise<void>),
};

export async function applyMovement(movement: Movement): Promise<Applied> {
  assertWholeFen(movement);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const account = await AccountModel.findById(movement.seniorId).lean();
    if (!account) throw new DomainError('NOT_FOUND', [{ path: 'seniorId', message: '该老人没有服务券账户' }]);
    if (account.pending) {
      await completePending(account);
      continue;
    }
    // After the account: an entry written later than this read comes with a later `seq`, which
    // step 1 then refuses.
    const existing = await EntryModel.findById(movement.key).lean();
    if (existing) return { entry: existing, isNew: false };
    await ledgerFaults.afterAccountRead?.(movement);
    const pending = { ...pendingOf(movement), createdAt: new Date() };
    const moved = await AccountModel.findOneAndUpdate({ ...guardOf(movement), seq: account.seq ?? null }, updateOf(movement, pending), { returnDocument: 'after' }).lean();
    if (!moved) {
      const now = await AccountModel.findById(movement.seniorId).lean();
      if (now && !now.pending && movement.expect && (now.balanceFen !== movement.expect.balanceFen || now.heldFen !== movement.expect.heldFen)) throw new StaleAccountError();
      if (now && !now.pending && !guardHolds(movement, now)) throw insufficient(movement, now);
      await pause(attempt);
      continue;
    }
    ledgerFaults.afterAccountUpdate?.(movement);
    return { entry: await completePending(moved), isNew: true };
  }
  throw new Error(`voucher account ${movement.seniorId} stayed busy; retry the operation`);
}

export interface BatchMovement {
  movement: Movement;
  /** The account as read just before (the batch read it in one command). */
  account: AccountDoc & { _id: string };
  /** What to do when the fast path cannot be taken (the account moved or is busy): the one-by-one way. */
  fallback: () => Promise<Applied | null>;
}

/**
 * The protocol above for a batch of movements on distinct accounts, as the monthly jobs make
 * them: step 1 stays one conditional update per account, but it also requires the figures the
 * batch read (so an account that moved since — by any movement, including this very key applied
 * by someone else — is left to `fallback`, which re-reads everything); steps 2 and 3 are one
 * insertMany and one updateMany for the whole batch. The caller has checked that the keys have
 * no entry yet. A crash anywhere leaves parked entries that completePending finishes as usual.
 *
 * Two movements in a row on the same accounts (issuance: expiry, then the credit) need not clear
 * in between: the first batch `keepParked` (step 3 left out; its accounts come back with their
 * entry still parked, its entry written), and the second takes those accounts over — its step 1
 * requires that parked key (`written`: entries known to exist) instead of no pending, and replaces
 * it. A parked entry whose entry exists is exactly what a crash after step 2 leaves, so nothing
 * new can be seen; it saves one rewrite of every account (BENCHMARKS.md).
 */
export async function applyMovementBatch(
  items: BatchMovement[],
  options: { keepParked?: boolean; written?: ReadonlySet<string> } = {},
): Promise<Map<string, { applied: Applied | null; account: AccountDoc | null }>> {
  const results = new Map<string, { applied: Applied | null; account: AccountDoc | null }>();
  const parked: { entry: EntryDoc; account: AccountDoc & { _id: string } }[] = [];
  for (const { movement, account, fallback } of items) {
    assertWholeFen(movement);
    const pending = { ...pendingOf(movement), createdAt: new Date() };
    const expect = movement.expect ?? { balanceFen: account.balanceFen, heldFen: account.heldFen };
    const parkedKey = account.pending ? (options.written?.has(account.pending.key) ? account.pending.key : undefined) : null;
    const moved = parkedKey === undefined ? null : await AccountModel.findOneAndUpdate(guardOf({ ...movement, expect }, parkedKey), updateOf(movement, pending), { returnDocument: 'after' }).lean();
    if (!moved) {
      results.set(movement.seniorId, { applied: await fallback(), account: null });
      continue;
    }
    ledgerFaults.afterAccountUpdate?.(movement);
    parked.push({ entry: entryOf(String(moved._id), pending), account: { ...moved, _id: String(moved._id), pending: options.keepParked ? moved.pending : null } });
  }
  await insertDocs(EntryModel.collection, parked.map(({ entry }) => entry as EntryDoc & { _id: string }));
  if (parked.length > 0 && !options.keepParked) await clearParked(parked.map(({ account }) => account._id), parked.map(({ entry }) => entry._id));
  for (const { entry, account } of parked) results.set(account._id, { applied: { entry, isNew: true }, account });
  return results;
}

/** Step 3 for many accounts at once: their parked entries (written already) are cleared. */
export async function clearParked(accountIds: string[], keys: string[]): Promise<void> {
  if (accountIds.length === 0) return;
  await AccountModel.updateMany({ _id: { $in: accountIds }, 'pending.key': { $in: keys } }, { $set: { pending: null } });
}

/** Steps 2 and 3 for whatever is parked on the account; safe to run any number of times. */
export async function completePending(account: Pick<AccountDoc, '_id' | 'pending'>): Promise<EntryDoc> {
  const pending = account.pending;
  if (!pending) throw new Error('no pending movement');
  const entry = entryOf(String(account._id), pending);
  try {
    await EntryModel.create(entry);
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
  await AccountModel.updateOne({ _id: account._id, 'pending.key': pending.key }, { $set: { pending: null } });
  return entry;
}

function entryOf(seniorId: string, pending: NonNullable<AccountDoc['pending']>): EntryDoc {
  return {
    _id: pending.key,
    seniorId,
    type: pending.type as EntryType,
    balanceDeltaFen: pending.balanceDeltaFen,
    heldDeltaFen: pending.heldDeltaFen,
    month: pending.month ?? null,
    orderId: pending.orderId ?? null,
    reason: pending.reason ?? null,
    createdBy: pending.createdBy,
    createdAt: pending.createdAt,
  };
}

/** Step 1's condition: no movement in flight (or, taking over, exactly the written one parked). */
function guardOf(movement: Movement, parkedKey: string | null = null): Record<string, unknown> {
  const guard: Record<string, unknown> = parkedKey ? { _id: movement.seniorId, 'pending.key': parkedKey } : { _id: movement.seniorId, pending: null };
  const availableDelta = movement.balanceDeltaFen - movement.heldDeltaFen;
  if (availableDelta < 0) guard.availableFen = { $gte: -availableDelta };
  if (movement.heldDeltaFen < 0) guard.heldFen = { $gte: -movement.heldDeltaFen };
  if (movement.expect) Object.assign(guard, { balanceFen: movement.expect.balanceFen, heldFen: movement.expect.heldFen });
  return guard;
}

function guardHolds(movement: Movement, account: AccountDoc): boolean {
  const availableDelta = movement.balanceDeltaFen - movement.heldDeltaFen;
  return account.availableFen + availableDelta >= 0 && account.heldFen + movement.heldDeltaFen >= 0;
}

function updateOf(movement: Movement, pending: object): Record<string, unknown> {
  const inc: Record<string, number> = {
    seq: 1,
    balanceFen: movement.balanceDeltaFen,
    heldFen: movement.heldDeltaFen,
    availableFen: movement.balanceDeltaFen - movement.heldDeltaFen,
  };
  if (movement.balanceDeltaFen > 0) inc[`creditsByMonth.${movement.creditMonth ?? 'unknown'}`] = movement.balanceDeltaFen;
  if (movement.balanceDeltaFen < 0) inc.debitedFen = -movement.balanceDeltaFen;
  return { $inc: inc, $set: { pending } };
}

function pendingOf(movement: Movement) {
  return {
    key: movement.key,
    type: movement.type,
    balanceDeltaFen: movement.balanceDeltaFen,
    heldDeltaFen: movement.heldDeltaFen,
    month: movement.month ?? null,
    orderId: movement.orderId ?? null,
    reason: movement.reason ?? null,
    createdBy: movement.createdBy,
  };
}

function insufficient(movement: Movement, account: AccountDoc): DomainError {
  return new DomainError('INSUFFICIENT_BALANCE', [{ path: 'amountFen', message: bilingual(`可用余额 ${yuanText(account.availableFen)} 元，已冻结 ${yuanText(account.heldFen)} 元`, `available ${account.availableFen} fen, held ${account.heldFen} fen`) }], undefined, {
    availableFen: account.availableFen,
    requestedKey: movement.key,
  });
}

function assertWholeFen(movement: Movement): void {
  if (!Number.isSafeInteger(movement.balanceDeltaFen) || !Number.isSafeInteger(movement.heldDeltaFen)) {
    throw new Error(`voucher movement ${movement.key} is not in whole fen`);
  }
}

const pause = (attempt: number) => new Promise((resolve) => setTimeout(resolve, Math.min(20, attempt) * Math.random()));

import { randomUUID } from 'node:crypto';
import { byKeys } from '../shared/by-keys.ts';
import { DomainError } from '../shared/errors.ts';
import { findPage, type Page } from '../shared/http/pagination.ts';
import { releaseCapRoom } from './cap-room.ts';
import { applyMovement, type Applied } from './ledger.ts';
import { AccountModel, EntryModel, type AccountDoc, type EntryDoc } from './ledger.model.ts';
import { bilingual } from '../shared/i18n.ts';

export interface AccountView {
  seniorId: string;
  balanceFen: number;
  heldFen: number;
  availableFen: number;
}

export interface EntryView {
  id: string;
  type: EntryDoc['type'];
  balanceDeltaFen: number;
  heldDeltaFen: number;
  month: string | null;
  orderId: string | null;
  reason: string | null;
  createdBy: string;
  createdAt: Date;
}

/** Opens the senior's account if it is not there yet; idempotent. */
export async function openAccount(seniorId: string, communityId: string): Promise<void> {
  await AccountModel.updateOne(
    { _id: seniorId },
    { $setOnInsert: { communityId, balanceFen: 0, heldFen: 0, availableFen: 0, creditsByMonth: {}, debitedFen: 0, pending: null } },
    { upsert: true },
  );
}

export const toAccountView = (account: AccountDoc): AccountView => ({
  seniorId: String(account._id), balanceFen: account.balanceFen, heldFen: account.heldFen, availableFen: account.availableFen,
});

/** The account as the API shows it; a senior without one yet has a zero account. */
export async function accountOf(seniorId: string): Promise<AccountView> {
  const account = await AccountModel.findById(seniorId).lean();
  return account ? toAccountView(account) : { seniorId, balanceFen: 0, heldFen: 0, availableFen: 0 };
}

export const toEntryView = (entry: EntryDoc): EntryView => ({
  id: String(entry._id), type: entry.type, balanceDeltaFen: entry.balanceDeltaFen, heldDeltaFen: entry.heldDeltaFen,
  month: entry.month ?? null, orderId: entry.orderId ?? null, reason: entry.reason ?? null, createdBy: entry.createdBy, createdAt: entry.createdAt,
});

export function entriesOf(seniorId: string, paging: { page: number; pageSize: number }): Promise<Page<EntryView>> {
  return findPage(EntryModel, { seniorId }, { createdAt: 1, _id: 1 }, paging, toEntryView);
}

// The four order operations dispatch uses (PRODUCT.md §6): each keyed by the order, so a retried
// step never applies twice.

export function holdForOrder(input: { orderId: string; seniorId: string; amountFen: number; by: string }): Promise<Applied> {
  assertPositive(input.amountFen);
  return applyMovement({ key: `hold:${input.orderId}`, seniorId: input.seniorId, type: 'hold', balanceDeltaFen: 0, heldDeltaFen: input.amountFen, orderId: input.orderId, createdBy: input.by });
}

/** Frees the order's hold (cancellation). Nothing held, nothing to release: answers null. */
export async function releaseForOrder(input: { orderId: string; by: string; reason?: string }): Promise<Applied | null> {
  const hold = await EntryModel.findById(`hold:${input.orderId}`).lean();
  if (!hold) return null;
  if (await EntryModel.findById(`redeem:${input.orderId}`).lean()) throw new DomainError('ALREADY_SETTLED', [{ path: 'orderId', message: '冻结的服务券已核销' }]);
  const released = await applyMovement({ key: `release:${input.orderId}`, seniorId: hold.seniorId, type: 'release', balanceDeltaFen: 0, heldDeltaFen: -hold.heldDeltaFen, orderId: input.orderId, reason: input.reason ?? null, createdBy: input.by });
  // A released hold no longer counts against the month's caps (a crash here: reconciliation).
  await releaseCapRoom(hold.seniorId, input.orderId);
  return released;
}

/** Spends the order's hold (the visit is confirmed). */
export async function redeemForOrder(input: { orderId: string; by: string }): Promise<Applied | null> {
  const hold = await EntryModel.findById(`hold:${input.orderId}`).lean();
  if (!hold) return null;
  if (await EntryModel.findById(`release:${input.orderId}`).lean()) throw new DomainError('INVALID_TRANSITION', [{ path: 'orderId', message: '冻结的服务券已解除' }]);
  const amountFen = hold.heldDeltaFen;
  return applyMovement({ key: `redeem:${input.orderId}`, seniorId: hold.seniorId, type: 'redeem', balanceDeltaFen: -amountFen, heldDeltaFen: -amountFen, orderId: input.orderId, createdBy: input.by });
}

/** What was redeemed for the order's hold, in fen; null when nothing was (yet). One primary-key read. */
export async function redeemedAmountFor(orderId: string): Promise<number | null> {
  const redeem = await EntryModel.findById(`redeem:${orderId}`).lean();
  return redeem ? -redeem.balanceDeltaFen : null;
}

/** redeemedAmountFor of many orders in one read: order id → amount, for those redeemed. */
export async function redeemedAmountsFor(orderIds: string[]): Promise<Map<string, number>> {
  if (orderIds.length === 0) return new Map();
  const entries = await EntryModel.find({ _id: { $in: orderIds.map((orderId) => `redeem:${orderId}`) } }, { balanceDeltaFen: 1 }).setOptions(byKeys(orderIds.length)).lean();
  return new Map(entries.map((entry) => [String(entry._id).slice('redeem:'.length), -entry.balanceDeltaFen]));
}

/** Gives back a redeemed amount (a dispute upheld after settlement). */
export async function refundForOrder(input: { orderId: string; by: string; month: string; reason: string }): Promise<Applied> {
  const redeem = await EntryModel.findById(`redeem:${input.orderId}`).lean();
  if (!redeem) throw new DomainError('RULE_VIOLATION', [{ path: 'orderId', message: '该订单没有核销记录' }]);
  return applyMovement({ key: `refund:${input.orderId}`, seniorId: redeem.seniorId, type: 'refund', balanceDeltaFen: -redeem.balanceDeltaFen, heldDeltaFen: 0, orderId: input.orderId, reason: input.reason, createdBy: input.by, creditMonth: input.month });
}

/** A manual correction; `idempotencyKey` lets a client retry it safely. */
export function adjustBalance(input: { seniorId: string; amountFen: number; reason: string; by: string; month: string; idempotencyKey?: string }): Promise<Applied> {
  if (!Number.isSafeInteger(input.amountFen) || input.amountFen === 0) throw new DomainError('VALIDATION_FAILED', [{ path: 'amountFen', message: bilingual('金额须为不等于 0 的整数（单位：分）', 'a non-zero whole number of fen') }]);
  return applyMovement({
    key: `adjust:${input.seniorId}:${input.idempotencyKey ?? randomUUID()}`, seniorId: input.seniorId, type: 'adjust',
    balanceDeltaFen: input.amountFen, heldDeltaFen: 0, reason: input.reason, createdBy: input.by, creditMonth: input.month,
  });
}

function assertPositive(amountFen: number): void {
  if (!Number.isSafeInteger(amountFen) || amountFen <= 0) throw new DomainError('VALIDATION_FAILED', [{ path: 'amountFen', message: bilingual('金额须为大于 0 的整数（单位：分）', 'a positive whole number of fen') }]);
}

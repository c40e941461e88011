import mongoose from 'mongoose';
import { logger } from '../shared/logger.ts';
import { countOrderChange } from './order-counts.ts';
import { OrderHistoryModel, OrderModel, type OrderDoc } from './order.model.ts';
import type { OrderStatus } from './order.state-machine.ts';

/*
 * What settlement may read and write on orders, and nothing more. Settlement owns the statement a
 * visit is paid in; dispatch owns the order. Each write here is one conditional update on one
 * order, so settlement can repeat any of them after a crash.
 */

/** An order as settlement sees it: the facts a statement line, a check or a penalty needs. */
export interface OrderForSettlement {
  orderId: string;
  status: OrderStatus;
  seniorId: string;
  communityId: string;
  streetId: string;
  providerId: string | null;
  serviceTypeCode: string;
  quantity: number;
  scheduledStart: Date;
  scheduledDay: string;
  expectedMinutes: number;
  checkInAt: Date | null;
  checkOutAt: Date | null;
  confirmation: { method: string; at: Date } | null;
  confirmedMonth: string | null;
  priceFen: number;
  subsidyFen: number;
  selfPayFen: number;
  holdRef: string | null;
  statementId: string | null;
  penaltyStatementId: string | null;
  adjustmentStatementId: string | null;
  providerPenalty: { providerId: string; at: Date; reason: string; month: string } | null;
  /** Flagged at check-in/out (geofence, short visit, overlap): always called back before approval. */
  isFlagged: boolean;
}

function toSettlementView(order: OrderDoc): OrderForSettlement {
  return {
    orderId: String(order._id),
    status: order.status as OrderStatus,
    seniorId: order.seniorId,
    communityId: order.communityId,
    streetId: order.streetId,
    providerId: order.providerId ?? null,
    serviceTypeCode: order.serviceTypeCode,
    quantity: order.quantity,
    scheduledStart: order.scheduledStart,
    scheduledDay: order.scheduledDay,
    expectedMinutes: order.expectedMinutes,
    checkInAt: order.checkIn?.at ?? null,
    checkOutAt: order.checkOut?.at ?? null,
    confirmation: order.confirmation?.method && order.confirmation.at ? { method: order.confirmation.method, at: order.confirmation.at } : null,
    confirmedMonth: order.confirmedMonth ?? null,
    priceFen: order.priceFen,
    subsidyFen: order.subsidyFen,
    selfPayFen: order.selfPayFen,
    holdRef: order.holdRef ?? null,
    statementId: order.statementId ?? null,
    penaltyStatementId: order.penaltyStatementId ?? null,
    adjustmentStatementId: order.adjustmentStatementId ?? null,
    providerPenalty: order.providerPenalty?.providerId
      ? { providerId: order.providerPenalty.providerId, at: order.providerPenalty.at as Date, reason: order.providerPenalty.reason ?? '', month: order.providerPenalty.month as string }
      : null,
    isFlagged: order.isFlagged === true,
  };
}

/**
 * Every order a settlement run of `period` has something to do with, in `_id` order, in batches
 * (never the month in memory): confirmed visits up to the period (new lines, carried-over lines,
 * and lines of approved statements still to mark settled); visits under dispute (a line of theirs
 * in a draft comes out); rejected visits paid in an approved statement (to recover in the next
 * one); provider cancellations with a penalty not yet charged. `afterId` resumes an interrupted
 * run where it stopped.
 */
export async function* ordersForSettlement(period: string, afterId: string | null, batchSize: number): AsyncGenerator<OrderForSettlement[]> {
  const filter = settlementOrderFilter(period);
  if (afterId) filter._id = { $gt: new mongoose.Types.ObjectId(afterId) };
  let batch: OrderForSettlement[] = [];
  for await (const order of OrderModel.find(filter).sort({ _id: 1 }).lean().cursor({ batchSize })) {
    batch.push(toSettlementView(order as OrderDoc));
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** The orders a run of `period` reads (the benchmark streams the same ones bare, as its floor). */
export function settlementOrderFilter(period: string): Record<string, unknown> {
  return {
    $or: [
      { status: 'confirmed', confirmedMonth: { $lte: period } },
      // `statementId` is set when the statement paying the visit is approved (settleOrderInStatement);
      // a visit disputed while its line is in a draft has none, so every dispute is read (a dispute
      // is short-lived: it ends confirmed or rejected).
      { status: 'disputed', adjustmentStatementId: null },
      { status: 'rejected', statementId: { $ne: null }, adjustmentStatementId: null },
      { status: 'cancelled', 'providerPenalty.month': { $lte: period }, penaltyStatementId: null },
    ],
  };
}

/**
 * A senior's visits that may be on a statement line (confirmed, settled, or disputed since), as
 * settlement sees them: what a claw-back after a confirmed death or hospital stay looks through.
 * One senior's visits, by the senior's index: a few hundred a year at most.
 */
export async function visitsOfSeniorForSettlement(seniorId: string): Promise<OrderForSettlement[]> {
  const orders = await OrderModel.find({ seniorId, status: { $in: ['confirmed', 'settled', 'disputed'] } }).lean();
  return orders.map((order) => toSettlementView(order as OrderDoc));
}

/** One order as settlement sees it (approval re-reads each line's order); null when missing. */
export async function orderForSettlement(orderId: string): Promise<OrderForSettlement | null> {
  if (!/^[0-9a-f]{24}$/.test(orderId)) return null;
  const order = await OrderModel.findById(orderId).lean();
  return order ? toSettlementView(order as OrderDoc) : null;
}

type StatementField = 'statementId' | 'penaltyStatementId' | 'adjustmentStatementId';

/** Records which statement pays (or charges) the order; a no-op when it is already recorded. */
export async function attachOrderToStatement(orderId: string, field: StatementField, statementId: string): Promise<void> {
  await OrderModel.updateOne({ _id: orderId, [field]: null }, { $set: { [field]: statementId } });
}

/** Undoes attachOrderToStatement when a draft line is taken out (a dispute). */
export async function detachOrderFromStatement(orderId: string, field: StatementField, statementId: string): Promise<void> {
  await OrderModel.updateOne({ _id: orderId, [field]: statementId }, { $set: { [field]: null } });
}

/**
 * confirmed → settled once its statement is approved, and the order records that statement (a
 * settlement run does not write orders: a visit's line, keyed by the order, says it is in a draft).
 * Conditional on the state and on the order naming no other statement, so a repeat (after a crash)
 * or an order disputed meanwhile changes nothing. One history row per order; the audit entry is
 * the statement's approval, which names the statement and its lines.
 */
export async function settleOrderInStatement(orderId: string, statementId: string, actorId: string, now: Date): Promise<boolean> {
  const settled = await OrderModel.findOneAndUpdate(
    { _id: orderId, status: 'confirmed', $or: [{ statementId: null }, { statementId }] },
    { $set: { status: 'settled', statementId } },
    { returnDocument: 'after' },
  ).lean();
  if (!settled) return false;
  await countOrderChange({ ...settled, status: 'confirmed' }, settled);
  await OrderHistoryModel.create({ orderId, at: now, actorId, action: 'settle', fromStatus: 'confirmed', toStatus: 'settled', reason: null, details: { statementId } });
  return true;
}

// Disputes reach settlement through a hook (dispatch must not import settlement): a dispute on a
// visit in a draft statement takes its line out. Hooks run after the order's own transition; a
// failing hook is logged, and settlement's own checks (every run, every approval) catch it up.
type DisputeHook = (order: { orderId: string; statementId: string | null; actorId: string }) => Promise<void>;
const disputeHooks: DisputeHook[] = [];

export function onOrderDisputed(hook: DisputeHook): () => void {
  disputeHooks.push(hook);
  return () => {
    const index = disputeHooks.indexOf(hook);
    if (index >= 0) disputeHooks.splice(index, 1);
  };
}

export async function runDisputeHooks(order: { orderId: string; statementId: string | null; actorId: string }): Promise<void> {
  for (const hook of disputeHooks) {
    try {
      await hook(order);
    } catch (error) {
      logger.error({ err: error, orderId: order.orderId }, 'order dispute hook failed');
    }
  }
}

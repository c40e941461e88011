import mongoose, { Schema } from 'mongoose';
import type { Actor } from '../shared/roles.ts';
import { offeredToOf, OrderModel } from './order.model.ts';
import type { OrderStatus } from './order.state-machine.ts';

/**
 * Maintained order counts, so no request counts orders (FerretDB counts in Go, every matching
 * document decoded; MongoDB's count over a month is an index walk that still grows with it). One
 * document per dimension, `byStatus` its orders per status:
 * - `district`, `street:<id>`, `community:<id>`, `caregiver:<id>`: the list totals of each scope;
 * - `provider-day:<providerId>:<YYYY-MM-DD>`: the orders a provider holds for a day (dispatch's
 *   capacity check, "taken that day").
 * Every write that moves an order calls countOrderChange with the order before and after, right
 * after its own write. There are no multi-document transactions: a crash between the two leaves a
 * count off by one, which the nightly `order-counts-repair` job (and its manual run) recounts from
 * the orders themselves.
 */
const orderCountSchema = new Schema(
  {
    _id: { type: String, required: true },
    byStatus: { type: Schema.Types.Mixed, default: {} },
  },
  { collection: 'service_order_counts', versionKey: false, minimize: false },
);
export const OrderCountModel = mongoose.model('ServiceOrderCount', orderCountSchema);

/** What of an order decides where it is counted. */
export interface CountedOrder {
  status: string;
  streetId: string;
  communityId: string;
  caregiverId?: string | null;
  providerId?: string | null;
  scheduledDay: string;
}

export function countKeysOf(order: CountedOrder): string[] {
  const keys = ['district', `street:${order.streetId}`, `community:${order.communityId}`];
  if (order.caregiverId) keys.push(`caregiver:${order.caregiverId}`);
  if (order.providerId) keys.push(`provider-day:${order.providerId}:${order.scheduledDay}`);
  return keys;
}

/** The $inc each counter needs when an order goes from `before` (null: new) to `after`. */
export function countDelta(before: CountedOrder | null, after: CountedOrder | null): Map<string, Record<string, number>> {
  const delta = new Map<string, Record<string, number>>();
  const add = (order: CountedOrder, by: number) => {
    for (const key of countKeysOf(order)) {
      const inc = delta.get(key) ?? {};
      const field = `byStatus.${order.status}`;
      inc[field] = (inc[field] ?? 0) + by;
      if (inc[field] === 0) delete inc[field];
      delta.set(key, inc);
    }
  };
  if (before) add(before, -1);
  if (after) add(after, 1);
  for (const [key, inc] of delta) if (Object.keys(inc).length === 0) delta.delete(key);
  return delta;
}

export async function countOrderChange(before: CountedOrder | null, after: CountedOrder | null): Promise<void> {
  const delta = countDelta(before, after);
  // One updateOne per key, side by side: not a bulkWrite, which the embedded engine can take minutes
  // over (README "The database" 5; measured again with patch 10: 200 by `_id` did not finish in 5 min).
  await Promise.all([...delta].map(([key, inc]) => OrderCountModel.updateOne({ _id: key }, { $inc: inc }, { upsert: true })));
}

const sumOf = (byStatus: Record<string, number> | undefined, statuses?: readonly string[]) =>
  Object.entries(byStatus ?? {}).reduce((sum, [status, n]) => (statuses && !statuses.includes(status) ? sum : sum + n), 0);

/** Orders counted under these keys, all statuses or only the given ones. */
export async function countedOrders(keys: string[], statuses?: readonly string[]): Promise<number> {
  if (keys.length === 0) return 0;
  const docs = await OrderCountModel.find({ _id: { $in: keys } }).lean();
  return docs.reduce((sum, doc) => sum + sumOf(doc.byStatus as Record<string, number>, statuses), 0);
}

/** Per provider, the orders it holds in these statuses on one day (one read by key for all). */
export async function providerDayCounts(providerIds: string[], day: string, statuses: readonly OrderStatus[]): Promise<Map<string, number>> {
  const docs = await OrderCountModel.find({ _id: { $in: providerIds.map((id) => `provider-day:${id}:${day}`) } }).lean();
  return new Map(docs.map((doc) => [String(doc._id).split(':')[1]!, sumOf(doc.byStatus as Record<string, number>, statuses)]));
}

/**
 * The counter keys answering a list's total exactly, or null when the filter is one the counters
 * do not cover (the list then counts with its bound). `status` narrows within the keys.
 */
export function listCountKeys(actor: Actor, filter: { communityId?: string; providerId?: string; seniorId?: string; from?: string; to?: string; flagged?: boolean }): string[] | null {
  if (filter.providerId || filter.seniorId || filter.from || filter.to || filter.flagged !== undefined) return null;
  switch (actor.role) {
    case 'admin':
    case 'auditor':
    case 'finance_officer':
      return [filter.communityId ? `community:${filter.communityId}` : 'district'];
    case 'street_officer':
      return filter.communityId || !actor.streetId ? null : [`street:${actor.streetId}`];
    case 'community_staff':
      if (filter.communityId) return actor.communityIds.includes(filter.communityId) ? [`community:${filter.communityId}`] : null;
      return actor.communityIds.map((id) => `community:${id}`);
    case 'caregiver':
      return filter.communityId || !actor.caregiverId ? null : [`caregiver:${actor.caregiverId}`];
    default:
      // A provider sees the orders given or offered to it (an $or): not a counted dimension.
      return null;
  }
}

/**
 * Recounts every counter from the orders (one stream in `_id` order, a few fields each) and writes
 * those that differ; counters no order backs any more are zeroed. Meant for a quiet hour: an order
 * moving while the stream passes it can leave its counters one off until the next run.
 */
export async function repairOrderCounts(): Promise<{ orders: number; counters: number; repaired: number; offeredToRepaired: number }> {
  const recount = new Map<string, Record<string, number>>();
  let orders = 0;
  let offeredToRepaired = 0;
  const cursor = OrderModel.collection.find({}, { projection: { status: 1, streetId: 1, communityId: 1, caregiverId: 1, providerId: 1, scheduledDay: 1, offer: 1, offeredTo: 1 } }).sort({ _id: 1 }).batchSize(1000);
  for await (const order of cursor) {
    orders += 1;
    // The same pass puts right the other field derived from the order (order.model.ts, offeredTo).
    const offeredTo = offeredToOf(order.status as string, order.offer as { providerId?: string } | null);
    if ((order.offeredTo ?? null) !== offeredTo) {
      // Only if the order still holds the state and the offer it was read with.
      const sameOffer = order.status === 'offered' ? { 'offer.offeredAt': (order.offer as { offeredAt?: Date } | null)?.offeredAt ?? null } : {};
      await OrderModel.collection.updateOne({ _id: order._id, status: order.status, ...sameOffer }, { $set: { offeredTo } });
      offeredToRepaired += 1;
    }
    for (const key of countKeysOf(order as unknown as CountedOrder)) {
      const byStatus = recount.get(key) ?? {};
      byStatus[order.status as string] = (byStatus[order.status as string] ?? 0) + 1;
      recount.set(key, byStatus);
    }
  }
  let repaired = 0;
  const stored = new Map<string, Record<string, number>>();
  for await (const doc of OrderCountModel.collection.find({}).sort({ _id: 1 }).batchSize(1000)) stored.set(String(doc._id), (doc.byStatus ?? {}) as Record<string, number>);
  const same = (a: Record<string, number>, b: Record<string, number>) => {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys].every((k) => (a[k] ?? 0) === (b[k] ?? 0));
  };
  for (const [key, byStatus] of recount) {
    if (same(stored.get(key) ?? {}, byStatus)) continue;
    await OrderCountModel.updateOne({ _id: key }, { $set: { byStatus } }, { upsert: true });
    repaired += 1;
  }
  for (const [key, byStatus] of stored) {
    if (recount.has(key) || same(byStatus, {})) continue;
    await OrderCountModel.updateOne({ _id: key }, { $set: { byStatus: {} } });
    repaired += 1;
  }
  return { orders, counters: recount.size, repaired, offeredToRepaired };
}

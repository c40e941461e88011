import { findPage, type Paging, type UnionFilter } from '../shared/http/pagination.ts';
import { countedOrders, listCountKeys } from './order-counts.ts';
import type { Actor } from '../shared/roles.ts';
import { findInScope, withinScope } from '../shared/scope.ts';
import { OrderHistoryModel, OrderModel, type OrderDoc, type OrderHistoryDoc } from './order.model.ts';
import { orderScope } from './order.scope.ts';
import type { OrderStatus } from './order.state-machine.ts';
import { orderView, toOrderListView } from './order.view.ts';

export interface OrderFilter {
  status?: OrderStatus;
  communityId?: string;
  providerId?: string;
  seniorId?: string;
  from?: string;
  to?: string;
  flagged?: boolean;
  page: number;
  pageSize: number;
  cursor?: string;
}

export function listOrders(filter: OrderFilter, actor: Actor) {
  const query: Record<string, unknown> = {};
  if (filter.status) query.status = filter.status;
  if (filter.communityId) query.communityId = filter.communityId;
  if (filter.providerId) query.providerId = filter.providerId;
  if (filter.seniorId) query.seniorId = filter.seniorId;
  if (filter.flagged !== undefined) query.isFlagged = filter.flagged;
  if (filter.from || filter.to) query.scheduledStart = { ...(filter.from ? { $gte: new Date(filter.from) } : {}), ...(filter.to ? { $lt: new Date(filter.to) } : {}) };
  // Newest first by creation (`_id`), the order the engine walks from an index — (communityId, _id),
  // (streetId, _id), (caregiverId, _id) or _id itself — and stops after the page; sorting by the
  // visit's time would read and sort the scope's whole history on every page. The total comes from
  // the maintained counters when they cover the filter (order-counts.ts).
  const countKeys = listCountKeys(actor, filter);
  const total = countKeys ? () => countedOrders(countKeys, filter.status ? [filter.status] : undefined) : undefined;
  return findPage(OrderModel, listFilter(actor, query), { _id: -1 }, filter as Paging, (order: OrderDoc) => toOrderListView(order), { total });
}

/**
 * A provider sees the orders given to it and those offered to it (order.scope.ts): as one `$or`
 * the engine reads every order in the district. As two parts each is walked from an index — the
 * orders with its `providerId` by (providerId, _id), its open offers by (offeredTo, _id) — and
 * findPage merges them. They are disjoint: an offered order has no provider yet.
 */
function listFilter(actor: Actor, query: Record<string, unknown>): Record<string, unknown> | UnionFilter {
  if (actor.role !== 'provider_admin' || !actor.providerId) return withinScope(orderScope, actor, query);
  const given = { ...query, providerId: andEqual(query.providerId, actor.providerId) };
  if (query.status !== undefined && query.status !== 'offered') return given;
  return { union: [given, { ...query, offeredTo: actor.providerId }] };
}

/** The provider's own id, or nothing at all when the filter asked for another provider's. */
const andEqual = (asked: unknown, own: string) => (asked === undefined || asked === own ? own : { $in: [] });

export async function getOrder(id: string, actor: Actor) {
  return orderView(await findInScope<OrderDoc>(OrderModel, id, orderScope, actor));
}

export async function orderHistory(id: string, paging: { page: number; pageSize: number }, actor: Actor) {
  await findInScope<OrderDoc>(OrderModel, id, orderScope, actor);
  return findPage(OrderHistoryModel, { orderId: id }, { at: 1, _id: 1 }, paging, (entry: OrderHistoryDoc) => ({
    id: String(entry._id), at: entry.at, actorId: entry.actorId, action: entry.action, fromStatus: entry.fromStatus, toStatus: entry.toStatus, reason: entry.reason ?? null, details: entry.details ?? null,
  }));
}

export interface OrderState {
  status: OrderStatus;
  scheduledStart: Date;
  communityId: string;
  offeredProviderId: string | null;
  seniorLocation: { lng: number; lat: number };
}

/** Where one order stands, unscoped, for capabilities that follow orders (care plans, the demo seed). */
export async function orderState(orderId: string): Promise<OrderState | null> {
  if (!/^[0-9a-f]{24}$/.test(orderId)) return null;
  const order = await OrderModel.findById(orderId, { status: 1, scheduledStart: 1, communityId: 1, offer: 1, seniorLocation: 1 }).lean();
  if (!order) return null;
  return {
    status: order.status as OrderStatus,
    scheduledStart: order.scheduledStart,
    communityId: order.communityId,
    offeredProviderId: order.status === 'offered' ? (order.offer?.providerId ?? null) : null,
    seniorLocation: { lng: order.seniorLocation.lng as number, lat: order.seniorLocation.lat as number },
  };
}

/** How many orders one actor created (the demo seed uses it to run once). */
export function countOrdersCreatedBy(actorId: string): Promise<number> {
  return OrderModel.countDocuments({ createdBy: actorId });
}

/** Start-up checks of the demo (seed/): an offer to the provider still open at `now`. */
export async function hasLiveOffer(providerId: string, now: Date): Promise<boolean> {
  return (await OrderModel.exists({ status: 'offered', 'offer.providerId': providerId, 'offer.expiresAt': { $gt: now } })) !== null;
}

/** …and a visit of the caregiver's still to do on a business day. */
export async function hasOpenVisitOn(caregiverId: string, day: string): Promise<boolean> {
  return (await OrderModel.exists({ caregiverId, scheduledDay: day, status: { $in: ['assigned', 'in_service'] } })) !== null;
}

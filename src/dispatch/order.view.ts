import { OrderRankingModel, type OrderDoc } from './order.model.ts';
import type { OrderStatus } from './order.state-machine.ts';

export interface DispatchAttempt {
  providerId: string;
  offeredAt: Date;
  /** When the offer was accepted, declined or found expired; null while open (and on old records). */
  answeredAt: Date | null;
  outcome: string;
  reason: string | null;
}

/** The order's offers so far, oldest first, as plain values (dispatch rewrites the list whole). */
export function attemptsOf(order: Pick<OrderDoc, 'dispatch'>): DispatchAttempt[] {
  return (order.dispatch?.attempts ?? []).map((a) => ({ providerId: a.providerId as string, offeredAt: a.offeredAt as Date, answeredAt: a.answeredAt ?? null, outcome: a.outcome as string, reason: a.reason ?? null }));
}

export interface RankingEntry {
  providerId: string;
  score: number;
  distanceKm: number;
  reasons: string[];
}

type StoredPoint = { at?: Date | null; lng?: number | null; lat?: number | null; distanceM?: number | null; accuracyM?: number | null; receivedAt?: Date | null } | null | undefined;

/** A check-in or check-out as shown: when it happened, where, how far from home, when it arrived. */
function visitPointView(point: StoredPoint) {
  if (!point?.at) return null;
  return { at: point.at, lng: point.lng as number, lat: point.lat as number, distanceM: point.distanceM as number, accuracyM: point.accuracyM ?? null, receivedAt: point.receivedAt ?? point.at };
}

/**
 * The order as a list shows it: API.md's order without `dispatch.ranking`, which lives beside the
 * order and costs a read per item (GET /service-orders/:id has it). The visit code's hash and
 * failure count stay inside.
 */
export function toOrderListView(order: OrderDoc) {
  return {
    id: String(order._id),
    // On the order document itself, so a list costs no lookup for it; null on orders from before numbers.
    number: order.number ?? null,
    seniorId: order.seniorId,
    communityId: order.communityId,
    serviceTypeCode: order.serviceTypeCode,
    quantity: order.quantity,
    scheduledStart: order.scheduledStart,
    notes: order.notes ?? null,
    source: order.source,
    externalId: order.externalId ?? null,
    priority: order.priority,
    status: order.status as OrderStatus,
    providerId: order.providerId ?? null,
    caregiverId: order.caregiverId ?? null,
    offer: order.offer?.providerId ? { providerId: order.offer.providerId, offeredAt: order.offer.offeredAt as Date, expiresAt: order.offer.expiresAt as Date } : null,
    dispatch: { attempts: attemptsOf(order) },
    priceFen: order.priceFen,
    subsidyFen: order.subsidyFen,
    selfPayFen: order.selfPayFen,
    checkIn: visitPointView(order.checkIn),
    checkOut: visitPointView(order.checkOut),
    durationMinutes: order.durationMinutes ?? null,
    flags: [...(order.flags ?? [])],
    confirmation: order.confirmation?.method ? { method: order.confirmation.method, at: order.confirmation.at as Date, by: order.confirmation.by as string, satisfaction: order.confirmation.satisfaction ?? null } : null,
    noCodeReason: order.noCodeReason ?? null,
    statementId: order.statementId ?? null,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}

/** The order as API.md shows it, with the ranking behind its current offer. */
export function toOrderView(order: OrderDoc, ranking: RankingEntry[]) {
  const view = toOrderListView(order);
  return { ...view, dispatch: { ...view.dispatch, ranking } };
}

/** The ranking behind the order's current offer: beside the order, or on it for orders from before. */
export async function rankingOf(order: Pick<OrderDoc, 'rankingRef' | 'dispatch'>): Promise<RankingEntry[]> {
  const stored = order.rankingRef ? (await OrderRankingModel.findById(order.rankingRef).lean())?.ranking : order.dispatch?.ranking;
  return (stored ?? []).map((r) => ({ providerId: r.providerId as string, score: r.score as number, distanceKm: r.distanceKm as number, reasons: [...(r.reasons ?? [])] }));
}

/** One order as the detail and every single-order answer show it (one read by `_id` for the ranking). */
export async function orderView(order: OrderDoc) {
  return toOrderView(order, await rankingOf(order));
}

export type OrderListView = ReturnType<typeof toOrderListView>;
export type OrderView = ReturnType<typeof toOrderView>;

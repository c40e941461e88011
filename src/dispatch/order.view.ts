import type { OrderDoc } from './order.model.ts';
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

/** The order as API.md shows it; the visit code's hash and failure count stay inside. */
export function toOrderView(order: OrderDoc) {
  return {
    id: String(order._id),
    seniorId: order.seniorId,
    communityId: order.communityId,
    serviceTypeCode: order.serviceTypeCode,
    quantity: order.quantity,
    scheduledStart: order.scheduledStart,
    source: order.source,
    priority: order.priority,
    status: order.status as OrderStatus,
    providerId: order.providerId ?? null,
    caregiverId: order.caregiverId ?? null,
    offer: order.offer?.providerId ? { providerId: order.offer.providerId, offeredAt: order.offer.offeredAt as Date, expiresAt: order.offer.expiresAt as Date } : null,
    dispatch: {
      attempts: attemptsOf(order),
      ranking: (order.dispatch?.ranking ?? []).map((r) => ({ providerId: r.providerId as string, score: r.score as number, distanceKm: r.distanceKm as number, reasons: [...(r.reasons ?? [])] })),
    },
    priceFen: order.priceFen,
    subsidyFen: order.subsidyFen,
    selfPayFen: order.selfPayFen,
    checkIn: order.checkIn?.at ? { at: order.checkIn.at, lng: order.checkIn.lng as number, lat: order.checkIn.lat as number, distanceM: order.checkIn.distanceM as number } : null,
    checkOut: order.checkOut?.at ? { at: order.checkOut.at, lng: order.checkOut.lng as number, lat: order.checkOut.lat as number, distanceM: order.checkOut.distanceM as number } : null,
    durationMinutes: order.durationMinutes ?? null,
    flags: [...(order.flags ?? [])],
    confirmation: order.confirmation?.method ? { method: order.confirmation.method, at: order.confirmation.at as Date, by: order.confirmation.by as string, satisfaction: order.confirmation.satisfaction ?? null } : null,
    statementId: order.statementId ?? null,
    createdAt: order.createdAt,
    updatedAt: order.updatedAt,
  };
}

export type OrderView = ReturnType<typeof toOrderView>;

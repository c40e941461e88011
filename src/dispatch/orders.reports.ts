import type { Actor } from '../shared/roles.ts';
import { findInScope, withinScope } from '../shared/scope.ts';
import { businessMonthBounds } from '../shared/time.ts';
import { OrderModel, type OrderDoc } from './order.model.ts';
import { orderScope } from './order.scope.ts';
import type { OrderStatus } from './order.state-machine.ts';
import { attemptsOf, type DispatchAttempt } from './order.view.ts';

/*
 * What reports may read of orders, and nothing more: no PII (an order holds none beyond the
 * senior's location, which stays here) and no visit code. Reads only, always within the caller's
 * order scope, streamed in batches so a month of orders is never held as documents.
 */

/** An order as reports see it. */
export interface OrderForReports {
  orderId: string;
  /** The human order number (GD…); null on orders made before numbers. */
  orderNumber: string | null;
  seniorId: string;
  communityId: string;
  streetId: string;
  serviceTypeCode: string;
  status: OrderStatus;
  providerId: string | null;
  caregiverId: string | null;
  scheduledStart: Date;
  scheduledDay: string;
  attempts: DispatchAttempt[];
  checkInAt: Date | null;
  checkOutAt: Date | null;
  /** Where the caregiver checked in and out (WGS-84, as stored) and how far from the home; null when not done. */
  checkInPoint: VisitPoint | null;
  checkOutPoint: VisitPoint | null;
  /** Check-in to check-out in whole minutes, as stored at check-out; null before it. */
  durationMinutes: number | null;
  expectedMinutes: number;
  quantity: number;
  /** visit_code or senior_pin (at the door), callback (afterwards); null while unconfirmed. */
  confirmationMethod: string | null;
  /** How the order came to be: hotline, staff, care_plan, emergency, provider_record. */
  source: string;
  flags: string[];
  satisfaction: number | null;
  priceFen: number;
  subsidyFen: number;
  selfPayFen: number;
  /** The provider that cancelled after accepting, if one did. */
  cancelledByProviderId: string | null;
  /** The order was disputed at some point (whatever the outcome). */
  wasDisputed: boolean;
}

/** A check-in or check-out point as reports see it. */
export interface VisitPoint {
  lng: number;
  lat: number;
  distanceM: number | null;
  accuracyM: number | null;
}

const PROJECTION = {
  number: 1, seniorId: 1, communityId: 1, streetId: 1, serviceTypeCode: 1, status: 1, providerId: 1, caregiverId: 1, scheduledStart: 1, scheduledDay: 1,
  dispatch: 1, checkIn: 1, checkOut: 1, durationMinutes: 1, expectedMinutes: 1, quantity: 1, source: 1, flags: 1, confirmation: 1, priceFen: 1, subsidyFen: 1, selfPayFen: 1,
  providerPenalty: 1, disputedFrom: 1,
};

type StoredPoint = { lng?: number | null; lat?: number | null; distanceM?: number | null; accuracyM?: number | null } | null | undefined;

function pointOf(point: StoredPoint): VisitPoint | null {
  if (typeof point?.lng !== 'number' || typeof point.lat !== 'number') return null;
  return { lng: point.lng, lat: point.lat, distanceM: point.distanceM ?? null, accuracyM: point.accuracyM ?? null };
}

function toReportView(order: OrderDoc): OrderForReports {
  return {
    orderId: String(order._id),
    orderNumber: order.number ?? null,
    seniorId: order.seniorId,
    communityId: order.communityId,
    streetId: order.streetId,
    serviceTypeCode: order.serviceTypeCode,
    status: order.status as OrderStatus,
    providerId: order.providerId ?? null,
    caregiverId: order.caregiverId ?? null,
    scheduledStart: order.scheduledStart,
    scheduledDay: order.scheduledDay,
    attempts: attemptsOf(order),
    checkInAt: order.checkIn?.at ?? null,
    checkOutAt: order.checkOut?.at ?? null,
    checkInPoint: pointOf(order.checkIn),
    checkOutPoint: pointOf(order.checkOut),
    durationMinutes: order.durationMinutes ?? null,
    expectedMinutes: order.expectedMinutes,
    quantity: order.quantity,
    confirmationMethod: order.confirmation?.method ?? null,
    source: order.source,
    flags: [...(order.flags ?? [])],
    satisfaction: order.confirmation?.satisfaction ?? null,
    priceFen: order.priceFen,
    subsidyFen: order.subsidyFen,
    selfPayFen: order.selfPayFen,
    cancelledByProviderId: order.providerPenalty?.providerId ?? null,
    wasDisputed: Boolean(order.disputedFrom),
  };
}

/** The filter on a month's orders: scheduled in it (`scheduledDay` is its Asia/Shanghai day). */
const scheduledIn = (month: string) => ({ scheduledDay: { $gte: `${month}-01`, $lte: `${month}-31` } });

/**
 * The orders of `month` the actor may see, in `_id` order and in batches: those scheduled in the
 * month, and with `withOffersOfMonth` also those with an offer made in the month (an order offered
 * on the 31st for the 2nd of the next month counts its offer here and its visit there).
 */
export async function* ordersForReports(
  month: string,
  actor: Actor,
  options: { timeZone: string; withOffersOfMonth?: boolean; batchSize?: number },
): AsyncGenerator<OrderForReports[]> {
  const { start, end } = businessMonthBounds(month, options.timeZone);
  const filter = options.withOffersOfMonth ? { $or: [scheduledIn(month), { 'dispatch.attempts.offeredAt': { $gte: start, $lt: end } }] } : scheduledIn(month);
  const batchSize = options.batchSize ?? 1000;
  let batch: OrderForReports[] = [];
  for await (const order of OrderModel.find(withinScope(orderScope, actor, filter), PROJECTION).sort({ _id: 1 }).lean().cursor({ batchSize })) {
    batch.push(toReportView(order as OrderDoc));
    if (batch.length >= batchSize) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/**
 * Visits of the whole district scheduled in `month` that were checked in, and how many of them
 * were flagged: the baseline a provider's flag rate is compared with, whoever asks. One `$group`
 * with one `$sum` (FerretDB 1.x computes only the first accumulator).
 */
export async function districtVisitFlagCounts(month: string): Promise<{ visitsCheckedIn: number; flaggedVisits: number }> {
  const groups = await OrderModel.aggregate<{ _id: boolean | null; visits: number }>([
    { $match: { ...scheduledIn(month), 'checkIn.at': { $ne: null } } },
    { $group: { _id: '$isFlagged', visits: { $sum: 1 } } },
  ]);
  return {
    visitsCheckedIn: groups.reduce((sum, group) => sum + group.visits, 0),
    flaggedVisits: groups.filter((group) => group._id === true).reduce((sum, group) => sum + group.visits, 0),
  };
}

/**
 * Visits of the whole district scheduled in `month` that were checked in and are over (not in
 * service), by how they were confirmed (null: not yet): the baseline of the share confirmed at the
 * door that a provider's is compared with, whoever asks.
 */
export async function districtConfirmationCounts(month: string): Promise<Map<string | null, number>> {
  const groups = await OrderModel.aggregate<{ _id: string | null; visits: number }>([
    { $match: { ...scheduledIn(month), 'checkIn.at': { $ne: null }, status: { $ne: 'in_service' } } },
    { $group: { _id: '$confirmation.method', visits: { $sum: 1 } } },
  ]);
  return new Map(groups.map((group) => [group._id ?? null, group.visits]));
}

/** One order as reports see it, if the actor's order scope holds it; otherwise 404 as if missing. */
export async function orderForReports(orderId: string, actor: Actor): Promise<OrderForReports> {
  return toReportView(await findInScope<OrderDoc>(OrderModel, orderId, orderScope, actor));
}

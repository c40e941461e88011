import type { Config } from '../config/env.ts';
import { getCaregiver } from '../organisation/index.ts';
import { DomainError } from '../shared/errors.ts';
import { distanceM } from '../shared/geo.ts';
import type { Actor } from '../shared/roles.ts';
import { findInScope } from '../shared/scope.ts';
import { businessMonth } from '../shared/time.ts';
import { redeemForOrder } from '../vouchers/index.ts';
import { hashVisitCode } from './order-create.service.ts';
import { contextOf, transitionOrder, type OrderCall as Call } from './order-transition.ts';
import { OrderModel, ProviderStatsModel, type OrderDoc } from './order.model.ts';
import { orderScope } from './order.scope.ts';

export const VISIT_CODE_MAX_FAILURES = 5;


/** The provider gives the accepted order to one of its caregivers who has the service's skill. */
export async function assignCaregiver(orderId: string, caregiverId: string, call: Call): Promise<OrderDoc> {
  const order = await findInScope<OrderDoc>(OrderModel, orderId, orderScope, call.actor);
  if (order.providerId !== call.actor.providerId) throw new DomainError('NOT_FOUND');
  const caregiver = await getCaregiver(caregiverId);
  if (!caregiver || caregiver.providerId !== order.providerId || caregiver.status !== 'active') throw new DomainError('VALIDATION_FAILED', [{ path: 'caregiverId', message: 'not an active caregiver of this provider' }]);
  if (!caregiver.skills.includes(order.serviceTypeCode)) throw new DomainError('NOT_ELIGIBLE', [{ path: 'caregiverId', message: `the caregiver lacks the skill ${order.serviceTypeCode}` }]);
  return transitionOrder(order, 'assign', contextOf(call), { set: { caregiverId }, details: { caregiverId } });
}

/**
 * Check-in and check-out carry GPS; a point beyond the geofence, a visit shorter than half the
 * expected time, or the same caregiver in service elsewhere flags the order. Flags never block.
 */
export async function checkIn(orderId: string, point: { lng: number; lat: number }, call: Call): Promise<OrderDoc> {
  const now = call.now ?? new Date();
  const order = await ownVisit(orderId, call.actor);
  const distance = distanceM(point, seniorHome(order));
  const flags = new Set(order.flags ?? []);
  if (distance > call.config.geofenceM) flags.add('geofence_check_in');
  const elsewhere = await OrderModel.countDocuments({ caregiverId: order.caregiverId, status: 'in_service', _id: { $ne: order._id } });
  if (elsewhere > 0) flags.add('caregiver_overlap');
  return transitionOrder(order, 'check_in', contextOf(call), {
    set: { checkIn: { at: now, ...point, distanceM: distance }, flags: [...flags], isFlagged: flags.size > 0 },
    details: { distanceM: distance },
  });
}

export async function checkOut(orderId: string, input: { lng: number; lat: number; visitCode?: string; notes?: string }, call: Call): Promise<OrderDoc> {
  const now = call.now ?? new Date();
  const order = await ownVisit(orderId, call.actor);
  if (order.status !== 'in_service') throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: `check-out needs in_service, the order is ${order.status}` }]);
  if (input.visitCode !== undefined) await assertVisitCode(order, input.visitCode, call.config);
  const distance = distanceM(input, seniorHome(order));
  const durationMinutes = Math.max(0, Math.round((now.getTime() - (order.checkIn?.at as Date).getTime()) / 60_000));
  const flags = new Set(order.flags ?? []);
  if (distance > call.config.geofenceM) flags.add('geofence_check_out');
  if (durationMinutes < order.expectedMinutes / 2) flags.add('short_visit');
  const set: Record<string, unknown> = { checkOut: { at: now, lng: input.lng, lat: input.lat, distanceM: distance }, durationMinutes, flags: [...flags], isFlagged: flags.size > 0 };
  if (input.visitCode === undefined) return transitionOrder(order, 'complete', contextOf(call), { set, reason: input.notes ?? null });
  return confirmAndRedeem(order, { ...set, confirmation: { method: 'visit_code', at: now, by: call.actor.id, satisfaction: null } }, call);
}

/** Community staff confirm a visit by calling the senior back; the satisfaction rates the provider. */
export async function confirmByCallback(orderId: string, input: { satisfaction?: number; note?: string }, call: Call): Promise<OrderDoc> {
  const order = await findInScope<OrderDoc>(OrderModel, orderId, orderScope, call.actor);
  const now = call.now ?? new Date();
  const confirmed = await confirmAndRedeem(order, { confirmation: { method: 'callback', at: now, by: call.actor.id, satisfaction: input.satisfaction ?? null } }, call, input.note);
  if (input.satisfaction && confirmed.providerId) {
    await ProviderStatsModel.updateOne({ _id: confirmed.providerId }, { $inc: { ratingSum: input.satisfaction, ratingCount: 1 } }, { upsert: true });
  }
  return confirmed;
}

/**
 * Confirmation then redemption of the hold (keyed by the order: at most once). If the process
 * dies between the two, the order is confirmed with its hold intact; settlement redeems it
 * (the same key) before paying, so the money is neither lost nor paid twice.
 */
async function confirmAndRedeem(order: OrderDoc, set: Record<string, unknown>, call: Call, note?: string): Promise<OrderDoc> {
  const now = call.now ?? new Date();
  const confirmed = await transitionOrder(order, 'confirm', contextOf(call), { set: { ...set, confirmedMonth: businessMonth(now, call.config.businessTimeZone) }, reason: note ?? null });
  if (confirmed.holdRef) await redeemForOrder({ orderId: confirmed.holdRef, by: call.actor.id });
  return confirmed;
}

async function assertVisitCode(order: OrderDoc, code: string, config: Config): Promise<void> {
  if ((order.visitCodeFailures ?? 0) >= VISIT_CODE_MAX_FAILURES) throw new DomainError('VISIT_CODE_LOCKED');
  if (hashVisitCode(config, String(order._id), code) === order.visitCodeHash) return;
  await OrderModel.updateOne({ _id: order._id }, { $inc: { visitCodeFailures: 1 } });
  throw new DomainError('VISIT_CODE_MISMATCH', [{ path: 'visitCode', message: `${VISIT_CODE_MAX_FAILURES - (order.visitCodeFailures ?? 0) - 1} tries left` }]);
}

/** A caregiver acts only on their own visits; anyone else's is answered as missing. */
async function ownVisit(orderId: string, actor: Actor): Promise<OrderDoc> {
  const order = await findInScope<OrderDoc>(OrderModel, orderId, orderScope, actor);
  if (order.caregiverId !== actor.caregiverId) throw new DomainError('NOT_FOUND');
  return order;
}

const seniorHome = (order: OrderDoc) => ({ lng: order.seniorLocation.lng as number, lat: order.seniorLocation.lat as number });

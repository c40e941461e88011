import type { Config } from '../config/env.ts';
import { getCaregiver } from '../organisation/index.ts';
import { verifyConfirmationPin } from '../seniors/index.ts';
import { claimTry, forgiveTries, triesLeftMessage } from '../shared/attempts.ts';
import { DomainError } from '../shared/errors.ts';
import { distanceM, toWgs84, type CoordSystem } from '../shared/geo.ts';
import type { Actor } from '../shared/roles.ts';
import { findInScope } from '../shared/scope.ts';
import { businessMonth } from '../shared/time.ts';
import { redeemForOrder } from '../vouchers/index.ts';
import { hashVisitCode } from './order-create.service.ts';
import { contextOf, transitionOrder, type OrderCall as Call } from './order-transition.ts';
import { OrderModel, ProviderStatsModel, type OrderDoc } from './order.model.ts';
import { orderScope } from './order.scope.ts';
import { bilingual } from '../shared/i18n.ts';

export const VISIT_CODE_MAX_FAILURES = 5;


/** The provider gives the accepted order to one of its caregivers who has the service's skill. */
export async function assignCaregiver(orderId: string, caregiverId: string, call: Call): Promise<OrderDoc> {
  const order = await findInScope<OrderDoc>(OrderModel, orderId, orderScope, call.actor);
  if (order.providerId !== call.actor.providerId) throw new DomainError('NOT_FOUND');
  const caregiver = await getCaregiver(caregiverId);
  if (!caregiver || caregiver.providerId !== order.providerId || caregiver.status !== 'active') throw new DomainError('VALIDATION_FAILED', [{ path: 'caregiverId', message: bilingual('不是本服务商在岗的护理员', 'not an active caregiver of this provider') }]);
  if (!caregiver.skills.includes(order.serviceTypeCode)) throw new DomainError('NOT_ELIGIBLE', [{ path: 'caregiverId', message: bilingual('该护理员不具备此项服务技能', `the caregiver lacks the skill ${order.serviceTypeCode}`) }]);
  return transitionOrder(order, 'assign', contextOf(call), { set: { caregiverId }, details: { caregiverId } });
}

/**
 * Check-in and check-out carry GPS; a point beyond the geofence, a visit shorter than half the
 * expected time, or the same caregiver in service elsewhere flags the order. Flags never block.
 */
/** What the phone says about a step: its time, its fix's accuracy, its own id for the record. */
export interface DeviceRecord { recordedAt?: string; accuracyM?: number; clientRecordId?: string }

/**
 * When a step happened, and what its timing says. Without signal the phone keeps the record and
 * sends it later (its queue): the phone's time is taken — flagged late_sync when it arrives more
 * than LATE_SYNC_MINUTES after it was made, refused past OFFLINE_SYNC_MAX_HOURS after the
 * scheduled start. A phone's time ahead of the service's, or before what it follows (the order's
 * creation, the check-in), is not believed: the service's time is taken and the visit flagged
 * clock_drift. (A clock behind by more than the late threshold reads as a late record: both flag.)
 */
function whenRecorded(record: DeviceRecord, notBefore: Date, order: OrderDoc, now: Date, config: Config): { at: Date; flags: string[] } {
  const { maxHours, lateMinutes, driftMinutes } = config.visitRecords;
  if (now.getTime() > order.scheduledStart.getTime() + maxHours * 3_600_000) {
    throw new DomainError('RULE_VIOLATION', [{ path: 'recordedAt', message: `已超过补传时限（预约时间后 ${maxHours} 小时），请联系服务商处理` }]);
  }
  if (!record.recordedAt) return { at: now, flags: [] };
  const device = new Date(record.recordedAt);
  if (device.getTime() > now.getTime() + driftMinutes * 60_000 || device.getTime() < notBefore.getTime()) return { at: now, flags: ['clock_drift'] };
  const flags = now.getTime() - device.getTime() > lateMinutes * 60_000 ? ['late_sync'] : [];
  return { at: new Date(Math.min(device.getTime(), now.getTime())), flags };
}

export async function checkIn(orderId: string, given: { lng: number; lat: number; coordSystem?: CoordSystem } & DeviceRecord, call: Call): Promise<OrderDoc> {
  const now = call.now ?? new Date();
  const order = await ownVisit(orderId, call.actor);
  // The same record again (the phone's queue sent it twice, or never saw the answer): as it is.
  if (given.clientRecordId && order.checkIn?.clientRecordId === given.clientRecordId) return order;
  const timing = whenRecorded(given, order.createdAt as Date, order, now, call.config);
  // Stored and compared in WGS-84, the datum of the senior's home on the order (order-facts).
  const point = toWgs84(given, given.coordSystem);
  const distance = distanceM(point, seniorHome(order));
  const flags = new Set([...(order.flags ?? []), ...timing.flags]);
  if (distance > call.config.geofenceM) flags.add('geofence_check_in');
  const elsewhere = await OrderModel.countDocuments({ caregiverId: order.caregiverId, status: 'in_service', _id: { $ne: order._id } });
  if (elsewhere > 0) flags.add('caregiver_overlap');
  return transitionOrder(order, 'check_in', contextOf(call), {
    set: { checkIn: { at: timing.at, ...point, distanceM: distance, accuracyM: given.accuracyM ?? null, receivedAt: now, clientRecordId: given.clientRecordId ?? null }, flags: [...flags], isFlagged: flags.size > 0 },
    details: { distanceM: distance },
  });
}

export interface CheckOutInput extends DeviceRecord {
  lng: number;
  lat: number;
  coordSystem?: CoordSystem;
  /** The order's 6-digit code, which the senior was given when the order was made. */
  visitCode?: string;
  /** The senior's personal confirmation PIN: good for any of the senior's orders. */
  seniorPin?: string;
  /** Why the senior could give neither: the visit then waits for a staff callback. */
  noCodeReason?: string;
  notes?: string;
}

/**
 * The caregiver leaves. The visit is confirmed at once by the order's code or the senior's PIN;
 * without either she must say why the senior could give none (an empty code field used to close
 * the visit silently into callback). Exactly one of the three, checked before anything is read.
 */
export async function checkOut(orderId: string, input: CheckOutInput, call: Call): Promise<OrderDoc> {
  assertOneProof(input);
  const now = call.now ?? new Date();
  const order = await ownVisit(orderId, call.actor);
  if (input.clientRecordId && order.checkOut?.clientRecordId === input.clientRecordId) return order;
  if (order.status !== 'in_service') throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: '只有服务中的工单可以签退' }]);
  if (input.visitCode !== undefined) await assertVisitCode(order, input.visitCode, call.config);
  if (input.seniorPin !== undefined) await verifyConfirmationPin(order.seniorId, input.seniorPin, call.config);
  const checkedInAt = order.checkIn?.at as Date;
  const timing = whenRecorded(input, checkedInAt, order, now, call.config);
  const point = toWgs84(input, input.coordSystem);
  const distance = distanceM(point, seniorHome(order));
  const durationMinutes = Math.max(0, Math.round((timing.at.getTime() - checkedInAt.getTime()) / 60_000));
  const flags = new Set([...(order.flags ?? []), ...timing.flags]);
  if (distance > call.config.geofenceM) flags.add('geofence_check_out');
  if (durationMinutes < order.expectedMinutes / 2) flags.add('short_visit');
  const set: Record<string, unknown> = {
    checkOut: { at: timing.at, lng: point.lng, lat: point.lat, distanceM: distance, accuracyM: input.accuracyM ?? null, receivedAt: now, clientRecordId: input.clientRecordId ?? null },
    durationMinutes, flags: [...flags], isFlagged: flags.size > 0,
  };
  if (input.noCodeReason !== undefined) {
    return transitionOrder(order, 'complete', contextOf(call), { set: { ...set, noCodeReason: input.noCodeReason }, reason: input.notes ?? null, details: { noCodeReason: input.noCodeReason } });
  }
  const method = input.seniorPin !== undefined ? 'senior_pin' : 'visit_code';
  return confirmAndRedeem(order, { ...set, confirmation: { method, at: timing.at, by: call.actor.id, satisfaction: null } }, call, input.notes);
}

function assertOneProof(input: CheckOutInput): void {
  const given = [input.visitCode, input.seniorPin, input.noCodeReason].filter((value) => value !== undefined).length;
  if (given === 1) return;
  throw new DomainError('VALIDATION_FAILED', [{
    path: '',
    message: given === 0
      ? '签退需要老人的服务核验码或个人确认码；老人无法提供时，请选择“老人无法提供核验码”并写明原因'
      : '服务核验码、个人确认码和无法提供核验码的原因只能填写一项',
  }]);
}

/** Community staff confirm a visit by calling the senior back; the satisfaction rates the provider. */
export async function confirmByCallback(orderId: string, input: { satisfaction?: number; note?: string }, call: Call): Promise<OrderDoc> {
  const confirmed = await confirmAfterVisit(orderId, { method: 'callback', satisfaction: input.satisfaction ?? null }, call, input.note);
  if (input.satisfaction && confirmed.providerId) {
    await ProviderStatsModel.updateOne({ _id: confirmed.providerId }, { $inc: { ratingSum: input.satisfaction, ratingCount: 1 } }, { upsert: true });
  }
  return confirmed;
}

/**
 * The senior answered the SMS question "1" (issue 20): the visit is confirmed as a callback would
 * confirm it, by the system, `method: sms_reply`, its hold redeemed on the same path.
 */
export function confirmBySmsReply(orderId: string, call: Call): Promise<OrderDoc> {
  return confirmAfterVisit(orderId, { method: 'sms_reply', satisfaction: null }, call, '老人回复短信确认已接受服务');
}

/** A completed visit confirmed after the caregiver left: by a callback or by the senior's SMS reply. */
async function confirmAfterVisit(orderId: string, how: { method: 'callback' | 'sms_reply'; satisfaction: number | null }, call: Call, note?: string): Promise<OrderDoc> {
  const order = await findInScope<OrderDoc>(OrderModel, orderId, orderScope, call.actor);
  const now = call.now ?? new Date();
  return confirmAndRedeem(order, { confirmation: { method: how.method, at: now, by: call.actor.id, satisfaction: how.satisfaction } }, call, note);
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

/** The order's code, five tries per order (shared/attempts.ts: each try is claimed before the compare). */
async function assertVisitCode(order: OrderDoc, code: string, config: Config): Promise<void> {
  const claimed = await claimTry<OrderDoc>(OrderModel, order._id, 'visitCodeFailures', VISIT_CODE_MAX_FAILURES);
  if (!claimed) throw new DomainError('VISIT_CODE_LOCKED', [{ path: 'visitCode', message: '服务核验码错误次数过多，已锁定；可改用老人的个人确认码，或由社区电话回访确认' }]);
  if (hashVisitCode(config, String(order._id), code) === order.visitCodeHash) {
    await forgiveTries(OrderModel, order._id, 'visitCodeFailures', claimed.used);
    return;
  }
  throw new DomainError('VISIT_CODE_MISMATCH', [{ path: 'visitCode', message: `服务核验码不正确，${triesLeftMessage(VISIT_CODE_MAX_FAILURES, claimed.used)}` }]);
}

/** A caregiver acts only on their own visits; anyone else's is answered as missing. */
export async function ownVisit(orderId: string, actor: Actor): Promise<OrderDoc> {
  const order = await findInScope<OrderDoc>(OrderModel, orderId, orderScope, actor);
  if (order.caregiverId !== actor.caregiverId) throw new DomainError('NOT_FOUND');
  return order;
}

const seniorHome = (order: OrderDoc) => ({ lng: order.seniorLocation.lng as number, lat: order.seniorLocation.lat as number });

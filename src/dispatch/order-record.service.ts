import { randomInt } from 'node:crypto';
import mongoose from 'mongoose';
import { recordAudit } from '../audit/index.ts';
import type { Config } from '../config/env.ts';
import { isDuplicateKeyError } from '../shared/mongo-errors.ts';
import type { Actor } from '../shared/roles.ts';
import { businessDay, businessMonth } from '../shared/time.ts';
import { accountOf, assertRoomForVisit, holdWholeSubsidy, redeemForOrder } from '../vouchers/index.ts';
import { hashVisitCode } from './order-create.service.ts';
import { countOrderChange } from './order-counts.ts';
import { nextOrderNumber } from './order-number.ts';
import { OrderHistoryModel, OrderModel, type OrderDoc, type OrderFlag } from './order.model.ts';
import type { OrderStatus } from './order.state-machine.ts';

/** A point of an uploaded visit, already in WGS-84, with its distance from the senior's home. */
export interface RecordedPoint { at: Date; lng: number; lat: number; distanceM: number }

/**
 * A visit a provider's own system recorded, checked by service-records (senior, contract, caregiver
 * and skill, times, coordinates) and priced: everything the order needs, nothing left to look up.
 */
export interface RecordedVisit {
  providerId: string;
  externalId: string;
  caregiverId: string;
  senior: { seniorId: string; communityId: string; streetId: string; location: { lng: number; lat: number } };
  serviceTypeCode: string;
  quantity: number;
  expectedMinutes: number;
  priceFen: number;
  subsidyFen: number;
  subsidyRatePct: number;
  checkIn: RecordedPoint;
  checkOut: RecordedPoint;
  /** The flags a live visit with these points and times would carry (geofence, short visit, overlap). */
  flags: OrderFlag[];
  /** The senior gave the right personal PIN at the door (checked by the caller): the visit is confirmed. */
  confirmedByPin: boolean;
}

export type RecordOutcome =
  | { status: 'created'; orderId: string }
  | { status: 'duplicate'; orderId: string }
  | { status: 'rejected'; errors: { column: string; message: { zh: string; en: string } }[] };

/** What makes an uploaded row the same row: the provider and its own record id. */
export const recordKeyOf = (providerId: string, externalId: string): string => `${providerId}:${externalId}`;

/**
 * Records an uploaded visit as a `completed` order (`confirmed` when the senior's PIN came with it),
 * source `provider_record`, its subsidy held on the senior's vouchers like a dispatched order's.
 *
 * The steps, and what a crash between any two leaves:
 * 1. the balance and the month's caps are read: a subsidy the vouchers cannot cover, or one past
 *    the policy's monthly cap or visit quota, refuses the row, nothing written;
 * 2. the order is inserted under its record key (unique): the same row again, or two uploads of
 *    it at once, find this order instead of making another (answered `duplicate`);
 * 3. the subsidy is counted against the caps and held under the order's id (the key its holdRef names);
 * 4. with a PIN, the hold is redeemed (confirm-then-redeem, as check-out does);
 * 5. counters, history and audit, together.
 * A crash after 2 leaves an order whose hold is missing: settlement cannot redeem it and holds the
 * visit back (VOUCHER_NOT_REDEEMABLE) — nothing is paid that was not held — and uploading the file
 * again finishes 3 and 4 (finishRecordedVisit, the duplicate path). A balance spent by another order
 * between 1 and 3 fails the hold: the order is taken out again and the row refused.
 */
export async function recordVisit(visit: RecordedVisit, ctx: { actor: Actor; config: Config; requestId: string | null; now: Date }): Promise<RecordOutcome> {
  const { actor, config, now } = ctx;
  const tz = config.businessTimeZone;
  const capKey = { seniorId: visit.senior.seniorId, month: businessMonth(visit.checkIn.at, tz), serviceTypeCode: visit.serviceTypeCode };
  if (visit.subsidyFen > 0) {
    const { availableFen } = await accountOf(visit.senior.seniorId);
    if (availableFen < visit.subsidyFen) return insufficientBalance(availableFen, visit.subsidyFen);
    const capRefusal = await assertRoomForVisit({ ...capKey, amountFen: visit.subsidyFen }).then(() => null, capExceeded);
    if (capRefusal) return capRefusal;
  }
  const id = new mongoose.Types.ObjectId();
  const orderId = String(id);
  const status: OrderStatus = visit.confirmedByPin ? 'confirmed' : 'completed';
  const durationMinutes = Math.max(0, Math.round((visit.checkOut.at.getTime() - visit.checkIn.at.getTime()) / 60_000));
  const point = (p: RecordedPoint) => ({ at: p.at, lng: p.lng, lat: p.lat, distanceM: p.distanceM, accuracyM: null, receivedAt: now, clientRecordId: null });
  let created: OrderDoc;
  try {
    created = (await OrderModel.create({
      _id: id,
      number: await nextOrderNumber(now, tz),
      recordKey: recordKeyOf(visit.providerId, visit.externalId),
      externalId: visit.externalId,
      seniorId: visit.senior.seniorId,
      communityId: visit.senior.communityId,
      streetId: visit.senior.streetId,
      seniorLocation: visit.senior.location,
      serviceTypeCode: visit.serviceTypeCode,
      quantity: visit.quantity,
      expectedMinutes: visit.expectedMinutes,
      scheduledStart: visit.checkIn.at,
      scheduledDay: businessDay(visit.checkIn.at, tz),
      source: 'provider_record',
      priority: 'normal',
      status,
      providerId: visit.providerId,
      caregiverId: visit.caregiverId,
      priceFen: visit.priceFen,
      subsidyFen: visit.subsidyFen,
      selfPayFen: visit.priceFen - visit.subsidyFen,
      subsidyRatePct: visit.subsidyRatePct,
      holdRef: visit.subsidyFen > 0 ? orderId : null,
      // Nobody is told this code: an uploaded visit is confirmed by the PIN, a callback or the sample.
      visitCodeHash: hashVisitCode(config, orderId, String(randomInt(0, 1_000_000)).padStart(6, '0')),
      checkIn: point(visit.checkIn),
      checkOut: point(visit.checkOut),
      durationMinutes,
      flags: visit.flags,
      isFlagged: visit.flags.length > 0,
      confirmation: visit.confirmedByPin ? { method: 'senior_pin', at: visit.checkOut.at, by: actor.id, satisfaction: null } : null,
      confirmedMonth: visit.confirmedByPin ? businessMonth(now, tz) : null,
      createdBy: actor.id,
    })).toObject() as OrderDoc;
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const existing = await OrderModel.findOne({ recordKey: recordKeyOf(visit.providerId, visit.externalId) }).lean();
    if (!existing) throw error;
    await finishRecordedVisit(existing as OrderDoc, actor.id);
    return { status: 'duplicate', orderId: String(existing._id) };
  }
  if (visit.subsidyFen > 0) {
    try {
      await holdWholeSubsidy({ ...capKey, holdRef: orderId, amountFen: visit.subsidyFen, by: actor.id });
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code !== 'INSUFFICIENT_BALANCE' && code !== 'CAP_EXCEEDED') throw error;
      // Another order took the balance or the cap's room since step 1: the row is refused, as if it had been read so.
      await OrderModel.deleteOne({ _id: id, status });
      return code === 'CAP_EXCEEDED' ? capExceeded(error) : insufficientBalance((await accountOf(visit.senior.seniorId)).availableFen, visit.subsidyFen);
    }
    if (visit.confirmedByPin) await redeemForOrder({ orderId, by: actor.id });
  }
  await Promise.all([
    countOrderChange(null, created),
    OrderHistoryModel.create({
      orderId, at: now, actorId: actor.id, action: 'record', fromStatus: status, toStatus: status,
      reason: null, details: { externalId: visit.externalId, checkInAt: visit.checkIn.at, checkOutAt: visit.checkOut.at },
    }),
    recordAudit({
      actor, action: 'order.record', entityType: 'service_order', entityId: orderId, requestId: ctx.requestId,
      after: { number: created.number, status, externalId: visit.externalId, providerId: visit.providerId, caregiverId: visit.caregiverId, serviceTypeCode: visit.serviceTypeCode, quantity: visit.quantity, flags: visit.flags },
    }),
  ]);
  return { status: 'created', orderId };
}

/**
 * An uploaded visit found again (the same row re-sent): the steps a crash may have cut are done
 * now — its hold, and with a PIN its redemption — each keyed by the order, so done at most once.
 * A hold the balance or the month's caps can no longer cover stays missing; settlement holds the visit back.
 */
async function finishRecordedVisit(order: OrderDoc, by: string): Promise<void> {
  if (order.subsidyFen <= 0 || !order.holdRef || !['completed', 'confirmed'].includes(order.status)) return;
  try {
    await holdWholeSubsidy({ holdRef: order.holdRef, seniorId: order.seniorId, month: order.scheduledDay.slice(0, 7), serviceTypeCode: order.serviceTypeCode, amountFen: order.subsidyFen, by });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'INSUFFICIENT_BALANCE' || code === 'CAP_EXCEEDED') return;
    throw error;
  }
  if (order.status === 'confirmed') await redeemForOrder({ orderId: order.holdRef, by });
}

/** Existing orders of these record keys: key → the order, finished if a crash cut it (see recordVisit). */
export async function recordedVisitsByKey(keys: string[], by: string): Promise<Map<string, string>> {
  if (keys.length === 0) return new Map();
  const found = await OrderModel.find({ recordKey: { $in: [...new Set(keys)] } }).lean();
  for (const order of found) await finishRecordedVisit(order as OrderDoc, by);
  return new Map(found.map((order) => [order.recordKey as string, String(order._id)]));
}

/** One caregiver's visit interval, for the overlap check of an upload. */
export interface CaregiverInterval { orderId: string; caregiverId: string; checkInAt: Date; endsAt: Date }

/**
 * The visits of these caregivers on these days that have a check-in, as intervals (a visit still in
 * service runs until now): what an uploaded visit of theirs is checked against for overlaps. One read
 * per batch of rows, through the (caregiverId, scheduledDay) index.
 */
export async function caregiverIntervals(caregiverIds: string[], days: string[], now: Date): Promise<CaregiverInterval[]> {
  if (caregiverIds.length === 0 || days.length === 0) return [];
  const orders = await OrderModel.find(
    { caregiverId: { $in: [...new Set(caregiverIds)] }, scheduledDay: { $in: [...new Set(days)] } },
    { caregiverId: 1, status: 1, checkIn: 1, checkOut: 1 },
  ).lean();
  return orders.filter((order) => order.checkIn?.at && order.caregiverId).map((order) => ({
    orderId: String(order._id),
    caregiverId: order.caregiverId as string,
    checkInAt: order.checkIn?.at as Date,
    endsAt: order.checkOut?.at ?? (order.status === 'in_service' ? now : (order.checkIn?.at as Date)),
  }));
}

/** A cap refusal as the row's error, in the words of CAP_EXCEEDED's details. */
function capExceeded(error: unknown): RecordOutcome {
  if ((error as { code?: string }).code !== 'CAP_EXCEEDED') throw error;
  const message = (error as { details: { message: string }[] }).details[0]?.message ?? '超出服务券政策的限额';
  return { status: 'rejected', errors: [{ column: 'serviceTypeCode', message: { zh: `${message}，不能按补贴结算`, en: 'a cap of the voucher policy would be exceeded: the subsidy cannot be paid' } }] };
}

function insufficientBalance(availableFen: number, subsidyFen: number): RecordOutcome {
  const yuan = (fen: number) => (fen / 100).toFixed(2);
  return {
    status: 'rejected',
    errors: [{
      column: 'seniorIdNumber',
      message: {
        zh: `老人服务券可用余额 ${yuan(availableFen)} 元，不足本次补贴 ${yuan(subsidyFen)} 元，不能按补贴结算`,
        en: `the senior's available voucher balance (${yuan(availableFen)} yuan) does not cover this visit's subsidy (${yuan(subsidyFen)} yuan)`,
      },
    }],
  };
}

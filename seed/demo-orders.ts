import type { Config } from '../src/config/env.ts';
import {
  acceptOffer, assignCaregiver, cancelOrder, checkIn, checkOut, confirmByCallback, countOrdersCreatedBy, createOrder, declineOffer, disputeOrder, hasLiveOffer,
  hasOpenVisitOn, orderState, resolveDispute,
} from '../src/dispatch/index.ts';
import { seniorsForIssuance } from '../src/seniors/index.ts';
import type { Actor } from '../src/shared/roles.ts';
import { addDaysToDay, businessDay, businessMonth, startOfBusinessDay } from '../src/shared/time.ts';
import { gpsFixNear, honestMinutes } from './visit-noise.ts';

const SEED_ACTOR = 'demo-seed';
const MINUTE = 60_000;

type Target = 'offered' | 'unassigned' | 'accepted' | 'assigned' | 'in_service' | 'completed' | 'flagged' | 'confirmed_code' | 'confirmed_callback' | 'disputed' | 'rejected' | 'cancelled';

/**
 * How many demo orders end in each state. The visits still in service come last: they are the
 * latest of their caregivers' day, and a caregiver in service is not checked in elsewhere.
 */
const PLAN: [Target, number][] = [
  ['offered', 3], ['unassigned', 2], ['accepted', 2], ['assigned', 2], ['completed', 2], ['flagged', 2],
  ['confirmed_code', 3], ['confirmed_callback', 3], ['disputed', 1], ['rejected', 1], ['cancelled', 2], ['in_service', 2],
];

const isMeal = (target: Target) => !['offered', 'unassigned', 'accepted', 'assigned', 'cancelled'].includes(target);
/** A visit checked in and out today (its confirmation, callback or dispute may follow now). */
const isFinishedVisit = (target: Target) => isMeal(target) && target !== 'in_service';
/** Today's visits follow one another, one slot each (a meal delivery of 16–24 minutes and the way to the next home). */
const SLOT_MINUTES = 35;

const actor = (role: Actor['role'], scope: Partial<Actor> = {}): Actor => ({ id: SEED_ACTOR, role, communityIds: [], streetId: null, providerId: null, caregiverId: null, ...scope });

/** When a visit was booked, when it was due to start; the caregivers in service so far (one visit at a time each). */
interface Booking { bookedAt: Date; start: Date; inService: Set<string> }

/**
 * Orders of the demo district in every state, driven through the real services (so holds,
 * redemptions, history and audit are all genuine). Runs once: skipped when seed orders exist.
 * Today's visits were booked two hours ahead and made one after another, each in a slot of its own
 * (so no caregiver is in two homes at once nor crosses the district in minutes), checked in and
 * out 10–50 m from the home and lasting the expected time ±20% (visit-noise.ts) — what honest
 * visits look like to the anomaly report. A demo started in the first hours of a month's first day
 * has no room for them all before it: they are then packed after the month's start.
 */
export async function seedDemoOrders(config: Config, caregiversByProvider: Map<string, { caregiverId: string; skills: readonly string[] }[]>): Promise<number> {
  if ((await countOrdersCreatedBy(SEED_ACTOR)) > 0) return 0;
  const now = new Date();
  const seniors: string[] = [];
  for await (const senior of seniorsForIssuance(businessMonth(now, config.businessTimeZone))) seniors.push(senior.seniorId);
  const targets = PLAN.flatMap(([target, count]) => Array<Target>(count).fill(target));
  const finishedCount = targets.filter(isFinishedVisit).length;
  const monthStart = startOfBusinessDay(`${businessMonth(now, config.businessTimeZone)}-01`, config.businessTimeZone).getTime();
  /** The k-th of today's finished visits: the last one starts 45 minutes before now, the others a slot apart before it. */
  const finishedStart = (k: number) => new Date(Math.max(monthStart + (k + 1) * 5 * MINUTE, now.getTime() - (45 + (finishedCount - 1 - k) * SLOT_MINUTES) * MINUTE));
  const inService = new Set<string>();
  let finished = 0;
  let created = 0;
  for (const [index, target] of targets.entries()) {
    const seniorId = seniors[(index * 7) % seniors.length];
    if (!seniorId) break;
    const isVisited = isMeal(target);
    let start = new Date(now.getTime() + (24 * 60 + index * 15) * MINUTE);
    if (isFinishedVisit(target)) start = finishedStart(finished++);
    else if (target === 'in_service') start = new Date(now.getTime() - (12 - 5 * inService.size) * MINUTE);
    const booking = { bookedAt: isVisited ? new Date(start.getTime() - 120 * MINUTE) : now, start, inService };
    const call = { actor: actor('admin'), config, requestId: null, now: booking.bookedAt };
    const result = await createOrder({ seniorId, serviceTypeCode: isVisited ? 'meal_delivery' : 'cleaning', quantity: isVisited ? 1 : 2, scheduledStart: start.toISOString(), source: 'staff' }, call)
      .catch(() => null); // a suspended senior, for instance: take the next
    if (!result) continue;
    created += 1;
    await driveTo(String(result.order._id), result.visitCode, target, booking, config, caregiversByProvider, now);
  }
  return created;
}

async function driveTo(orderId: string, visitCode: string, target: Target, booking: Booking, config: Config, caregivers: Map<string, { caregiverId: string; skills: readonly string[] }[]>, now: Date): Promise<void> {
  const ctx = { config, requestId: null, now };
  const order = await orderState(orderId);
  if (!order || target === 'offered' || order.status !== 'offered') return;
  const offered = order.offeredProviderId as string;
  if (target === 'unassigned') {
    for (let provider: string | null = offered; provider; provider = (await orderState(orderId))?.offeredProviderId ?? null) {
      await declineOffer(orderId, '演示：人手不足', actor('provider_admin', { providerId: provider }), ctx);
    }
    return;
  }
  if (target === 'cancelled') {
    await cancelOrder(orderId, '演示：老人取消', { ...ctx, actor: actor('admin') });
    return;
  }
  const providerActor = actor('provider_admin', { providerId: offered });
  const booked = (minutes: number) => new Date(booking.bookedAt.getTime() + minutes * MINUTE);
  await acceptOffer(orderId, providerActor, { ...ctx, now: booked(10) });
  if (target === 'accepted') return;
  const caregiver = (caregivers.get(offered) ?? []).find((c) => c.skills.includes(isMeal(target) ? 'meal_delivery' : 'cleaning'));
  if (!caregiver) return;
  await assignCaregiver(orderId, caregiver.caregiverId, { ...ctx, actor: providerActor, now: booked(20) });
  // A caregiver already in service elsewhere has this visit still to come.
  if (target === 'assigned' || (target === 'in_service' && booking.inService.has(caregiver.caregiverId))) return;
  if (target === 'in_service') booking.inService.add(caregiver.caregiverId);
  await makeVisit(orderId, visitCode, target, booking.start, actor('caregiver', { providerId: offered, caregiverId: caregiver.caregiverId }), order.seniorLocation, config);
  if (target === 'in_service' || target === 'completed' || target === 'flagged' || target === 'confirmed_code') return;
  await confirmByCallback(orderId, { satisfaction: 4 + (orderId.charCodeAt(23) % 2), note: '演示：电话回访确认' }, { ...ctx, actor: actor('community_staff', { communityIds: [order.communityId] }) });
  if (target === 'confirmed_callback') return;
  await disputeOrder(orderId, '演示：家属反映服务时长不足', { ...ctx, actor: actor('admin') });
  if (target === 'rejected') await resolveDispute(orderId, 'invalid', '演示：核实未按约服务', { ...ctx, actor: actor('finance_officer') });
}

/**
 * The caregiver at the door a few minutes after the start, and (but for a visit still in service)
 * gone again. The two 'flagged' visits are the demo's deliberate suspects, so that the anomaly page
 * has something to show: checked in about 950 m from the home and out after 5 minutes (geofence,
 * short visit). Every other visit is an honest one.
 */
async function makeVisit(orderId: string, visitCode: string, target: Target, start: Date, visitor: Actor, home: { lng: number; lat: number }, config: Config): Promise<void> {
  const checkInAt = new Date(start.getTime() + (2 + (orderId.charCodeAt(22) % 4)) * MINUTE);
  const isFlagged = target === 'flagged';
  const checkInPoint = isFlagged ? { lng: home.lng + 0.01, lat: home.lat } : gpsFixNear(home, `${orderId}:check-in`);
  await checkIn(orderId, checkInPoint, { actor: visitor, config, requestId: null, now: checkInAt });
  if (target === 'in_service') return;
  const minutes = isFlagged ? 5 : honestMinutes(20, orderId);
  const proof = target === 'confirmed_code' ? { visitCode } : { noCodeReason: '演示：老人记不清核验码' };
  await checkOut(orderId, { ...gpsFixNear(home, `${orderId}:check-out`), ...proof }, { actor: visitor, config, requestId: null, now: new Date(checkInAt.getTime() + minutes * MINUTE) });
}

/**
 * What the demo's provider and caregiver find whenever the demo is started: provider.anxin a live
 * offer, caregiver.li a visit today (the seeded orders above are made once, and their offers expire
 * within minutes). Runs on every start; adds an order only when the one it would add is missing.
 */
export async function ensureDemoDay(config: Config, providerId: string, caregiverId: string): Promise<void> {
  const now = new Date();
  const today = businessDay(now, config.businessTimeZone);
  const seniors: string[] = [];
  for await (const senior of seniorsForIssuance(businessMonth(now, config.businessTimeZone))) seniors.push(senior.seniorId);
  const ctx = { config, requestId: null, now };
  const provider = actor('provider_admin', { providerId });
  /** An order offered to the provider (others decline until it is; a senior it cannot serve is cancelled and the next one tried). */
  const offeredToProvider = async (scheduledStart: Date, tag: number): Promise<string | null> => {
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const seniorId = seniors[(tag * 13 + attempt * 7) % seniors.length];
      if (!seniorId) return null;
      const result = await createOrder({ seniorId, serviceTypeCode: 'cleaning', quantity: 1, scheduledStart: scheduledStart.toISOString(), source: 'staff', notes: '演示：请提前电话联系老人' }, { actor: actor('admin'), config, requestId: null, now })
        .catch(() => null);
      if (!result) continue;
      const orderId = String(result.order._id);
      for (let offered = (await orderState(orderId))?.offeredProviderId ?? null; offered && offered !== providerId; offered = (await orderState(orderId))?.offeredProviderId ?? null) {
        await declineOffer(orderId, '演示：人手不足', actor('provider_admin', { providerId: offered }), ctx);
      }
      if ((await orderState(orderId))?.offeredProviderId === providerId) return orderId;
      if ((await orderState(orderId))?.status !== 'cancelled') await cancelOrder(orderId, '演示：换一位老人', { ...ctx, actor: actor('admin') }).catch(() => undefined);
    }
    return null;
  };
  if (!(await hasOpenVisitOn(caregiverId, today))) {
    // Today, in half an hour — or just before midnight when the demo starts late in the evening.
    const endOfToday = startOfBusinessDay(addDaysToDay(today, 1), config.businessTimeZone).getTime() - 60_000;
    const orderId = await offeredToProvider(new Date(Math.max(now.getTime() + 60_000, Math.min(now.getTime() + 30 * 60_000, endOfToday))), 1);
    if (orderId) {
      await acceptOffer(orderId, provider, ctx);
      await assignCaregiver(orderId, caregiverId, { ...ctx, actor: provider });
    }
  }
  if (!(await hasLiveOffer(providerId, now))) {
    const tomorrowTen = new Date(startOfBusinessDay(addDaysToDay(today, 1), config.businessTimeZone).getTime() + 10 * 3_600_000);
    await offeredToProvider(tomorrowTen, 2);
  }
}

import type { Config } from '../src/config/env.ts';
import {
  acceptOffer, assignCaregiver, cancelOrder, checkIn, checkOut, confirmByCallback, countOrdersCreatedBy, createOrder, declineOffer, disputeOrder, hasLiveOffer,
  hasOpenVisitOn, orderState, resolveDispute,
} from '../src/dispatch/index.ts';
import { seniorsForIssuance } from '../src/seniors/index.ts';
import type { Actor } from '../src/shared/roles.ts';
import { addDaysToDay, businessDay, businessMonth, startOfBusinessDay } from '../src/shared/time.ts';

const SEED_ACTOR = 'demo-seed';

type Target = 'offered' | 'unassigned' | 'accepted' | 'assigned' | 'in_service' | 'completed' | 'flagged' | 'confirmed_code' | 'confirmed_callback' | 'disputed' | 'rejected' | 'cancelled';

/** How many demo orders end in each state (a few flagged: far check-in, short visit). */
const PLAN: [Target, number][] = [
  ['offered', 3], ['unassigned', 2], ['accepted', 2], ['assigned', 2], ['in_service', 2], ['completed', 2], ['flagged', 2],
  ['confirmed_code', 3], ['confirmed_callback', 3], ['disputed', 1], ['rejected', 1], ['cancelled', 2],
];

const isMeal = (target: Target) => !['offered', 'unassigned', 'accepted', 'assigned', 'cancelled'].includes(target);

const actor = (role: Actor['role'], scope: Partial<Actor> = {}): Actor => ({ id: SEED_ACTOR, role, communityIds: [], streetId: null, providerId: null, caregiverId: null, ...scope });

/**
 * Orders of the demo district in every state, driven through the real services (so holds,
 * redemptions, history and audit are all genuine). Runs once: skipped when seed orders exist.
 */
export async function seedDemoOrders(config: Config, caregiversByProvider: Map<string, { caregiverId: string; skills: readonly string[] }[]>): Promise<number> {
  if ((await countOrdersCreatedBy(SEED_ACTOR)) > 0) return 0;
  const now = new Date();
  const seniors: string[] = [];
  for await (const senior of seniorsForIssuance(businessMonth(now, config.businessTimeZone))) seniors.push(senior.seniorId);
  const targets = PLAN.flatMap(([target, count]) => Array<Target>(count).fill(target));
  let created = 0;
  for (const [index, target] of targets.entries()) {
    const seniorId = seniors[(index * 7) % seniors.length];
    if (!seniorId) break;
    const isVisited = isMeal(target);
    const start = new Date(now.getTime() + (isVisited ? -50 : 24 * 60 + index * 15) * 60_000);
    const call = { actor: actor('admin'), config, requestId: null, now };
    const result = await createOrder({ seniorId, serviceTypeCode: isVisited ? 'meal_delivery' : 'cleaning', quantity: isVisited ? 1 : 2, scheduledStart: start.toISOString(), source: 'staff' }, call)
      .catch(() => null); // a suspended senior, for instance: take the next
    if (!result) continue;
    created += 1;
    await driveTo(String(result.order._id), result.visitCode, target, config, caregiversByProvider, now);
  }
  return created;
}

async function driveTo(orderId: string, visitCode: string, target: Target, config: Config, caregivers: Map<string, { caregiverId: string; skills: readonly string[] }[]>, now: Date): Promise<void> {
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
  await acceptOffer(orderId, providerActor, ctx);
  if (target === 'accepted') return;
  const caregiver = (caregivers.get(offered) ?? []).find((c) => c.skills.includes(isMeal(target) ? 'meal_delivery' : 'cleaning'));
  if (!caregiver) return;
  await assignCaregiver(orderId, caregiver.caregiverId, { ...ctx, actor: providerActor });
  if (target === 'assigned') return;
  const visitor = actor('caregiver', { providerId: offered, caregiverId: caregiver.caregiverId });
  const home = order.seniorLocation;
  const checkInAt = new Date(now.getTime() - 40 * 60_000);
  const farAway = { lng: home.lng + 0.01, lat: home.lat };
  await checkIn(orderId, target === 'flagged' ? farAway : home, { ...ctx, actor: visitor, now: target === 'flagged' ? new Date(now.getTime() - 5 * 60_000) : checkInAt });
  if (target === 'in_service') return;
  await checkOut(orderId, { ...home, ...(target === 'confirmed_code' ? { visitCode } : { noCodeReason: '演示：老人记不清核验码' }) }, { ...ctx, actor: visitor });
  if (target === 'completed' || target === 'flagged' || target === 'confirmed_code') return;
  const staff = actor('admin');
  await confirmByCallback(orderId, { satisfaction: 4 + (orderId.charCodeAt(23) % 2), note: '演示：电话回访确认' }, { ...ctx, actor: actor('community_staff', { communityIds: [order.communityId] }) });
  if (target === 'confirmed_callback') return;
  await disputeOrder(orderId, '演示：家属反映服务时长不足', { ...ctx, actor: staff });
  if (target === 'rejected') await resolveDispute(orderId, 'invalid', '演示：核实未按约服务', { ...ctx, actor: actor('finance_officer') });
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

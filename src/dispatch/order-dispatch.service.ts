import type { Config } from '../config/env.ts';
import { enqueueNotification } from '../notifications/index.ts';
import { dispatchCandidates, getServiceType } from '../organisation/index.ts';
import { DomainError } from '../shared/errors.ts';
import { holdSubsidy, releaseForOrder } from '../vouchers/index.ts';
import { providerDayCounts } from './order-counts.ts';
import { OrderRankingModel, ProviderStatsModel, type OrderDoc } from './order.model.ts';
import { transitionOrder, type TransitionContext } from './order-transition.ts';
import type { OrderStatus } from './order.state-machine.ts';
import { attemptsOf } from './order.view.ts';
import { rankProviders, type RankCandidate } from './ranking.ts';

/** Orders a provider has taken for a day: they count against its daily capacity. */
const TAKEN: OrderStatus[] = ['accepted', 'assigned', 'in_service', 'completed', 'confirmed', 'settled'];

export interface DispatchOptions {
  config: Config;
  /** How the current offer ended, when this dispatch follows it (decline, expiry). */
  lastOutcome?: { outcome: 'declined' | 'expired'; reason?: string | null };
  /** A manual dispatch may name the provider; it must be eligible. */
  providerId?: string;
  /** The order's service type when the caller has just read it (creation): one read fewer. */
  serviceType?: Awaited<ReturnType<typeof getServiceType>>;
}

/**
 * Offers the order to the best eligible provider, or leaves it `unassigned` for a human when
 * nobody is. The offer's provider sets the price (contract unit price × quantity); the subsidy is
 * min(price × the senior's rate under the policy's share cap, what the voucher account has
 * available, what the month's cap has left) and is held on the
 * account under the order's hold reference. The order moves only if it is still in the state and
 * offer it was read with; a hold made for a move that lost that race is released again.
 */
export async function dispatchOrder(order: OrderDoc, ctx: TransitionContext, options: DispatchOptions): Promise<OrderDoc> {
  const attempts = attemptsOf(order);
  const last = attempts.at(-1);
  if (options.lastOutcome && last?.outcome === 'offered') Object.assign(last, { outcome: options.lastOutcome.outcome, reason: options.lastOutcome.reason ?? null, answeredAt: ctx.now });
  const offerCondition = order.offer?.offeredAt ? { 'offer.offeredAt': order.offer.offeredAt } : {};
  const serviceType = options.serviceType ?? (await getServiceType(order.serviceTypeCode));
  const ranked = await rankFor(order, serviceType, new Set(attempts.map((a) => a.providerId)), ctx.now);
  const chosen = options.providerId ? ranked.find((r) => r.providerId === options.providerId) : ranked[0];
  if (options.providerId && !chosen) throw new DomainError('NOT_ELIGIBLE', [{ path: 'providerId', message: '该服务商不能接这单（合同、技能、当日容量或此前已拒单）' }]);

  if (!chosen) {
    if (order.holdRef) await releaseForOrder({ orderId: order.holdRef, by: ctx.actorId, reason: 'no provider' });
    const unassigned = await transitionOrder(order, 'unassign', ctx, {
      set: { offer: null, providerId: null, holdRef: null, priceFen: 0, subsidyFen: 0, selfPayFen: 0, 'dispatch.attempts': attempts, rankingRef: null },
      extraCondition: offerCondition,
      reason: 'no eligible provider',
    });
    // A request must never sit unseen: the community's staff get it on their desk.
    await enqueueNotification({
      dedupeKey: `order-unassigned:${String(order._id)}:${attempts.length}`,
      channel: 'staff_message',
      recipient: { kind: 'community_staff', communityId: order.communityId },
      template: 'order_unassigned',
      params: { serviceTypeCode: order.serviceTypeCode, scheduledDay: order.scheduledDay },
      subject: { type: 'order', id: String(order._id) },
    }, options.config.pii, ctx.now);
    return unassigned;
  }

  // The ranking goes beside the order, keyed by this offer, before the offer points to it; it
  // does not depend on the price, so it is written while the voucher is held.
  const rankingRef = `${String(order._id)}:${attempts.length + 1}`;
  const [priced, rankingWritten] = await Promise.allSettled([
    priceAndHold(order, chosen.unitPriceFen, attempts.length, ctx.actorId),
    OrderRankingModel.replaceOne({ _id: rankingRef }, {
      orderId: String(order._id), at: ctx.now,
      ranking: ranked.slice(0, 10).map(({ providerId, score, distanceKm, reasons }) => ({ providerId, score, distanceKm, reasons })),
    }, { upsert: true }),
  ]);
  if (priced.status === 'rejected') throw priced.reason;
  const pricing = priced.value;
  const timeoutMinutes = order.priority === 'emergency' ? options.config.emergencyOfferTimeoutMinutes : options.config.offerTimeoutMinutes;
  const offer = { providerId: chosen.providerId, offeredAt: ctx.now, expiresAt: new Date(ctx.now.getTime() + timeoutMinutes * 60_000) };
  try {
    if (rankingWritten.status === 'rejected') throw rankingWritten.reason;
    const offered = await transitionOrder(order, 'offer', ctx, {
      set: { offer, ...pricing, 'dispatch.attempts': [...attempts, { providerId: chosen.providerId, offeredAt: ctx.now, answeredAt: null, outcome: 'offered', reason: null }], rankingRef },
      extraCondition: offerCondition,
      reason: chosen.reasons[0] ?? null,
      details: { providerId: chosen.providerId },
    });
    await ProviderStatsModel.updateOne({ _id: chosen.providerId }, { $inc: { [`offersByWeek.${isoWeek(ctx.now)}`]: 1 } }, { upsert: true });
    return offered;
  } catch (error) {
    if (pricing.holdRef && pricing.holdRef !== order.holdRef) await releaseForOrder({ orderId: pricing.holdRef, by: ctx.actorId, reason: 'offer lost a race' });
    throw error;
  }
}

/** The ranking step alone, as dispatch runs it for this order now (the benchmark times it). */
export async function rankOrder(order: OrderDoc, now: Date, serviceType?: DispatchOptions['serviceType']) {
  return rankFor(order, serviceType ?? (await getServiceType(order.serviceTypeCode)), new Set(attemptsOf(order).map((a) => a.providerId)), now);
}

async function rankFor(order: OrderDoc, serviceType: DispatchOptions['serviceType'], excluded: Set<string>, now: Date) {
  const candidates = await dispatchCandidates({ communityId: order.communityId, serviceTypeCode: order.serviceTypeCode, day: order.scheduledDay });
  // Fairness counts the offers of the week the dispatch happens in (the clock the caller passes).
  const week = isoWeek(now);
  // Every candidate's figures in two reads, not two per candidate: with 50 candidates the per-provider
  // counts each re-read the day's orders (the embedded database served them from one index).
  const providerIds = candidates.map(({ provider }) => provider.id);
  // "Taken that day" from the maintained per-provider-per-day counters (one read by key), not a
  // decode of the day's orders, which grew with every order of the day.
  const [stats, takenToday] = await Promise.all([ProviderStatsModel.find({ _id: { $in: providerIds } }).lean(), providerDayCounts(providerIds, order.scheduledDay, TAKEN)]);
  const statsOf = new Map(stats.map((entry) => [String(entry._id), entry]));
  const rankable: RankCandidate[] = [];
  for (const { provider, unitPriceFen } of candidates) {
    const stats = statsOf.get(provider.id);
    rankable.push({
      providerId: provider.id, kind: provider.kind, communityIds: provider.communityIds, location: provider.location, dailyCapacity: provider.dailyCapacity, unitPriceFen,
      acceptedToday: takenToday.get(provider.id) ?? 0,
      ratingAverage: stats && stats.ratingCount > 0 ? stats.ratingSum / stats.ratingCount : null,
      offersThisWeek: Number((stats?.offersByWeek as Record<string, number> | undefined)?.[week] ?? 0),
    });
  }
  return rankProviders(rankable, {
    seniorLocation: { lng: order.seniorLocation.lng as number, lat: order.seniorLocation.lat as number },
    seniorCommunityId: order.communityId,
    preferredProviderId: order.preferredProviderId ?? null,
    prefersStarlight: Boolean(serviceType && (serviceType.onSite || serviceType.unit === 'meal')),
    excluded,
    isEmergency: order.priority === 'emergency',
  });
}

/** Price, subsidy and hold for a provider's unit price; an unchanged price keeps the hold it has. */
async function priceAndHold(order: OrderDoc, unitPriceFen: number, attemptNumber: number, by: string) {
  const priceFen = unitPriceFen * order.quantity;
  if (order.holdRef && priceFen === order.priceFen) return { priceFen, subsidyFen: order.subsidyFen, selfPayFen: order.selfPayFen, holdRef: order.holdRef };
  if (order.holdRef) await releaseForOrder({ orderId: order.holdRef, by, reason: 'repriced for another provider' });
  const holdRef = attemptNumber === 0 ? String(order._id) : `${String(order._id)}:${attemptNumber}`;
  // The policy's caps apply here (vouchers' holdSubsidy); creation refused a senior with no room
  // left, so a refusal now is a race or a re-dispatch: the order goes on without a subsidy.
  const held = await holdSubsidy({ holdRef, seniorId: order.seniorId, month: order.scheduledDay.slice(0, 7), serviceTypeCode: order.serviceTypeCode, priceFen, subsidyRatePct: order.subsidyRatePct, by })
    .catch((error: unknown) => {
      if ((error as { code?: string }).code !== 'CAP_EXCEEDED') throw error;
      return { subsidyFen: 0, holdRef: null };
    });
  return { priceFen, subsidyFen: held.subsidyFen, selfPayFen: priceFen - held.subsidyFen, holdRef: held.holdRef };
}

/** 'YYYY-Www' (ISO week) for the fairness count. */
export function isoWeek(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = new Date(Date.UTC(day.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((day.getTime() - yearStart.getTime()) / 86_400_000 + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

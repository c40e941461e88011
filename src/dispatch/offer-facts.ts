import { seniorsForOffers, type OfferSenior } from '../seniors/index.ts';
import { OrderModel, OrderRankingModel } from './order.model.ts';
import type { OrderCall } from './order-transition.ts';

/**
 * Why an offer came to this provider, and whom it is for: what a dispatcher needs to take or
 * decline it without opening it (issue: "offers show no senior or address, and nobody can see why
 * an order went to provider X"). Only on the orders offered to the caller's own provider.
 */
export interface OfferFacts {
  senior: OfferSenior | null;
  /** 1 = this provider was the first choice; of `candidates` ranked. */
  rank: number | null;
  candidates: number;
  /** The ranking's reasons for this provider, in Chinese (dispatch/ranking.ts). */
  reasons: string[];
}

interface OfferView { id: string; seniorId: string; status: string; offer: { providerId: string } | null }

/** The views with `offerFacts` where they are offered to the caller's provider: two reads for the page. */
export async function withOfferFacts<T extends OfferView>(views: T[], call: OrderCall): Promise<Array<T & { offerFacts?: OfferFacts }>> {
  const providerId = call.actor.role === 'provider_admin' ? call.actor.providerId : null;
  const offered = views.filter((view) => providerId && view.status === 'offered' && view.offer?.providerId === providerId);
  if (offered.length === 0) return views;
  const ids = offered.map((view) => view.id);
  const [refs, seniors] = await Promise.all([
    OrderModel.find({ _id: { $in: ids } }, { rankingRef: 1 }).lean(),
    seniorsForOffers(offered.map((view) => view.seniorId)),
  ]);
  const refOf = new Map(refs.map((order) => [String(order._id), order.rankingRef ?? null]));
  const rankingRefs = [...refOf.values()].filter((ref): ref is string => Boolean(ref));
  const rankings = new Map((await OrderRankingModel.find({ _id: { $in: rankingRefs } }).lean()).map((ranking) => [ranking._id, ranking.ranking ?? []]));
  const facts = new Map(offered.map((view) => {
    const ranking = rankings.get(refOf.get(view.id) ?? '') ?? [];
    const index = ranking.findIndex((entry) => entry.providerId === providerId);
    return [view.id, { senior: seniors.get(view.seniorId) ?? null, rank: index >= 0 ? index + 1 : null, candidates: ranking.length, reasons: index >= 0 ? [...(ranking[index]?.reasons ?? [])] : [] }];
  }));
  return views.map((view) => (facts.has(view.id) ? { ...view, offerFacts: facts.get(view.id) } : view));
}

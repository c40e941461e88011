import { distanceM } from '../shared/geo.ts';

/** The "15-minute circle": a provider within 1.5 km of the senior counts as near. */
export const NEAR_KM = 1.5;
const WEIGHTS = { distance: 0.5, load: 0.2, rating: 0.2, fairness: 0.1 };
// Reasons are shown to staff as they are (the order's detail, its history): in Chinese.
const PREFERRED = '老人指定的服务商';
const OWN_STARLIGHT = '老人所在社区的星光老年之家';
/** A provider nobody has rated yet counts as an average 3 of 5. */
const UNRATED = 0.6;

export interface RankCandidate {
  providerId: string;
  kind: 'company' | 'ngo' | 'starlight_center';
  communityIds: string[];
  location: { lng: number; lat: number };
  dailyCapacity: number;
  unitPriceFen: number;
  acceptedToday: number;
  ratingAverage: number | null;
  offersThisWeek: number;
}

export interface RankedProvider {
  providerId: string;
  score: number;
  distanceKm: number;
  reasons: string[];
  unitPriceFen: number;
}

export interface RankQuestion {
  seniorLocation: { lng: number; lat: number };
  seniorCommunityId: string;
  preferredProviderId: string | null;
  /** On-site and meal services go to the senior's community Starlight centre first. */
  prefersStarlight: boolean;
  /** Providers that declined or let this order's offer expire. */
  excluded: ReadonlySet<string>;
  /** An emergency goes to the nearest able provider: distance alone decides. */
  isEmergency?: boolean;
}

/**
 * PRODUCT.md §7 ranking, pure: drops the excluded and the full, then puts the preferred provider
 * first, the community's Starlight centre next for on-site and meal services, then the rest by a
 * score of distance (most weight; full marks inside the 1.5 km circle), spare capacity, rating and
 * fairness (fewer offers this week). Every choice carries its reasons.
 */
export function rankProviders(candidates: RankCandidate[], question: RankQuestion): RankedProvider[] {
  const ranked = candidates
    .filter((c) => !question.excluded.has(c.providerId) && c.acceptedToday < c.dailyCapacity)
    .map((c) => scoreOf(c, question));
  const tier = (r: RankedProvider) => (r.reasons.includes(PREFERRED) ? 0 : r.reasons.includes(OWN_STARLIGHT) ? 1 : 2);
  if (question.isEmergency) return ranked.sort((a, b) => a.distanceKm - b.distanceKm || a.providerId.localeCompare(b.providerId));
  return ranked.sort((a, b) => tier(a) - tier(b) || b.score - a.score || a.providerId.localeCompare(b.providerId));
}

function scoreOf(c: RankCandidate, question: RankQuestion): RankedProvider {
  const distanceKm = Math.round(distanceM(c.location, question.seniorLocation) / 10) / 100;
  const distanceScore = distanceKm <= NEAR_KM ? 1 - 0.2 * (distanceKm / NEAR_KM) : Math.max(0, 0.8 - (distanceKm - NEAR_KM) * 0.1);
  const loadScore = 1 - c.acceptedToday / c.dailyCapacity;
  const ratingScore = c.ratingAverage === null ? UNRATED : c.ratingAverage / 5;
  const fairnessScore = 1 / (1 + c.offersThisWeek / 20);
  const score = Math.round((WEIGHTS.distance * distanceScore + WEIGHTS.load * loadScore + WEIGHTS.rating * ratingScore + WEIGHTS.fairness * fairnessScore) * 1000) / 1000;
  const reasons = [
    distanceKm <= NEAR_KM ? `在15分钟服务圈内（${distanceKm} 公里）` : `距离 ${distanceKm} 公里`,
    `今日已接 ${c.acceptedToday}/${c.dailyCapacity} 单`,
    c.ratingAverage === null ? '尚无评分' : `评分 ${c.ratingAverage.toFixed(1)}`,
    `本周已派 ${c.offersThisWeek} 单`,
  ];
  if (question.preferredProviderId === c.providerId) reasons.unshift(PREFERRED);
  else if (question.prefersStarlight && c.kind === 'starlight_center' && c.communityIds.includes(question.seniorCommunityId)) reasons.unshift(OWN_STARLIGHT);
  return { providerId: c.providerId, score, distanceKm, reasons, unitPriceFen: c.unitPriceFen };
}

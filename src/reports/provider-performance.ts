import type { OrderForReports } from '../dispatch/index.ts';
import { businessMonth } from '../shared/time.ts';
import { averageOf, medianOf, minutesBetween, rateOf } from './figures.ts';
import type { ProviderPerformanceFigures } from './reports.schemas.ts';

/** The running counts of one provider (or of all) over a month's orders. */
interface Tally {
  offers: number;
  accepted: number;
  declined: number;
  expired: number;
  openOffers: number;
  /** Minutes from offer to acceptance; one number per accepted offer, for the median. */
  acceptMinutes: number[];
  visitsCheckedIn: number;
  visitsConfirmed: number;
  onTimeVisits: number;
  ratingSum: number;
  ratings: number;
  cancellationsAfterAcceptance: number;
  disputes: number;
  flaggedVisits: number;
}

const emptyTally = (): Tally => ({
  offers: 0, accepted: 0, declined: 0, expired: 0, openOffers: 0, acceptMinutes: [], visitsCheckedIn: 0, visitsConfirmed: 0, onTimeVisits: 0,
  ratingSum: 0, ratings: 0, cancellationsAfterAcceptance: 0, disputes: 0, flaggedVisits: 0,
});

const OUTCOME_FIELD = { accepted: 'accepted', declined: 'declined', expired: 'expired', offered: 'openOffers' } as const;

/**
 * Provider performance over one month, fed order by order (PRODUCT.md §10). Offers count in the
 * month they were made (Asia/Shanghai); everything about the visit counts in the month the order
 * was scheduled for, under the provider holding it (a cancellation under the provider that
 * cancelled). Keys are providers: a few dozen per district.
 */
export class ProviderPerformance {
  private readonly byProvider = new Map<string, Tally>();
  private readonly all = emptyTally();

  constructor(private readonly month: string, private readonly timeZone: string, private readonly lateArrivalGraceMinutes: number) {}

  add(order: OrderForReports): void {
    for (const attempt of order.attempts) {
      if (businessMonth(attempt.offeredAt, this.timeZone) !== this.month) continue;
      this.count(attempt.providerId, (tally) => {
        tally.offers += 1;
        const field = OUTCOME_FIELD[attempt.outcome as keyof typeof OUTCOME_FIELD];
        if (field) tally[field] += 1;
        if (attempt.outcome === 'accepted' && attempt.answeredAt) tally.acceptMinutes.push(minutesBetween(attempt.offeredAt, attempt.answeredAt));
      });
    }
    if (!order.scheduledDay.startsWith(this.month)) return;
    if (order.cancelledByProviderId) this.count(order.cancelledByProviderId, (tally) => (tally.cancellationsAfterAcceptance += 1));
    if (!order.providerId) return;
    this.count(order.providerId, (tally) => this.addVisit(tally, order));
  }

  private addVisit(tally: Tally, order: OrderForReports): void {
    if (order.wasDisputed) tally.disputes += 1;
    if (order.status === 'confirmed' || order.status === 'settled') tally.visitsConfirmed += 1;
    if (order.satisfaction !== null) {
      tally.ratings += 1;
      tally.ratingSum += order.satisfaction;
    }
    if (!order.checkInAt) return;
    tally.visitsCheckedIn += 1;
    if (minutesBetween(order.scheduledStart, order.checkInAt) <= this.lateArrivalGraceMinutes) tally.onTimeVisits += 1;
    if (order.flags.length > 0) tally.flaggedVisits += 1;
  }

  private count(providerId: string, change: (tally: Tally) => void): void {
    let tally = this.byProvider.get(providerId);
    if (!tally) {
      tally = emptyTally();
      this.byProvider.set(providerId, tally);
    }
    change(tally);
    change(this.all);
  }

  providers(): { providerId: string; tally: Tally; figures: ProviderPerformanceFigures }[] {
    return [...this.byProvider.entries()].map(([providerId, tally]) => ({ providerId, tally, figures: figuresOf(tally) }));
  }

  overall(): ProviderPerformanceFigures {
    return figuresOf(this.all);
  }
}

function figuresOf(tally: Tally): ProviderPerformanceFigures {
  const { acceptMinutes, ratingSum, ...counts } = tally;
  return {
    ...counts,
    acceptanceRate: rateOf(tally.accepted, tally.accepted + tally.declined + tally.expired),
    medianMinutesToAccept: medianOf(acceptMinutes),
    onTimeRate: rateOf(tally.onTimeVisits, tally.visitsCheckedIn),
    averageSatisfaction: averageOf(ratingSum, tally.ratings),
    flagRate: rateOf(tally.flaggedVisits, tally.visitsCheckedIn),
  };
}

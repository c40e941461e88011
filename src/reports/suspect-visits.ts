import type { OrderForReports, OrderStatus } from '../dispatch/index.ts';
import type { SeniorStatus } from '../seniors/index.ts';
import { businessDay } from '../shared/time.ts';
import type { Overlap, TimedVisit } from './caregiver-overlaps.ts';
import { DOOR_METHODS, isCallbackOnlyProvider } from './provider-rules.ts';
import { orderedReasons, REASON_OF_FLAG, SUSPECT_THRESHOLD, suspectScore, type ReasonCode } from './suspect-score.ts';
import { durationPattern, impossibleTravel, longCaregiverDays, repeatedCoordinates, type RuleVisit } from './visit-rules.ts';

/** What a suspect visit's row shows of its order. */
interface RowFacts {
  orderId: string;
  orderNumber: string | null;
  scheduledStart: Date;
  providerId: string | null;
  caregiverId: string | null;
  communityId: string;
  serviceTypeCode: string;
  status: OrderStatus;
}

/** One checked-in visit, kept for the whole month: its row, the rules' facts, the overlap sweep's. */
interface VisitFacts extends RowFacts, RuleVisit, TimedVisit {
  caregiverId: string;
  isFlagged: boolean;
  /** Over (not in service): its confirmation, if any, is what it will be. */
  isFinished: boolean;
  isDoorConfirmed: boolean;
}

export interface SuspectVisit extends RowFacts {
  reasons: ReasonCode[];
  score: number;
}

/** What the month says beyond the visits themselves: who overlapped, which providers stand out. */
export interface SuspectContext {
  overlaps: Overlap[];
  /** Providers whose flag rate fails the district's test (provider-rules.ts flagRateTest). */
  flagRateOutliers: ReadonlySet<string>;
  /** The district's share of finished visits confirmed at the door; null without any. */
  districtDoorShare: number | null;
}

/**
 * The suspect visits of a month, fed order by order while the report streams them (every suspect
 * visit once, with every reason: suspect-score.ts). Per checked-in visit a few fields are kept —
 * the overlap sweep reads the same objects — and a reason set only for visits that have one.
 */
export class SuspectVisitFinder {
  private readonly visits: VisitFacts[] = [];
  /** Orders with a reason of their own but no check-in (a visit confirmed without one). */
  private readonly unvisited: RowFacts[] = [];
  private readonly reasons = new Map<string, Set<ReasonCode>>();
  private readonly confirmations = new Map<string, { finishedVisits: number; doorConfirmed: number }>();

  constructor(private readonly timeZone: string, private readonly now: Date) {}

  /** One order of the month; `seniorStatus` is the senior's at a delivered visit, else null. */
  add(order: OrderForReports, seniorStatus: SeniorStatus | null): void {
    for (const flag of order.flags) if (REASON_OF_FLAG[flag]) this.reason(order.orderId, REASON_OF_FLAG[flag]);
    if (seniorStatus === 'suspended') this.reason(order.orderId, 'senior_suspended');
    if (seniorStatus === 'deactivated') this.reason(order.orderId, 'senior_deactivated');
    const visit = this.factsOf(order);
    if (visit) {
      this.visits.push(visit);
      if (visit.providerId && visit.isFinished) this.countConfirmation(visit.providerId, visit.isDoorConfirmed);
    } else if (this.reasons.has(order.orderId)) {
      this.unvisited.push(rowFactsOf(order));
    }
  }

  /** The checked-in visits, for the overlap sweep. */
  timedVisits(): readonly TimedVisit[] {
    return this.visits;
  }

  /** Every visit whose score reaches SUSPECT_THRESHOLD, highest score first, then by time. */
  suspects(context: SuspectContext): SuspectVisit[] {
    for (const { first, second } of context.overlaps) {
      this.reason(first.orderId, 'caregiver_overlap');
      this.reason(second.orderId, 'caregiver_overlap');
    }
    const found: [ReasonCode, Set<string>][] = [
      ['impossible_travel', impossibleTravel(this.visits)],
      ['repeated_coordinates', repeatedCoordinates(this.visits)],
      ['duration_pattern', durationPattern(this.visits)],
      ['long_caregiver_day', longCaregiverDays(this.visits)],
    ];
    for (const [code, orderIds] of found) for (const orderId of orderIds) this.reason(orderId, code);
    const callbackOnly = new Set([...this.confirmations].filter(([, tally]) => isCallbackOnlyProvider(tally, context.districtDoorShare)).map(([providerId]) => providerId));
    for (const visit of this.visits) {
      if (!visit.providerId) continue;
      if (visit.isFinished && !visit.isDoorConfirmed && callbackOnly.has(visit.providerId)) this.reason(visit.orderId, 'callback_only_provider');
      if (visit.isFlagged && context.flagRateOutliers.has(visit.providerId)) this.reason(visit.orderId, 'provider_flag_rate');
    }
    const suspects: SuspectVisit[] = [];
    for (const row of [...this.visits, ...this.unvisited]) {
      const reasons = this.reasons.get(row.orderId);
      const score = reasons ? suspectScore(reasons) : 0;
      if (reasons && score >= SUSPECT_THRESHOLD) suspects.push({ ...rowFactsOf(row), reasons: orderedReasons(reasons), score });
    }
    return suspects.sort((a, b) => b.score - a.score || a.scheduledStart.getTime() - b.scheduledStart.getTime() || a.orderId.localeCompare(b.orderId));
  }

  private reason(orderId: string, code: ReasonCode): void {
    const set = this.reasons.get(orderId);
    if (set) set.add(code);
    else this.reasons.set(orderId, new Set([code]));
  }

  private countConfirmation(providerId: string, isDoorConfirmed: boolean): void {
    const tally = this.confirmations.get(providerId) ?? { finishedVisits: 0, doorConfirmed: 0 };
    tally.finishedVisits += 1;
    if (isDoorConfirmed) tally.doorConfirmed += 1;
    this.confirmations.set(providerId, tally);
  }

  private factsOf(order: OrderForReports): VisitFacts | null {
    if (!order.caregiverId || !order.checkInAt) return null;
    // A visit still in service runs until now; one confirmed without a check-out is an instant.
    const endsAt = order.checkOutAt ?? (order.status === 'in_service' ? this.now : order.checkInAt);
    const point = (p: OrderForReports['checkInPoint']) => (p ? { lng: p.lng, lat: p.lat } : null);
    return {
      ...rowFactsOf(order), caregiverId: order.caregiverId, seniorId: order.seniorId,
      checkInAt: order.checkInAt, checkOutAt: order.checkOutAt, endsAt, checkInDay: businessDay(order.checkInAt, this.timeZone),
      checkInPoint: point(order.checkInPoint), checkOutPoint: point(order.checkOutPoint),
      durationMinutes: order.durationMinutes, expectedMinutes: order.expectedMinutes, unitMinutes: order.quantity > 0 ? order.expectedMinutes / order.quantity : order.expectedMinutes,
      isFlagged: order.flags.length > 0, isFinished: order.status !== 'in_service', isDoorConfirmed: DOOR_METHODS.includes(order.confirmationMethod ?? ''),
    };
  }
}

function rowFactsOf(order: RowFacts): RowFacts {
  return {
    orderId: order.orderId, orderNumber: order.orderNumber, scheduledStart: order.scheduledStart, providerId: order.providerId, caregiverId: order.caregiverId,
    communityId: order.communityId, serviceTypeCode: order.serviceTypeCode, status: order.status,
  };
}

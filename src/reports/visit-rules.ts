import { distanceM, type Point } from '../shared/geo.ts';

/*
 * The anomaly rules that judge one caregiver's (or provider's) visits together, as pure functions
 * over a few facts per checked-in visit. Each answers the ids of the visits it finds. The limits are
 * constants here: they are the district's policy for what is implausible, not deployment settings.
 */

/** Faster than this between one visit's check-out and the next check-in is not travel (km/h). */
export const MAX_TRAVEL_KMH = 60;
/** Jumps shorter than this are GPS noise and neighbouring homes, whatever the gap (metres). */
export const MIN_TRAVEL_JUMP_M = 500;
/** More visit time than this in one caregiver's day is not plausible (minutes; 12 h). */
export const MAX_CAREGIVER_DAY_MINUTES = 12 * 60;
/** A caregiver or provider with at least this many timed visits is judged on its durations... */
export const DURATION_PATTERN_MIN_VISITS = 5;
/** ...and found inflating when at least this share of them last exactly a billable amount. */
export const DURATION_PATTERN_MIN_SHARE = 0.8;
/** Units shorter than this make "a multiple of the unit" too common to mean anything (minutes). */
export const DURATION_PATTERN_MIN_UNIT_MINUTES = 10;

/** What the rules read of one checked-in visit. */
export interface RuleVisit {
  orderId: string;
  caregiverId: string;
  providerId: string | null;
  seniorId: string;
  checkInAt: Date;
  checkOutAt: Date | null;
  /** The Asia/Shanghai day of the check-in. */
  checkInDay: string;
  checkInPoint: Point | null;
  checkOutPoint: Point | null;
  durationMinutes: number | null;
  expectedMinutes: number;
  /** The service's minutes per unit (expected minutes / quantity). */
  unitMinutes: number;
}

function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string | null): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    if (key === null) continue;
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}

/**
 * impossible_travel: per caregiver, visits in check-in order; from one visit's check-out (its
 * check-in when it has none) to the next one's check-in, a straight line of more than
 * MIN_TRAVEL_JUMP_M covered faster than MAX_TRAVEL_KMH — or with no time at all (the next visit
 * began before the last ended). Both visits of the pair are named.
 */
export function impossibleTravel(visits: Iterable<RuleVisit>): Set<string> {
  const found = new Set<string>();
  for (const list of groupBy(visits, (visit) => visit.caregiverId).values()) {
    list.sort((a, b) => a.checkInAt.getTime() - b.checkInAt.getTime() || a.orderId.localeCompare(b.orderId));
    for (let i = 1; i < list.length; i += 1) {
      const [before, after] = [list[i - 1] as RuleVisit, list[i] as RuleVisit];
      const from = before.checkOutPoint ?? before.checkInPoint;
      if (!from || !after.checkInPoint) continue;
      const jumpM = distanceM(from, after.checkInPoint);
      if (jumpM <= MIN_TRAVEL_JUMP_M) continue;
      const gapHours = (after.checkInAt.getTime() - (before.checkOutAt ?? before.checkInAt).getTime()) / 3_600_000;
      if (gapHours <= 0 || jumpM / 1000 / gapHours > MAX_TRAVEL_KMH) {
        found.add(before.orderId);
        found.add(after.orderId);
      }
    }
  }
  return found;
}

/** A point to ~0.1 m (6 decimals): honest fixes jitter by 10-50 m and never repeat at this grain. */
const coordinateKey = (point: Point) => `${point.lng.toFixed(6)},${point.lat.toFixed(6)}`;

/**
 * repeated_coordinates: the same check-in or check-out coordinates (to 6 decimals) at two
 * different homes (seniors) or on two different days — a spoofed location replayed. A visit's own
 * check-in and check-out, or two visits to one home on one day, do not count. Memory: one entry
 * per distinct point.
 */
export function repeatedCoordinates(visits: Iterable<RuleVisit>): Set<string> {
  const seen = new Map<string, { seniorId: string; day: string; isRepeated: boolean }>();
  const pointsOf = (visit: RuleVisit) => [visit.checkInPoint, visit.checkOutPoint].filter((point): point is Point => point !== null);
  const list = [...visits];
  for (const visit of list) {
    for (const point of pointsOf(visit)) {
      const key = coordinateKey(point);
      const first = seen.get(key);
      if (!first) seen.set(key, { seniorId: visit.seniorId, day: visit.checkInDay, isRepeated: false });
      else if (first.seniorId !== visit.seniorId || first.day !== visit.checkInDay) first.isRepeated = true;
    }
  }
  return new Set(list.filter((visit) => pointsOf(visit).some((point) => seen.get(coordinateKey(point))?.isRepeated)).map((visit) => visit.orderId));
}

/**
 * A duration that is exactly a billable amount: the expected minutes of the quantity ordered (the
 * most that is billed), or a whole number of units when the unit is long enough to mean something.
 * Honest durations (the expected time ± 20%, to the minute) are so about one visit in 15-25.
 */
export function isExactDuration(visit: Pick<RuleVisit, 'durationMinutes' | 'expectedMinutes' | 'unitMinutes'>): boolean {
  const minutes = visit.durationMinutes;
  if (minutes === null || minutes <= 0) return false;
  if (minutes === visit.expectedMinutes) return true;
  return visit.unitMinutes >= DURATION_PATTERN_MIN_UNIT_MINUTES && Number.isInteger(visit.unitMinutes) && minutes % visit.unitMinutes === 0;
}

/**
 * duration_pattern: a caregiver — or a provider, whose own system may write the durations — with
 * at least DURATION_PATTERN_MIN_VISITS timed visits of which at least DURATION_PATTERN_MIN_SHARE
 * are exact (isExactDuration): its exact visits are named. At the honest rate (~1 in 15) the
 * chance of 4 exact out of 5 is below 1 in 5,000, and it shrinks fast with more visits.
 */
export function durationPattern(visits: Iterable<RuleVisit>): Set<string> {
  const timed = [...visits].filter((visit) => visit.durationMinutes !== null && visit.durationMinutes > 0);
  const found = new Set<string>();
  for (const keyOf of [(visit: RuleVisit) => visit.caregiverId, (visit: RuleVisit) => visit.providerId]) {
    for (const list of groupBy(timed, keyOf).values()) {
      const exact = list.filter(isExactDuration);
      if (list.length >= DURATION_PATTERN_MIN_VISITS && exact.length >= DURATION_PATTERN_MIN_SHARE * list.length) {
        for (const visit of exact) found.add(visit.orderId);
      }
    }
  }
  return found;
}

/** A visit's minutes: as stored at check-out, else check-in to check-out; none while unfinished. */
const minutesOf = (visit: RuleVisit) => visit.durationMinutes ?? (visit.checkOutAt ? (visit.checkOutAt.getTime() - visit.checkInAt.getTime()) / 60_000 : 0);

/**
 * long_caregiver_day: one caregiver's visits checked in on one day adding up to more than
 * MAX_CAREGIVER_DAY_MINUTES of visit time (overlapping visits count twice: that is billed time
 * too). Every visit of that day is named.
 */
export function longCaregiverDays(visits: Iterable<RuleVisit>): Set<string> {
  const found = new Set<string>();
  for (const list of groupBy(visits, (visit) => `${visit.caregiverId}|${visit.checkInDay}`).values()) {
    const minutes = list.reduce((sum, visit) => sum + minutesOf(visit), 0);
    if (minutes > MAX_CAREGIVER_DAY_MINUTES) for (const visit of list) found.add(visit.orderId);
  }
  return found;
}

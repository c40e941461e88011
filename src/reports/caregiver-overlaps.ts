/** One checked-in visit, as much as the overlap check needs. */
export interface TimedVisit {
  orderId: string;
  orderNumber: string | null;
  caregiverId: string;
  providerId: string | null;
  communityId: string;
  checkInAt: Date;
  checkOutAt: Date | null;
  /** Where the visit's interval ends: the check-out, now for a visit still in service. */
  endsAt: Date;
}

export interface Overlap {
  caregiverId: string;
  first: TimedVisit;
  second: TimedVisit;
  overlapMs: number;
}

/**
 * Pairs of visits of one caregiver whose [check-in, end) intervals overlap: a caregiver in two
 * places at once (PRODUCT.md §7). Per caregiver the visits are sorted by check-in and swept once,
 * keeping only the visits still running at each check-in, so a month costs a sort, not n².
 * Visits that merely touch (one ends as the next begins) do not overlap.
 */
export function caregiverOverlaps(visits: Iterable<TimedVisit>): Overlap[] {
  const byCaregiver = new Map<string, TimedVisit[]>();
  for (const visit of visits) {
    const list = byCaregiver.get(visit.caregiverId) ?? [];
    list.push(visit);
    byCaregiver.set(visit.caregiverId, list);
  }
  const overlaps: Overlap[] = [];
  for (const [caregiverId, list] of byCaregiver) {
    list.sort((a, b) => a.checkInAt.getTime() - b.checkInAt.getTime() || a.orderId.localeCompare(b.orderId));
    let running: TimedVisit[] = [];
    for (const visit of list) {
      const start = visit.checkInAt.getTime();
      running = running.filter((earlier) => earlier.endsAt.getTime() > start);
      for (const earlier of running) {
        const overlapMs = Math.min(earlier.endsAt.getTime(), visit.endsAt.getTime()) - start;
        if (overlapMs > 0) overlaps.push({ caregiverId, first: earlier, second: visit, overlapMs });
      }
      running.push(visit);
    }
  }
  return overlaps;
}

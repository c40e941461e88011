import { districtVisitFlagCounts, ordersForReports, type OrderForReports, type OrderStatus } from '../dispatch/index.ts';
import { seniorSettlementFacts, seniorStatusAt, type SeniorSettlementFacts, type SeniorStatus } from '../seniors/index.ts';
import { caregiverOverlaps, type TimedVisit } from './caregiver-overlaps.ts';
import { rateOf, roundMinutes } from './figures.ts';
import { ReportNames } from './names.ts';
import { ProviderPerformance } from './provider-performance.ts';
import { reportHeader, type ReportContext } from './report-context.ts';
import type { AnomaliesReport } from './reports.schemas.ts';
import { unpaidStatements } from './settlement-figures.ts';

/** Visits that happened as far as the order says: a service delivered to the senior. */
const DELIVERED: readonly OrderStatus[] = ['completed', 'confirmed', 'settled'];

type Row<K extends keyof AnomaliesReport> = AnomaliesReport[K] extends (infer R)[] | null ? R : never;

/**
 * What an inspector should look at in the month (PRODUCT.md §1, §10): flagged visits, caregivers
 * in two places at once, services to seniors who were not active, providers whose flag rate is more
 * than twice the district's, and (district roles) late payments. One pass over the month's orders
 * in scope, in batches; what is kept is the anomalies found and, for the overlap check, a few
 * fields per checked-in visit.
 */
export async function anomaliesReport(ctx: ReportContext): Promise<AnomaliesReport> {
  const names = new ReportNames();
  const performance = new ProviderPerformance(ctx.month, ctx.config.businessTimeZone, ctx.config.settlement.lateArrivalGraceMinutes);
  const seniorStatus = seniorStatusReader(ctx);
  const flaggedVisits: Row<'flaggedVisits'>[] = [];
  const visitsForInactiveSeniors: Row<'visitsForInactiveSeniors'>[] = [];
  const timed: TimedVisit[] = [];
  for await (const batch of ordersForReports(ctx.month, ctx.actor, { timeZone: ctx.config.businessTimeZone })) {
    for (const order of batch) {
      performance.add(order);
      if (order.flags.length > 0) flaggedVisits.push(await flaggedRow(order, names));
      const visit = timedVisit(order, ctx.now);
      if (visit) timed.push(visit);
      if (!DELIVERED.includes(order.status)) continue;
      const visitAt = order.checkInAt ?? order.scheduledStart;
      const status = await seniorStatus(order.seniorId, visitAt);
      if (status && status !== 'active') visitsForInactiveSeniors.push(await inactiveSeniorRow(order, visitAt, status, names));
    }
  }
  const district = await districtVisitFlagCounts(ctx.month);
  return {
    ...reportHeader(ctx),
    flaggedVisits: flaggedVisits.sort((a, b) => byTime(a.scheduledStart, b.scheduledStart) || a.orderId.localeCompare(b.orderId)),
    caregiverOverlaps: await overlapRows(timed, names),
    visitsForInactiveSeniors: visitsForInactiveSeniors.sort((a, b) => byTime(a.visitAt, b.visitAt) || a.orderId.localeCompare(b.orderId)),
    flagRateOutliers: await outlierRows(performance, district, names),
    latePayments: ctx.isDistrictWide ? (await unpaidStatements(ctx)).filter((statement) => statement.paymentOverdue) : null,
  };
}

const byTime = (a: Date | string, b: Date | string) => new Date(a).getTime() - new Date(b).getTime();

async function flaggedRow(order: OrderForReports, names: ReportNames): Promise<Row<'flaggedVisits'>> {
  return {
    orderId: order.orderId, orderNumber: order.orderNumber, scheduledStart: order.scheduledStart, communityId: order.communityId, serviceTypeCode: order.serviceTypeCode, status: order.status,
    providerId: order.providerId, providerName: await names.providerOrNull(order.providerId), caregiverId: order.caregiverId, caregiverName: await names.caregiver(order.caregiverId),
    flags: order.flags,
  };
}

function timedVisit(order: OrderForReports, now: Date): TimedVisit | null {
  if (!order.caregiverId || !order.checkInAt) return null;
  // A visit still in service runs until now; one confirmed without a check-out is an instant.
  const endsAt = order.checkOutAt ?? (order.status === 'in_service' ? now : order.checkInAt);
  return { orderId: order.orderId, orderNumber: order.orderNumber, caregiverId: order.caregiverId, providerId: order.providerId, communityId: order.communityId, checkInAt: order.checkInAt, checkOutAt: order.checkOutAt, endsAt };
}

async function overlapRows(visits: TimedVisit[], names: ReportNames): Promise<Row<'caregiverOverlaps'>[]> {
  const visitRef = (visit: TimedVisit) => ({ orderId: visit.orderId, orderNumber: visit.orderNumber, communityId: visit.communityId, checkInAt: visit.checkInAt, checkOutAt: visit.checkOutAt });
  const overlaps = caregiverOverlaps(visits).sort((a, b) => byTime(a.first.checkInAt, b.first.checkInAt) || byTime(a.second.checkInAt, b.second.checkInAt));
  return Promise.all(overlaps.map(async ({ caregiverId, first, second, overlapMs }) => ({
    caregiverId, caregiverName: await names.caregiver(caregiverId), providerId: first.providerId, providerName: await names.providerOrNull(first.providerId),
    overlapMinutes: roundMinutes(overlapMs / 60_000), visits: [visitRef(first), visitRef(second)],
  })));
}

/** The senior's status at an instant; each senior is read once, by primary key, however many visits. */
function seniorStatusReader(ctx: ReportContext) {
  const facts = new Map<string, Promise<SeniorSettlementFacts | null>>();
  return async (seniorId: string, instant: Date): Promise<SeniorStatus | null> => {
    let read = facts.get(seniorId);
    if (!read) {
      read = seniorSettlementFacts(seniorId, ctx.month);
      facts.set(seniorId, read);
    }
    const senior = await read;
    return senior ? seniorStatusAt(senior, instant, ctx.config.businessTimeZone) : null;
  };
}

async function inactiveSeniorRow(order: OrderForReports, visitAt: Date, seniorStatus: SeniorStatus, names: ReportNames): Promise<Row<'visitsForInactiveSeniors'>> {
  return {
    orderId: order.orderId, orderNumber: order.orderNumber, seniorId: order.seniorId, communityId: order.communityId, providerId: order.providerId, providerName: await names.providerOrNull(order.providerId),
    status: order.status, visitAt, seniorStatus,
  };
}

/** More than twice the district's rate, compared exactly: p.flagged / p.visits > 2 × d.flagged / d.visits. */
async function outlierRows(performance: ProviderPerformance, district: { visitsCheckedIn: number; flaggedVisits: number }, names: ReportNames): Promise<AnomaliesReport['flagRateOutliers']> {
  const districtFlagRate = rateOf(district.flaggedVisits, district.visitsCheckedIn);
  const outliers = performance.providers().filter(({ tally }) => tally.visitsCheckedIn > 0 && district.visitsCheckedIn > 0
    && tally.flaggedVisits * district.visitsCheckedIn > 2 * district.flaggedVisits * tally.visitsCheckedIn);
  const providers = await Promise.all(outliers.map(async ({ providerId, tally, figures }) => ({
    providerId, providerName: await names.provider(providerId), visitsCheckedIn: tally.visitsCheckedIn, flaggedVisits: tally.flaggedVisits, flagRate: figures.flagRate, districtFlagRate,
  })));
  return { districtFlagRate, providers: providers.sort((a, b) => (b.flagRate ?? 0) - (a.flagRate ?? 0) || a.providerName.localeCompare(b.providerName, 'zh')) };
}

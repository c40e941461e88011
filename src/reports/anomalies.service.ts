import { districtConfirmationCounts, districtVisitFlagCounts, ordersForReports, type OrderForReports, type OrderStatus } from '../dispatch/index.ts';
import { seniorSettlementFacts, seniorStatusAt, type SeniorSettlementFacts, type SeniorStatus } from '../seniors/index.ts';
import { reviewsOf } from './anomaly-reviews.service.ts';
import { caregiverOverlaps, type Overlap, type TimedVisit } from './caregiver-overlaps.ts';
import { rateOf, roundMinutes } from './figures.ts';
import { ReportNames } from './names.ts';
import { ProviderPerformance } from './provider-performance.ts';
import { DOOR_METHODS, flagRateTest } from './provider-rules.ts';
import { reportHeader, type ReportContext } from './report-context.ts';
import type { AnomaliesReport } from './reports.schemas.ts';
import { unpaidStatements } from './settlement-figures.ts';
import { SuspectVisitFinder, type SuspectVisit } from './suspect-visits.ts';

/** Visits that happened as far as the order says: a service delivered to the senior. */
const DELIVERED: readonly OrderStatus[] = ['completed', 'confirmed', 'settled'];
/**
 * ...and those claimed as delivered but questioned since (a dispute, decided or not): still suspect
 * for the senior's status at the visit, so that a review's dispute does not hide the visit it was
 * opened on.
 */
const CLAIMED: readonly OrderStatus[] = [...DELIVERED, 'disputed', 'rejected'];

type Row<K extends keyof AnomaliesReport> = AnomaliesReport[K] extends (infer R)[] | null ? R : never;

/**
 * What an inspector should look at in the month (PRODUCT.md §1, §10): flagged visits, caregivers
 * in two places at once, services to seniors who were not active, providers whose flag rate is
 * above the district's beyond chance, (district roles) late payments, and every suspect visit with
 * its reasons (suspect-visits.ts). One pass over the month's orders in scope, in batches; what is
 * kept is the anomalies found and a few fields per checked-in visit for the rules that compare
 * visits (overlaps, travel, repeated coordinates, durations, long days).
 */
export async function anomaliesReport(ctx: ReportContext): Promise<AnomaliesReport> {
  const names = new ReportNames();
  const performance = new ProviderPerformance(ctx.month, ctx.config.businessTimeZone, ctx.config.settlement.lateArrivalGraceMinutes);
  const seniorStatus = seniorStatusReader(ctx);
  const suspects = new SuspectVisitFinder(ctx.config.businessTimeZone, ctx.now);
  const flaggedVisits: Row<'flaggedVisits'>[] = [];
  const visitsForInactiveSeniors: Row<'visitsForInactiveSeniors'>[] = [];
  for await (const batch of ordersForReports(ctx.month, ctx.actor, { timeZone: ctx.config.businessTimeZone })) {
    for (const order of batch) {
      performance.add(order);
      if (order.flags.length > 0) flaggedVisits.push(await flaggedRow(order, names));
      const visitAt = order.checkInAt ?? order.scheduledStart;
      const status = CLAIMED.includes(order.status) ? await seniorStatus(order.seniorId, visitAt) : null;
      if (status && status !== 'active' && DELIVERED.includes(order.status)) visitsForInactiveSeniors.push(await inactiveSeniorRow(order, visitAt, status, names));
      suspects.add(order, status);
    }
  }
  const [district, confirmations] = await Promise.all([districtVisitFlagCounts(ctx.month), districtConfirmationCounts(ctx.month)]);
  const overlaps = caregiverOverlaps(suspects.timedVisits());
  const outliers = flagRateOutliers(performance, district);
  const suspectVisits = suspects.suspects({ overlaps, flagRateOutliers: new Set(outliers.map((outlier) => outlier.providerId)), districtDoorShare: doorShareOf(confirmations) });
  return {
    ...reportHeader(ctx),
    flaggedVisits: flaggedVisits.sort((a, b) => byTime(a.scheduledStart, b.scheduledStart) || a.orderId.localeCompare(b.orderId)),
    caregiverOverlaps: await overlapRows(overlaps, names),
    visitsForInactiveSeniors: visitsForInactiveSeniors.sort((a, b) => byTime(a.visitAt, b.visitAt) || a.orderId.localeCompare(b.orderId)),
    flagRateOutliers: await outlierRows(outliers, rateOf(district.flaggedVisits, district.visitsCheckedIn), names),
    latePayments: ctx.isDistrictWide ? (await unpaidStatements(ctx)).filter((statement) => statement.paymentOverdue) : null,
    suspectVisits: await suspectRows(suspectVisits, names),
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

async function overlapRows(overlaps: Overlap[], names: ReportNames): Promise<Row<'caregiverOverlaps'>[]> {
  const visitRef = (visit: TimedVisit) => ({ orderId: visit.orderId, orderNumber: visit.orderNumber, communityId: visit.communityId, checkInAt: visit.checkInAt, checkOutAt: visit.checkOutAt });
  const sorted = [...overlaps].sort((a, b) => byTime(a.first.checkInAt, b.first.checkInAt) || byTime(a.second.checkInAt, b.second.checkInAt));
  return Promise.all(sorted.map(async ({ caregiverId, first, second, overlapMs }) => ({
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

type FlagRateOutlier = ReturnType<ProviderPerformance['providers']>[number] & { pValue: number };

/** The providers whose flag rate fails the district's test (provider-rules.ts flagRateTest). */
function flagRateOutliers(performance: ProviderPerformance, district: { visitsCheckedIn: number; flaggedVisits: number }): FlagRateOutlier[] {
  const districtRate = district.visitsCheckedIn > 0 ? district.flaggedVisits / district.visitsCheckedIn : null;
  return performance.providers().flatMap((provider) => {
    const test = flagRateTest(provider.tally, districtRate);
    return test.isOutlier && test.pValue !== null ? [{ ...provider, pValue: test.pValue }] : [];
  });
}

async function outlierRows(outliers: FlagRateOutlier[], districtFlagRate: number | null, names: ReportNames): Promise<AnomaliesReport['flagRateOutliers']> {
  const providers = await Promise.all(outliers.map(async ({ providerId, tally, figures, pValue }) => ({
    providerId, providerName: await names.provider(providerId), visitsCheckedIn: tally.visitsCheckedIn, flaggedVisits: tally.flaggedVisits, flagRate: figures.flagRate, districtFlagRate,
    pValue: Number(pValue.toPrecision(3)),
  })));
  return { districtFlagRate, providers: providers.sort((a, b) => (b.flagRate ?? 0) - (a.flagRate ?? 0) || a.providerName.localeCompare(b.providerName, 'zh')) };
}

/** The district's share of finished visits confirmed at the door; null when none is finished. */
function doorShareOf(confirmations: Map<string | null, number>): number | null {
  const total = [...confirmations.values()].reduce((sum, visits) => sum + visits, 0);
  const door = DOOR_METHODS.reduce((sum, method) => sum + (confirmations.get(method) ?? 0), 0);
  return total > 0 ? door / total : null;
}

/** The suspect visits with their names and reviews (the month's reviews read in one `$in` by key). */
async function suspectRows(suspects: SuspectVisit[], names: ReportNames): Promise<Row<'suspectVisits'>[]> {
  const reviews = await reviewsOf(suspects.map((suspect) => suspect.orderId));
  return Promise.all(suspects.map(async (suspect) => ({
    ...suspect, providerName: await names.providerOrNull(suspect.providerId), caregiverName: await names.caregiver(suspect.caregiverId), review: reviews.get(suspect.orderId) ?? null,
  })));
}

import { districtVisitFlagCounts, ordersForReports } from '../dispatch/index.ts';
import { rateOf } from './figures.ts';
import { ReportNames } from './names.ts';
import { ProviderPerformance } from './provider-performance.ts';
import { reportHeader, type ReportContext } from './report-context.ts';
import type { ProvidersReport } from './reports.schemas.ts';

/** Provider performance of the month: offers, acceptance, timeliness, ratings, complaints, flags. */
export async function providersReport(ctx: ReportContext): Promise<ProvidersReport> {
  const performance = new ProviderPerformance(ctx.month, ctx.config.businessTimeZone, ctx.config.settlement.lateArrivalGraceMinutes);
  for await (const batch of ordersForReports(ctx.month, ctx.actor, { timeZone: ctx.config.businessTimeZone, withOffersOfMonth: true })) {
    for (const order of batch) performance.add(order);
  }
  const names = new ReportNames();
  const providers = await Promise.all(performance.providers().map(async ({ providerId, figures }) => ({ providerId, providerName: await names.provider(providerId), ...figures })));
  const district = await districtVisitFlagCounts(ctx.month);
  return {
    ...reportHeader(ctx),
    lateArrivalGraceMinutes: ctx.config.settlement.lateArrivalGraceMinutes,
    districtFlagRate: rateOf(district.flaggedVisits, district.visitsCheckedIn),
    overall: performance.overall(),
    providers: providers.sort((a, b) => a.providerName.localeCompare(b.providerName, 'zh') || a.providerId.localeCompare(b.providerId)),
  };
}

import { ORDER_STATUSES, ordersForReports, type OrderStatus } from '../dispatch/index.ts';
import { CATEGORIES, SENIOR_STATUSES, seniorsForReports, type SeniorStatus } from '../seniors/index.ts';
import { StatusTally } from './figures.ts';
import { ReportNames } from './names.ts';
import { reportHeader, type ReportContext } from './report-context.ts';
import type { OverviewReport } from './reports.schemas.ts';
import { paymentTimeliness, settlementSpend } from './settlement-figures.ts';

/** Visits whose subsidy the vouchers have paid (or will, once settled). */
const VOUCHER_FUNDED: readonly OrderStatus[] = ['confirmed', 'settled'];

/**
 * The month at a glance (PRODUCT.md §10): the registry by community and category, the month's
 * orders by status and service type, and what the month costs — the vouchers' share of confirmed
 * visits in the caller's scope, and for district roles the settled spend against the annual budget
 * and the statements whose payment is late. Streams seniors and orders; groups in memory by
 * community, category, status and service type (bounded keys).
 */
export async function overviewReport(ctx: ReportContext): Promise<OverviewReport> {
  const names = new ReportNames();
  const [seniors, orders] = [await seniorFigures(ctx, names), await orderFigures(ctx, names)];
  return {
    ...reportHeader(ctx),
    seniors,
    orders: orders.orders,
    spend: { vouchers: orders.vouchers, settlement: ctx.isDistrictWide ? await settlementSpend(ctx) : null },
    paymentTimeliness: ctx.isDistrictWide ? await paymentTimeliness(ctx) : null,
  };
}

async function seniorFigures(ctx: ReportContext, names: ReportNames): Promise<OverviewReport['seniors']> {
  const byCommunity = new StatusTally<SeniorStatus>(SENIOR_STATUSES);
  const byCategory = new StatusTally<SeniorStatus>(SENIOR_STATUSES);
  for await (const batch of seniorsForReports(ctx.actor, ctx.month, ctx.asOf, ctx.config.businessTimeZone)) {
    for (const senior of batch) {
      byCommunity.add(senior.status, [senior.communityId]);
      byCategory.add(senior.status, senior.categories.filter(isCategory));
    }
  }
  const communities = await Promise.all(byCommunity.entries().map(async ({ key, ...counts }) => ({ communityId: key, communityName: await names.community(key), ...counts })));
  const categoryOrder = (category: string) => (CATEGORIES as readonly string[]).indexOf(category);
  return {
    asOf: ctx.asOf,
    total: byCommunity.grandTotal,
    byStatus: byCommunity.total,
    byCommunity: communities.sort((a, b) => a.communityName.localeCompare(b.communityName, 'zh') || a.communityId.localeCompare(b.communityId)),
    byCategory: byCategory.entries()
      .map(({ key, ...counts }) => ({ category: key as (typeof CATEGORIES)[number], ...counts }))
      .sort((a, b) => categoryOrder(a.category) - categoryOrder(b.category)),
  };
}

const isCategory = (category: string): boolean => (CATEGORIES as readonly string[]).includes(category);

async function orderFigures(ctx: ReportContext, names: ReportNames) {
  const byServiceType = new StatusTally<OrderStatus>(ORDER_STATUSES);
  const vouchers = { confirmedVisits: 0, grossFen: 0, subsidyFen: 0, selfPayFen: 0 };
  for await (const batch of ordersForReports(ctx.month, ctx.actor, { timeZone: ctx.config.businessTimeZone })) {
    for (const order of batch) {
      byServiceType.add(order.status, [order.serviceTypeCode]);
      if (!VOUCHER_FUNDED.includes(order.status)) continue;
      vouchers.confirmedVisits += 1;
      vouchers.grossFen += order.priceFen;
      vouchers.subsidyFen += order.subsidyFen;
      vouchers.selfPayFen += order.selfPayFen;
    }
  }
  const serviceTypes = await Promise.all(byServiceType.entries().map(async ({ key, ...counts }) => ({ serviceTypeCode: key, serviceTypeName: await names.serviceType(key), ...counts })));
  return {
    orders: { total: byServiceType.grandTotal, byStatus: byServiceType.total, byServiceType: serviceTypes.sort((a, b) => a.serviceTypeCode.localeCompare(b.serviceTypeCode)) },
    vouchers,
  };
}

import { z } from 'zod';
import { ORDER_STATUSES } from '../dispatch/index.ts';
import { CATEGORIES, SENIOR_STATUSES } from '../seniors/index.ts';
import { dateTimeOut, nullableDateTimeOut } from '../shared/http/schemas.ts';
import { bilingual } from '../shared/i18n.ts';
import { FLAG_RATE_MAX_P_VALUE, FLAG_RATE_MIN_VISITS } from './provider-rules.ts';
import { orderNumber, SUSPECT_RULE, suspectVisitSchema } from './suspect-visits.schemas.ts';

/*
 * The three monthly reports (PRODUCT.md §10). Conventions of every figure:
 *   - amounts are integer fen (`…Fen`);
 *   - a rate is a number between 0 and 1, rounded to 4 decimals, and null when its denominator is 0;
 *   - minutes and averages are rounded to 1 and 2 decimals, null when there is nothing to measure.
 */

const count = z.number().int().min(0);
const fen = z.number().int();
const rate = (description: string) => z.number().min(0).max(1).nullable().openapi({ description: `${description}; 0..1, 4 decimals; null when nothing to divide by` });

export const reportQuery = z
  .object({
    month: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, bilingual('月份格式应为 YYYY-MM', 'Must be a month written YYYY-MM'))
      .optional()
      .openapi({ description: 'The month reported, YYYY-MM in Asia/Shanghai; default: the current month', example: '2026-10' }),
  })
  .strict()
  .openapi('ReportQuery');

const scopeSchema = z
  .object({
    level: z.enum(['district', 'street', 'communities']),
    streetId: z.string().nullable(),
    communityIds: z.array(z.string()),
  })
  .openapi('ReportScope', { description: 'Whose rows the report counts: the whole district (admin, finance, audit), the street officer\'s street, or the community worker\'s communities' });

const header = {
  month: z.string(),
  generatedAt: dateTimeOut,
  scope: scopeSchema,
};

const seniorStatusCounts = z.record(z.enum(SENIOR_STATUSES), count).openapi('SeniorStatusCounts');
const orderStatusCounts = z.record(z.enum(ORDER_STATUSES), count).openapi('OrderStatusCounts');

const statementRow = z
  .object({
    statementId: z.string(),
    period: z.string(),
    providerId: z.string(),
    providerName: z.string(),
    payableFen: fen,
    approvedAt: nullableDateTimeOut,
    paymentDueAt: nullableDateTimeOut,
    paymentOverdue: z.boolean().openapi({ description: 'approved, unpaid and past PAYMENT_DUE_DAYS after approval' }),
    daysOverdue: count.openapi({ description: 'whole days past paymentDueAt; 0 when not overdue' }),
  })
  .openapi('ReportUnpaidStatement');

const fundingSource = z
  .object({
    source: z.enum(['city', 'district']),
    monthFen: fen.openapi({ description: 'payable of the month\'s statements paid from this source' }),
    yearToDateFen: fen.openapi({ description: 'the same for every statement from January to the month' }),
    annualBudgetFen: fen.nullable().openapi({ description: 'ANNUAL_BUDGET_CITY_FEN / ANNUAL_BUDGET_DISTRICT_FEN; null when not configured' }),
    yearToDateShareOfBudget: z.number().min(0).nullable().openapi({ description: 'yearToDateFen / annualBudgetFen, 4 decimals (above 1 when over budget); null without a budget' }),
  })
  .openapi('ReportFundingSource');

const runRateSource = z
  .object({
    source: z.enum(['city', 'district']),
    settledFen: fen.openapi({ description: 'this source\'s share of the settled months (every statement approved or paid): the committed spend' }),
    pendingFen: fen.openapi({ description: 'the same for months with a draft statement still: shown apart, projected at the run-rate instead' }),
    runRateFen: fen.nullable().openapi({ description: 'settledFen / settled months, rounded to the fen; null before any month is settled' }),
    projectedYearEndFen: fen.nullable().openapi({ description: 'settledFen + settledFen × remaining months / settled months, rounded once; null before any month is settled' }),
    annualBudgetFen: fen.nullable(),
    projectedShareOfBudget: z.number().nullable().openapi({ description: 'projectedYearEndFen / annualBudgetFen, 4 decimals; null without a budget or a projection' }),
    projectedOverBudgetFen: fen.min(0).nullable().openapi({ description: 'how far the projection passes the budget (0 when within it); null without a budget or a projection' }),
    warning: z.boolean().openapi({ description: 'projectedYearEndFen ≥ 90% of annualBudgetFen (compared in fen); false without a budget' }),
  })
  .openapi('ReportRunRateSource');

const runRate = z
  .object({
    year: z.string(),
    throughPeriod: z.string().openapi({ description: 'the report month: the months of its year up to it count' }),
    months: z
      .array(z.object({ period: z.string(), settled: z.boolean(), statements: count, cityFen: fen, districtFen: fen }))
      .openapi({ description: 'every month of the year so far with statements; settled: all of them approved or paid' }),
    settledMonths: count,
    remainingMonths: count.openapi({ description: 'the months projected at the run-rate: those after the last settled month, and any pending one before it (a month before it without statements spent nothing)' }),
    warningThresholdPct: count,
    sources: z.array(runRateSource),
  })
  .openapi('ReportBudgetRunRate', { description: 'the year-end projection per funding source from the settled months (reports/budget-run-rate.ts)' });

export const overviewSchema = z
  .object({
    ...header,
    seniors: z.object({
      asOf: dateTimeOut.openapi({ description: 'the instant counted: the end of the month, or now for a month not over yet' }),
      total: count,
      byStatus: seniorStatusCounts,
      byCommunity: z.array(z.object({ communityId: z.string(), communityName: z.string(), total: count, byStatus: seniorStatusCounts })),
      byCategory: z
        .array(z.object({ category: z.enum(CATEGORIES), total: count, byStatus: seniorStatusCounts }))
        .openapi({ description: 'a senior counts once under each of their categories (the month\'s voucher categories, advanced_age when 80 or older)' }),
    }),
    orders: z.object({
      total: count.openapi({ description: 'orders scheduled in the month (Asia/Shanghai day)' }),
      byStatus: orderStatusCounts,
      byServiceType: z.array(z.object({ serviceTypeCode: z.string(), serviceTypeName: z.string(), total: count, byStatus: orderStatusCounts })),
    }),
    spend: z.object({
      vouchers: z
        .object({ confirmedVisits: count, grossFen: fen, subsidyFen: fen, selfPayFen: fen })
        .openapi({ description: 'the month\'s orders confirmed or settled: price, the voucher-funded subsidy and the seniors\' self-pay' }),
      settlement: z
        .object({
          statementsOfMonth: z.object({ total: count, draft: count, approved: count, paid: count }),
          payableMonthFen: fen,
          payableYearToDateFen: fen,
          fundingSources: z.array(fundingSource),
          runRate,
        })
        .nullable()
        .openapi({ description: 'settlement statements of the month and of the year so far, whatever their status; district-wide, so null for street and community roles' }),
    }),
    paymentTimeliness: z
      .object({
        paymentDueDays: count,
        unpaidApproved: count,
        overdue: count,
        overdueFen: fen,
        statements: z.array(statementRow).openapi({ description: 'every approved statement still unpaid, whatever its period, oldest approval first' }),
      })
      .nullable()
      .openapi({ description: 'null for street and community roles' }),
  })
  .openapi('OverviewReport');

const performance = {
  offers: count.openapi({ description: 'offers made in the month' }),
  accepted: count,
  declined: count,
  expired: count,
  openOffers: count.openapi({ description: 'offers of the month not answered yet' }),
  acceptanceRate: rate('accepted / (accepted + declined + expired): open offers are not decided yet'),
  medianMinutesToAccept: z.number().min(0).nullable().openapi({ description: 'median of offer → acceptance, minutes, 1 decimal; offers recorded before answer times were kept are left out' }),
  visitsCheckedIn: count.openapi({ description: 'orders scheduled in the month whose caregiver checked in' }),
  visitsConfirmed: count.openapi({ description: 'orders scheduled in the month that are confirmed or settled' }),
  onTimeVisits: count,
  onTimeRate: rate('check-ins no later than the scheduled start + LATE_ARRIVAL_GRACE_MINUTES / visitsCheckedIn'),
  ratings: count,
  averageSatisfaction: z.number().min(1).max(5).nullable().openapi({ description: 'mean of the seniors\' satisfaction (1-5), 2 decimals' }),
  cancellationsAfterAcceptance: count.openapi({ description: 'orders of the month the provider cancelled after accepting (a penalty)' }),
  disputes: count.openapi({ description: 'orders of the month disputed (complaints), whatever the outcome' }),
  flaggedVisits: count,
  flagRate: rate('flaggedVisits / visitsCheckedIn'),
};

export const providersReportSchema = z
  .object({
    ...header,
    lateArrivalGraceMinutes: count,
    districtFlagRate: rate('flagged / checked-in visits of the whole district in the month, whoever asks'),
    overall: z.object(performance).openapi({ description: 'the same figures over every provider of the report' }),
    providers: z.array(z.object({ providerId: z.string(), providerName: z.string(), ...performance })).openapi({ description: 'every provider with an offer or an order in the month, by name' }),
  })
  .openapi('ProvidersReport');

const visitRef = z.object({ orderId: z.string(), orderNumber, communityId: z.string(), checkInAt: dateTimeOut, checkOutAt: nullableDateTimeOut });

export const anomaliesSchema = z
  .object({
    ...header,
    flaggedVisits: z.array(z.object({
      orderId: z.string(),
      orderNumber,
      scheduledStart: dateTimeOut,
      communityId: z.string(),
      serviceTypeCode: z.string(),
      status: z.enum(ORDER_STATUSES),
      providerId: z.string().nullable(),
      providerName: z.string().nullable(),
      caregiverId: z.string().nullable(),
      caregiverName: z.string().nullable(),
      flags: z.array(z.string()),
    })),
    caregiverOverlaps: z
      .array(z.object({
        caregiverId: z.string(),
        caregiverName: z.string().nullable(),
        providerId: z.string().nullable(),
        providerName: z.string().nullable(),
        overlapMinutes: z.number().min(0).openapi({ description: '1 decimal' }),
        visits: z.array(visitRef).length(2).openapi({ description: 'the earlier check-in first; a visit still in service runs until now' }),
      }))
      .openapi({ description: 'two visits of one caregiver whose check-in → check-out intervals overlap' }),
    visitsForInactiveSeniors: z
      .array(z.object({
        orderId: z.string(),
        orderNumber,
        seniorId: z.string(),
        communityId: z.string(),
        providerId: z.string().nullable(),
        providerName: z.string().nullable(),
        status: z.enum(ORDER_STATUSES),
        visitAt: dateTimeOut.openapi({ description: 'the check-in, else the scheduled start' }),
        seniorStatus: z.enum(SENIOR_STATUSES),
      }))
      .openapi({ description: 'completed, confirmed or settled visits of a senior who was not active at the visit (suspended, or deactivated from the effective day)' }),
    flagRateOutliers: z.object({
      districtFlagRate: rate('flagged / checked-in visits of the whole district in the month'),
      providers: z
        .array(z.object({
          providerId: z.string(), providerName: z.string(), visitsCheckedIn: count, flaggedVisits: count, flagRate: rate('flaggedVisits / visitsCheckedIn'), districtFlagRate: rate('as above'),
          pValue: z.number().min(0).max(1).openapi({ description: 'P(X ≥ flaggedVisits) for X ~ Binomial(visitsCheckedIn, districtFlagRate), 3 significant digits' }),
        }))
        .openapi({
          description: `providers whose flag rate (over the visits of the report) is above the district's beyond chance: at least ${FLAG_RATE_MIN_VISITS} checked-in visits and a one-sided exact binomial test against the district's rate with p < ${FLAG_RATE_MAX_P_VALUE}; highest rate first`,
        }),
    }),
    suspectVisits: z.array(suspectVisitSchema).openapi({ description: `every suspicious visit of the month once, with every reason; score descending, then by scheduled start. ${SUSPECT_RULE}` }),
    latePayments: z.array(statementRow).nullable().openapi({ description: 'approved statements unpaid past PAYMENT_DUE_DAYS; null for street and community roles' }),
  })
  .openapi('AnomaliesReport');

export type ReportQuery = z.output<typeof reportQuery>;
export type OverviewReport = z.input<typeof overviewSchema>;
export type ProvidersReport = z.input<typeof providersReportSchema>;
export type AnomaliesReport = z.input<typeof anomaliesSchema>;
export type ProviderPerformanceFigures = z.input<z.ZodObject<typeof performance>>;
export type UnpaidStatementRow = z.input<typeof statementRow>;
export type ReportScope = z.input<typeof scopeSchema>;

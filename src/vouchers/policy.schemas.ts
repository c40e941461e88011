import { z } from 'zod';
import { pageOf, pageQuery } from '../shared/http/pagination.ts';
import { dateTimeOut } from '../shared/http/schemas.ts';
import { bilingual } from '../shared/i18n.ts';
import { CARE_LEVELS, COMBINE_MODES, EXPIRY_MODES, VOUCHER_CATEGORIES } from './policy.model.ts';

/** A voucher month 'YYYY-MM' (Asia/Shanghai). */
export const monthSchema = z
  .string()
  .regex(/^\d{4}-(0[1-9]|1[0-2])$/, bilingual('月份格式应为 YYYY-MM', 'Must be a month written YYYY-MM'))
  .openapi({ example: '2026-05' });

// zod 4's int() admits safe integers only, so 2^53 fen is refused here as well as by the model.
const fenField = z.number().int().min(0);
const percentField = z.number().int().min(0).max(100);

// Object-level rules run only when the fields passed, so they add no noise on top of field errors.
const onlyWhenValid = (payload: { issues: readonly unknown[] }) => payload.issues.length === 0;

const categoryAmountSchema = z
  .object({
    category: z.enum(VOUCHER_CATEGORIES),
    monthlyAmountFen: fenField.openapi({ description: 'Monthly voucher amount for this category, fen' }),
    subsidyRatePct: percentField.openapi({ description: 'Share of a service price vouchers may pay, percent' }),
  })
  .strict()
  .openapi('VoucherPolicyCategory');

const categoriesField = z
  .array(categoryAmountSchema)
  .min(1, bilingual('至少包含一个类别', 'At least one category'))
  .max(VOUCHER_CATEGORIES.length)
  .superRefine((entries, ctx) => {
    const categories = entries.map((entry) => entry.category);
    categories.forEach((category, index) => {
      if (categories.indexOf(category) !== index) {
        ctx.addIssue({ code: 'custom', path: [index, 'category'], message: bilingual('同一类别只能出现一次', 'A category appears once per policy') });
      }
    });
  });

const fundingSplitSchema = z
  .object({ cityPct: percentField, districtPct: percentField })
  .strict()
  .refine((split) => split.cityPct + split.districtPct === 100, {
    error: bilingual('市、区分担比例之和须为 100', 'cityPct and districtPct must add up to 100'),
    when: onlyWhenValid,
  })
  .openapi('VoucherFundingSplit');

const lapsesOnField = z
  .string()
  .regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, bilingual('失效日期格式应为 MM-DD', 'lapsesOn is written MM-DD'))
  .refine((monthDay) => Number(monthDay.slice(3)) <= [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][Number(monthDay.slice(0, 2)) - 1]!, {
    error: bilingual('失效日期不存在（该月没有这一天）', 'lapsesOn is not a day of that month'),
    when: onlyWhenValid,
  })
  .openapi({ example: '06-30', description: 'anchor_date: the day (MM-DD) an amount lapses at the end of; 02-29 is the last day of February' });

const expirySchema = z
  .object({
    mode: z.enum(EXPIRY_MODES).openapi({
      description: 'end_of_month: a month\'s vouchers lapse at its end; rollover: they stay usable for rolloverMonths more months; '
        + 'anchor_date: an amount credited in year Y lapses at the end of lapsesOn of year Y + lapsesAfterYears (never before the anchor after its own month)',
    }),
    rolloverMonths: z.number().int().min(1).max(24).optional(),
    lapsesOn: lapsesOnField.optional(),
    lapsesAfterYears: z.number().int().min(0).max(10).optional().openapi({ description: 'anchor_date: years after the year of the credit; 0 = the same year' }),
  })
  .strict()
  .superRefine((expiry, ctx) => {
    if (expiry.mode === 'rollover' && expiry.rolloverMonths === undefined) {
      ctx.addIssue({ code: 'custom', path: ['rolloverMonths'], message: bilingual('顺延模式须给出顺延月数（1-24）', 'rollover needs rolloverMonths (1-24)') });
    }
    if (expiry.mode !== 'rollover' && expiry.rolloverMonths !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['rolloverMonths'], message: bilingual('只有顺延模式可以设置顺延月数', 'rolloverMonths is only for rollover') });
    }
    if (expiry.mode === 'anchor_date' && (expiry.lapsesOn === undefined || expiry.lapsesAfterYears === undefined)) {
      const path = expiry.lapsesOn === undefined ? 'lapsesOn' : 'lapsesAfterYears';
      ctx.addIssue({ code: 'custom', path: [path], message: bilingual('固定日期失效模式须给出失效日期（MM-DD）和间隔年数（0-10）', 'anchor_date needs lapsesOn (MM-DD) and lapsesAfterYears (0-10)') });
    }
    if (expiry.mode !== 'anchor_date') {
      for (const field of ['lapsesOn', 'lapsesAfterYears'] as const) {
        if (expiry[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: bilingual('只有固定日期失效模式可以设置失效日期和间隔年数', `${field} is only for anchor_date`) });
      }
    }
  })
  .openapi('VoucherExpiry');

const serviceCapSchema = z
  .object({
    serviceTypeCode: z.string().trim().min(1).max(40),
    maxSubsidySharePct: percentField.optional().openapi({ description: 'The most of the service\'s price the subsidy may pay, percent; lowers the senior\'s rate, never raises it' }),
    monthlyVisits: z.number().int().min(0).max(1000).optional().openapi({ description: 'Subsidised visits of this service per senior per month' }),
  })
  .strict()
  .openapi('VoucherServiceCap');

const capsSchema = z
  .object({
    monthlyFen: fenField.optional().openapi({ description: 'The most subsidy one senior may use in a month (held or redeemed), fen' }),
    perService: z.array(serviceCapSchema).max(100).default([]).superRefine((entries, ctx) => {
      const codes = entries.map((entry) => entry.serviceTypeCode);
      codes.forEach((code, index) => {
        if (codes.indexOf(code) !== index) ctx.addIssue({ code: 'custom', path: [index, 'serviceTypeCode'], message: bilingual('同一服务只能设置一条限额', 'A service appears once in perService') });
      });
    }),
  })
  .strict()
  .openapi('VoucherCaps');

export const createVoucherPolicyBody = z
  .object({
    name: z.string().max(100).trim().min(1),
    effectiveFrom: monthSchema,
    combine: z.enum(COMBINE_MODES).openapi({ description: 'How the amounts of a senior\'s several categories combine' }),
    categories: categoriesField,
    careLevelSupplementFen: z
      .array(fenField)
      .length(CARE_LEVELS, bilingual('须为 6 个金额，对应护理等级 0-5', 'Exactly 6 amounts, for care levels 0-5'))
      .openapi({ description: 'Monthly supplement per care level 0-5, fen; paid while the assessment is valid' }),
    defaultSubsidyRatePct: percentField.openapi({ description: 'Subsidy rate for a senior none of whose categories the policy lists' }),
    fundingSplit: fundingSplitSchema,
    expiry: expirySchema,
    caps: capsSchema.default({ perService: [] }).openapi({ description: 'Monthly subsidy cap, per-service share of the price and monthly visit quota' }),
  })
  .strict()
  .openapi('CreateVoucherPolicy');

export const voucherPolicySchema = z
  .object({
    id: z.string().openapi({ description: 'The effectiveFrom month: one policy per month' }),
    name: z.string(),
    effectiveFrom: z.string(),
    combine: z.enum(COMBINE_MODES),
    categories: z.array(z.object({ category: z.enum(VOUCHER_CATEGORIES), monthlyAmountFen: z.number().int(), subsidyRatePct: z.number().int() })),
    careLevelSupplementFen: z.array(z.number().int()),
    defaultSubsidyRatePct: z.number().int(),
    fundingSplit: z.object({ cityPct: z.number().int(), districtPct: z.number().int() }),
    expiry: z.object({ mode: z.enum(EXPIRY_MODES), rolloverMonths: z.number().int().optional(), lapsesOn: z.string().optional(), lapsesAfterYears: z.number().int().optional() }),
    caps: z.object({
      monthlyFen: z.number().int().optional(),
      perService: z.array(z.object({ serviceTypeCode: z.string(), maxSubsidySharePct: z.number().int().optional(), monthlyVisits: z.number().int().optional() })),
    }),
    createdBy: z.string(),
    createdAt: dateTimeOut,
  })
  .openapi('VoucherPolicy');

export const voucherPoliciesQuery = z.object({ ...pageQuery }).strict();
export const voucherPolicyPageSchema = pageOf(voucherPolicySchema).openapi('VoucherPolicyPage');
export const effectivePolicyQuery = z.object({ month: monthSchema }).strict();

/** What the route passes; seed and fixtures may leave the caps out (none). */
export type CreateVoucherPolicyInput = Omit<z.output<typeof createVoucherPolicyBody>, 'caps'> & { caps?: z.output<typeof createVoucherPolicyBody>['caps'] };

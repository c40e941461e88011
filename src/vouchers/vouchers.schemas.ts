import { z } from 'zod';
import { pageOf, pageQuery } from '../shared/http/pagination.ts';
import { dateTimeOut, objectIdParam } from '../shared/http/schemas.ts';
import { ENTRY_TYPES } from './ledger.model.ts';
import { bilingual } from '../shared/i18n.ts';

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, bilingual('月份格式应为 YYYY-MM，如 2026-12', 'must be a month YYYY-MM'));

export const accountSchema = z.object({ seniorId: z.string(), balanceFen: z.number().int(), heldFen: z.number().int(), availableFen: z.number().int() }).openapi('VoucherAccount');

export const capsViewSchema = z
  .object({
    month: z.string().openapi({ description: 'The service month the caps and their use are of' }),
    monthlyFen: z.number().int().nullable().openapi({ description: 'The month\'s subsidy cap, fen; null: none' }),
    usedFen: z.number().int().openapi({ description: 'Subsidy held or redeemed for the month\'s services, fen' }),
    perService: z.array(z.object({
      serviceTypeCode: z.string(),
      maxSubsidySharePct: z.number().int().nullable(),
      monthlyVisits: z.number().int().nullable(),
      visitsUsed: z.number().int(),
    })),
  })
  .openapi('VoucherCapsUse');

export const accountWithCapsSchema = accountSchema.extend({ caps: capsViewSchema }).openapi('VoucherAccountWithCaps');
export const accountQuery = z.object({ month: month.optional() }).strict();

export const entrySchema = z
  .object({
    id: z.string().openapi({ description: 'the idempotency key, e.g. issue:<senior>:<month>, hold:<order>' }),
    type: z.enum(ENTRY_TYPES),
    balanceDeltaFen: z.number().int(),
    heldDeltaFen: z.number().int(),
    month: z.string().nullable(),
    orderId: z.string().nullable(),
    reason: z.string().nullable(),
    createdBy: z.string(),
    createdAt: dateTimeOut,
  })
  .openapi('VoucherEntry');

export const entryPageSchema = pageOf(entrySchema);
export const entriesQuery = z.object({ ...pageQuery }).strict();
export const seniorIdParams = z.object({ id: objectIdParam }).strict();

export const adjustmentBody = z
  .object({
    amountFen: z.number().int().refine((value) => value !== 0 && Number.isSafeInteger(value), bilingual('金额须为不等于 0 的整数（单位：分，负数表示扣减）', 'a non-zero whole number of fen (negative to take away)')),
    reason: z.string().max(500).trim().min(2),
  })
  .strict()
  .openapi('VoucherAdjustmentRequest');

export const issuanceBody = z.object({ month }).strict().openapi('VoucherIssuanceRequest');
export const issuanceSchema = z
  .object({ month: z.string(), issued: z.number().int(), skipped: z.number().int(), totalFen: z.number().int(), zeroAmount: z.number().int(), expiredFen: z.number().int() })
  .openapi('VoucherIssuanceResult');

import { z } from 'zod';
import { PAYMENT_LAYOUTS } from './payment-file.ts';
import { periodField } from './settlement.schemas.ts';

export const paymentFileQuery = z
  .object({
    period: periodField,
    format: z.enum(['csv']).default('csv'),
    layout: z.enum(PAYMENT_LAYOUTS).default('generic').openapi({ description: 'generic: UTF-8 CSV with a checksum line; icbc: 中国工商银行 企业网银 批量支付 columns, GBK CSV' }),
  })
  .strict();

export const paymentReturnSchema = z
  .object({
    paid: z.number().int().openapi({ description: 'statements marked paid by this upload' }),
    alreadyPaid: z.number().int().openapi({ description: 'rows whose statement was paid before with the same bank serial (the same return again changes nothing)' }),
    failed: z.number().int().openapi({ description: 'rows the bank reports as failed: reported, not paid' }),
    rows: z.array(z.object({
      row: z.number().int().openapi({ description: 'line in the file; the header is line 1' }),
      statementId: z.string(),
      amountFen: z.number().int(),
      status: z.enum(['paid', 'already_paid', 'failed']),
      bankSerial: z.string(),
      date: z.string(),
    })),
  })
  .openapi('PaymentReturnResult');

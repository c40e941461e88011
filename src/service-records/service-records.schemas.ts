import { z } from 'zod';
import { objectIdParam } from '../shared/http/schemas.ts';

export const recordImportQuery = z
  .object({ providerId: objectIdParam.optional().openapi({ description: 'the provider whose records these are: required for admin; a provider_admin uploads for their own provider only' }) })
  .strict();

export const recordImportReportSchema = z
  .object({
    total: z.number().int().openapi({ description: 'data rows read (the header and blank rows not counted)' }),
    created: z.number().int(),
    duplicates: z.number().int().openapi({ description: 'rows whose record (provider + 外部记录号) was taken before, in this file or an earlier upload' }),
    rejected: z.number().int(),
    rows: z.array(z.object({
      row: z.number().int().openapi({ description: 'line in the sheet; the header is line 1' }),
      status: z.enum(['created', 'duplicate', 'rejected']),
      orderId: z.string().optional().openapi({ description: 'the order made for the row (created) or made before (duplicate)' }),
      errors: z.array(z.object({ column: z.string().openapi({ description: 'the column\'s key, e.g. seniorIdNumber' }), message: z.string() })).optional(),
    })),
  })
  .openapi('ServiceRecordImportReport');

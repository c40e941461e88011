import { z } from 'zod';
import { pageOf, pageQuery } from '../shared/http/pagination.ts';
import { dateTimeOut } from '../shared/http/schemas.ts';

export const auditQuerySchema = z
  .object({
    entityType: z.string().min(1).max(64).optional(),
    entityId: z.string().min(1).max(128).optional(),
    actorId: z.string().min(1).max(128).optional(),
    from: z.iso.datetime({ offset: true }).optional(),
    to: z.iso.datetime({ offset: true }).optional(),
    ...pageQuery,
  })
  .strict();

export const auditEntrySchema = z
  .object({
    id: z.string(),
    seq: z.number().int(),
    at: dateTimeOut,
    actorId: z.string(),
    actorRole: z.string(),
    action: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    before: z.unknown(),
    after: z.unknown(),
    requestId: z.string().nullable(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .openapi('AuditEntry');

export const auditPageSchema = pageOf(auditEntrySchema);

export const auditVerifySchema = z
  .object({
    ok: z.boolean(),
    checked: z.number().int(),
    firstBrokenAt: z.number().int().optional().openapi({ description: 'seq of the first missing, altered or unchained entry' }),
    reason: z.enum(['missing_entry', 'hash_mismatch', 'chain_mismatch', 'truncated']).optional(),
  })
  .openapi('AuditVerifyResult');

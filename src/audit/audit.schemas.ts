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
    actorName: z.string().openapi({ description: 'the user\'s display name ("系统" for jobs and start-up work)' }),
    action: z.string(),
    actionLabel: z.string().openapi({ description: 'the action in Chinese, e.g. 登录 for auth.login' }),
    entityType: z.string(),
    entityTypeLabel: z.string().openapi({ description: 'the entity type in Chinese, e.g. 老人 for senior' }),
    entityId: z.string(),
    before: z.unknown(),
    after: z.unknown(),
    requestId: z.string().nullable(),
    prevHash: z.string(),
    hash: z.string(),
    keyId: z.string().optional().openapi({ description: 'the HMAC key the link was made with; absent on links made before the chain was keyed' }),
  })
  .openapi('AuditEntry');

export const auditPageSchema = pageOf(auditEntrySchema);

export const auditExportQuerySchema = auditQuerySchema.omit({ page: true, pageSize: true, cursor: true }).extend({ format: z.literal('csv').default('csv') }).strict();

export const auditVerifySchema = z
  .object({
    ok: z.boolean(),
    checked: z.number().int(),
    firstBrokenAt: z.number().int().optional().openapi({ description: 'seq of the first missing, altered or unchained entry' }),
    reason: z.enum(['missing_entry', 'hash_mismatch', 'chain_mismatch', 'truncated', 'unknown_key', 'anchor_mismatch']).optional()
      .openapi({ description: 'unknown_key: a link made with a key this service does not hold; anchor_mismatch: a link differs from the one a daily verification anchored' }),
  })
  .openapi('AuditVerifyResult');

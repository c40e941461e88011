import { createRouteGroup } from '../shared/http/route.ts';
import { attachmentDisposition } from '../shared/http/attachment.ts';
import { businessDay } from '../shared/time.ts';
import { auditExportQuerySchema, auditPageSchema, auditQuerySchema, auditVerifySchema } from './audit.schemas.ts';
import { listAuditEntries, verifyAuditChain, writeAuditCsv } from './audit.service.ts';

const { router, route } = createRouteGroup('/api/v1');

route({
  method: 'get',
  path: '/audit',
  summary: 'List audit entries, newest first',
  tags: ['audit'],
  access: ['admin', 'auditor'],
  query: auditQuerySchema,
  success: { status: 200, schema: auditPageSchema, description: 'A page of audit entries' },
  handler: ({ query }) =>
    listAuditEntries({
      ...query,
      from: query.from ? new Date(query.from) : undefined,
      to: query.to ? new Date(query.to) : undefined,
    }),
});

route({
  method: 'get',
  path: '/audit/export',
  summary: 'The entries the filters select, newest first, as CSV (UTF-8 with BOM); at most AUDIT_EXPORT_MAX_ROWS, and a last line says so when there were more',
  tags: ['audit'],
  access: ['admin', 'auditor'],
  cost: 'export',
  query: auditExportQuerySchema,
  success: { status: 200, files: ['text/csv'], description: 'The CSV file' },
  handler: async ({ query, config }, _req, res) => {
    const day = businessDay(new Date(), config.businessTimeZone);
    res.status(200);
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader('Content-Disposition', attachmentDisposition(`审计日志-${day}.csv`, `audit-log-${day}.csv`));
    const filter = { ...query, from: query.from ? new Date(query.from) : undefined, to: query.to ? new Date(query.to) : undefined };
    await writeAuditCsv(filter, { maxRows: config.auditExportMaxRows, timeZone: config.businessTimeZone }, res);
  },
});

route({
  method: 'get',
  path: '/audit/verify',
  summary: 'Recompute the hash chain and report the first broken link',
  tags: ['audit'],
  access: ['admin', 'auditor'],
  cost: 'report',
  success: { status: 200, schema: auditVerifySchema, description: 'Verification result' },
  handler: () => verifyAuditChain(),
});

export const auditRouter = router;

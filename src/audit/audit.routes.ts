import { createRouteGroup } from '../shared/http/route.ts';
import { auditPageSchema, auditQuerySchema, auditVerifySchema } from './audit.schemas.ts';
import { listAuditEntries, verifyAuditChain } from './audit.service.ts';

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
  path: '/audit/verify',
  summary: 'Recompute the hash chain and report the first broken link',
  tags: ['audit'],
  access: ['admin', 'auditor'],
  success: { status: 200, schema: auditVerifySchema, description: 'Verification result' },
  handler: () => verifyAuditChain(),
});

export const auditRouter = router;

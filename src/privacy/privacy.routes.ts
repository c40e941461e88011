import { z } from 'zod';
import { attachmentDisposition } from '../shared/http/attachment.ts';
import { createRouteGroup } from '../shared/http/route.ts';
import { objectIdParam } from '../shared/http/schemas.ts';
import { bilingual } from '../shared/i18n.ts';
import { businessDay } from '../shared/time.ts';
import { exportSeniorData } from './subject-export.service.ts';

const { router, route } = createRouteGroup('/api/v1');

const exportQuery = z.object({
  reason: z.string().trim()
    .min(2, bilingual('请填写导出原因（2-200 字），例如老人本人申请查阅', 'give the reason (2-200 characters), e.g. the senior\'s own request'))
    .max(200, bilingual('导出原因不超过 200 字', 'the reason: at most 200 characters'))
    .openapi({ description: 'why the file is made (the senior\'s or guardian\'s request, its date): written to the audit entry and into the file' }),
}).strict();

const subjectExportSchema = z.record(z.string(), z.unknown()).openapi('SeniorDataExport', {
  description: 'format, exportedAt, exportedBy, reason, senior (PII in clear), history, vouchers {account, entries}, orders, emergencyAlerts, carePlans, notifications, auditEntries, notes',
});

route({
  method: 'get', path: '/seniors/:id/export', summary: 'Everything held about one senior, as a JSON file (their data-subject request; PII in clear; audited)', tags: ['seniors'],
  access: ['admin', 'community_staff'],
  params: z.object({ id: objectIdParam }).strict(),
  query: exportQuery,
  cost: 'export',
  // Documented as the JSON it is (a download: Content-Disposition names the file), not as an opaque binary.
  success: { status: 200, schema: subjectExportSchema, description: 'The senior\'s record, history, vouchers and ledger, orders, alerts, care plans, notifications and audit entries, as a JSON file to save. Community staff: seniors of their communities only (else 404).' },
  handler: async ({ params, query, actor, config, requestId }, _req, res) => {
    const now = new Date();
    const file = await exportSeniorData(params.id, query.reason, { actor, config, requestId, now });
    const day = businessDay(now, config.businessTimeZone);
    res.status(200);
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Disposition', attachmentDisposition(`老人个人信息-${params.id}-${day}.json`, `senior-data-${params.id}-${day}.json`));
    res.end(JSON.stringify(file, null, 2));
  },
});

export const privacyRouter = router;

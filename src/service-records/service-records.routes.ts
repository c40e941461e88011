import { sendHeaderTemplate } from '../shared/http/attachment.ts';
import { DomainError } from '../shared/errors.ts';
import { createRouteGroup } from '../shared/http/route.ts';
import { bilingual } from '../shared/i18n.ts';
import { RECORD_COLUMNS } from './record-columns.ts';
import { importServiceRecords } from './record-import.service.ts';
import { recordImportQuery, recordImportReportSchema } from './service-records.schemas.ts';

const { router, route } = createRouteGroup('/api/v1');
const tags = ['service records'];
// A month of one provider's visits: 20 MiB is far beyond 50,000 rows of CSV.
const MAX_RECORD_FILE_BYTES = 20 * 1024 * 1024;

route({
  method: 'post', path: '/service-records/imports', summary: 'Upload visit records from a provider\'s own system (CSV in UTF-8 or GBK, or XLSX)', tags,
  access: ['admin', 'provider_admin'], query: recordImportQuery,
  cost: 'import',
  upload: { field: 'file', maxBytes: MAX_RECORD_FILE_BYTES, description: `the records: ${RECORD_COLUMNS.map((column) => `${column.zh} (${column.key})`).join(', ')}` },
  errors: ['NOT_ELIGIBLE'],
  success: { status: 200, schema: recordImportReportSchema, description: 'One result per row: created, duplicate or rejected with the columns at fault' },
  handler: async ({ query, actor, config, requestId, lang, signal }, req) => {
    // A provider's staff upload their own provider's records; naming another is answered as missing.
    const providerId = actor.role === 'provider_admin' ? actor.providerId : query.providerId;
    if (actor.role === 'provider_admin' && query.providerId && query.providerId !== actor.providerId) throw new DomainError('NOT_FOUND');
    if (!providerId) throw new DomainError('VALIDATION_FAILED', [{ path: 'providerId', message: bilingual('请指定服务商（providerId）', 'providerId is required') }]);
    if (!req.file) throw new DomainError('VALIDATION_FAILED', [{ path: 'file', message: bilingual('请上传文件（字段名 file）', 'upload the records in the field "file"') }]);
    return importServiceRecords({ path: req.file.path, originalName: req.file.originalname }, providerId, { actor, config, requestId, lang, signal });
  },
});

route({
  method: 'get', path: '/service-records/imports/template', summary: 'An empty visit-record sheet: the columns the upload reads, as CSV (UTF-8 with BOM, opens in Excel)', tags,
  access: ['admin', 'provider_admin'],
  success: { status: 200, files: ['text/csv'], description: 'The header row' },
  handler: (_input, _req, res) => sendHeaderTemplate(res, RECORD_COLUMNS.map((column) => column.zh), '服务记录上传模板.csv', 'service-records-template.csv'),
});

export const serviceRecordsRouter = router;

import { attachmentDisposition } from '../shared/http/attachment.ts';
import { DomainError } from '../shared/errors.ts';
import { createRouteGroup } from '../shared/http/route.ts';
import { bilingual } from '../shared/i18n.ts';
import { RETURN_COLUMNS, recordBankReturn } from './bank-return.ts';
import { paymentFileOf } from './payment-file.ts';
import { paymentFileQuery, paymentReturnSchema } from './payment.schemas.ts';

const { router, route } = createRouteGroup('/api/v1');
const tags = ['settlement'];
// A district pays a few hundred providers a month: a return file is small.
const MAX_RETURN_FILE_BYTES = 5 * 1024 * 1024;

route({
  method: 'get', path: '/settlements/payment-file',
  summary: 'The batch payment file of a period: every approved, unpaid statement with a payable, to its provider\'s bank account (account numbers in full; the export is audited)', tags,
  access: ['finance_officer', 'admin'], query: paymentFileQuery, errors: ['RULE_VIOLATION'],
  cost: 'export',
  success: { status: 200, files: ['text/csv'], description: 'The CSV; headers X-Payment-Count, X-Payment-Total-Fen and X-Payment-Checksum (SHA-256 of the detail lines) repeat its checksum' },
  handler: async ({ query, actor, config, requestId }, _req, res) => {
    const file = await paymentFileOf(query.period, query.layout, { actor, config, requestId });
    res.status(200);
    res.setHeader('Content-Type', file.contentType);
    res.setHeader('Content-Disposition', attachmentDisposition(file.fileName, file.asciiFileName));
    res.setHeader('X-Payment-Count', String(file.count));
    res.setHeader('X-Payment-Total-Fen', String(file.totalFen));
    res.setHeader('X-Payment-Checksum', file.checksum);
    res.end(file.bytes);
  },
});

route({
  method: 'post', path: '/settlements/payment-returns',
  summary: 'Record the bank\'s return file of a batch payment: the whole file is checked first (any mismatch → 422, nothing paid), then its successful rows\' statements are marked paid', tags,
  access: ['finance_officer'], errors: ['RULE_VIOLATION'],
  cost: 'import',
  upload: { field: 'file', maxBytes: MAX_RETURN_FILE_BYTES, description: `the return (CSV in UTF-8 or GBK, or XLSX): ${RETURN_COLUMNS.map((column) => `${column.zh} (${column.key})`).join(', ')}; 状态: 成功/失败; 金额 in yuan; 日期 YYYY-MM-DD` },
  success: { status: 200, schema: paymentReturnSchema, description: 'What each row did' },
  handler: async ({ actor, config, requestId, lang }, req) => {
    if (!req.file) throw new DomainError('VALIDATION_FAILED', [{ path: 'file', message: bilingual('请上传银行回单文件（字段名 file）', 'upload the return file in the field "file"') }]);
    return recordBankReturn({ path: req.file.path, originalName: req.file.originalname }, { actor, config, requestId, lang });
  },
});

export const paymentRouter = router;

import { DomainError } from '../shared/errors.ts';
import { sendHeaderTemplate } from '../shared/http/attachment.ts';
import { REGISTER_COLUMNS } from './import/register-columns.ts';
import { createRouteGroup, type RouteInput } from '../shared/http/route.ts';
import { resetConfirmationPin } from './confirmation-pin.service.ts';
import { enrolSenior } from './enrolment.service.ts';
import { transitionSenior } from './lifecycle.service.ts';
import { importRegister } from './register-import.service.ts';
import { updateSenior } from './senior-update.service.ts';
import type { SeniorContext } from './seniors.context.ts';
import { getSenior, listSeniors, revealSeniorPii, seniorHistory } from './seniors.query.ts';
import {
  confirmationPinSchema, deactivateBody, importQuery, resumeBody, suspendBody, enrolSeniorBody, enrolledSeniorSchema, historyPageSchema, importReportSchema, historyQuery, reasonBody, revealBody, revealSchema,
  seniorPageSchema, seniorParams, seniorSchema, seniorsQuery, updateSeniorBody,
} from './seniors.schemas.ts';

const { router, route } = createRouteGroup('/api/v1');

const contextOf = (input: RouteInput<unknown, unknown, unknown>): SeniorContext => ({ actor: input.actor, config: input.config, requestId: input.requestId, lang: input.lang });
const READERS = ['admin', 'auditor', 'finance_officer', 'street_officer', 'community_staff'] as const;

route({
  method: 'post', path: '/seniors', summary: 'Enrol a senior (pending review)', tags: ['seniors'],
  access: ['admin', 'community_staff'],
  body: enrolSeniorBody,
  errors: ['DUPLICATE_SENIOR'],
  success: { status: 201, schema: enrolledSeniorSchema, description: 'The enrolled senior, masked, with the personal confirmation PIN (shown only here)' },
  handler: (input) => enrolSenior(input.body, contextOf(input)),
});

// 20 MiB holds a register of well over 10,000 rows in CSV or XLSX.
const MAX_REGISTER_BYTES = 20 * 1024 * 1024;

route({
  method: 'post', path: '/seniors/import', summary: 'Import a community register (CSV in UTF-8 or GBK, or XLSX)', tags: ['seniors'],
  access: ['admin', 'community_staff'],
  cost: 'import',
  query: importQuery,
  upload: { field: 'file', maxBytes: MAX_REGISTER_BYTES, description: 'the register: 姓名 身份证号 联系电话 住址 社区编码 类别 照护等级 居住情况 紧急联系人 紧急联系电话 (or the English names)' },
  success: { status: 200, schema: importReportSchema, description: 'One result per row' },
  handler: async (input, req) => {
    if (!req.file) throw new DomainError('VALIDATION_FAILED', [{ path: 'file', message: input.lang === 'zh' ? '请上传文件（字段名 file）' : 'upload the register in the field "file"' }]);
    return importRegister({ path: req.file.path, originalName: req.file.originalname }, contextOf(input), input.signal, { basis: input.query.noticeBasis, version: input.query.noticeVersion });
  },
});

route({
  method: 'get', path: '/seniors/import/template', summary: 'An empty register to fill in: the columns the import reads, as CSV (UTF-8 with BOM, opens in Excel)', tags: ['seniors'],
  access: ['admin', 'community_staff'],
  success: { status: 200, files: ['text/csv'], description: 'The header row' },
  handler: (_input, _req, res) => sendHeaderTemplate(res, REGISTER_COLUMNS.map((column) => column.zh), '老人名册导入模板.csv', 'register-template.csv'),
});

route({
  method: 'get', path: '/seniors', summary: 'Search seniors in your scope', tags: ['seniors'],
  access: READERS,
  query: seniorsQuery,
  success: { status: 200, schema: seniorPageSchema, description: 'A page of seniors, masked' },
  handler: (input) => listSeniors(input.query, contextOf(input)),
});

route({
  method: 'get', path: '/seniors/:id', summary: 'One senior', tags: ['seniors'],
  access: READERS, params: seniorParams,
  success: { status: 200, schema: seniorSchema, description: 'The senior, masked' },
  handler: (input) => getSenior(input.params.id, contextOf(input)),
});

route({
  method: 'patch', path: '/seniors/:id', summary: 'Edit contact data, categories, care level (vouchers: from next month)', tags: ['seniors'],
  access: ['admin', 'community_staff'], params: seniorParams, body: updateSeniorBody,
  errors: ['INVALID_TRANSITION'],
  success: { status: 200, schema: seniorSchema, description: 'The senior, masked' },
  handler: (input) => updateSenior(input.params.id, input.body, contextOf(input)),
});

route({
  method: 'post', path: '/seniors/:id/approve', summary: 'Approve an enrolment (not by its enroller)', tags: ['seniors'],
  access: ['admin', 'street_officer'], params: seniorParams,
  errors: ['SELF_APPROVAL', 'INVALID_TRANSITION'],
  success: { status: 200, schema: seniorSchema, description: 'The senior, now active' },
  handler: (input) => transitionSenior(input.params.id, { action: 'approve' }, contextOf(input)),
});

route({
  method: 'post', path: '/seniors/:id/reject', summary: 'Reject an enrolment', tags: ['seniors'],
  access: ['admin', 'street_officer'], params: seniorParams, body: reasonBody,
  errors: ['INVALID_TRANSITION'],
  success: { status: 200, schema: seniorSchema, description: 'The senior, now rejected' },
  handler: (input) => transitionSenior(input.params.id, { action: 'reject', reason: input.body.reason }, contextOf(input)),
});

route({
  method: 'post', path: '/seniors/:id/suspend', summary: 'Suspend (e.g. in hospital): no new orders, vouchers still issue', tags: ['seniors'],
  access: ['admin', 'community_staff'], params: seniorParams, body: suspendBody,
  errors: ['INVALID_TRANSITION'],
  success: { status: 200, schema: seniorSchema, description: 'The senior, now suspended: orders not yet begun cancelled (holds released), care plans paused' },
  handler: (input) => transitionSenior(input.params.id, { action: 'suspend', reason: input.body.reason, effectiveDate: input.body.effectiveDate }, contextOf(input)),
});

route({
  method: 'post', path: '/seniors/:id/resume', summary: 'Resume a suspended senior', tags: ['seniors'],
  access: ['admin', 'community_staff'], params: seniorParams, body: resumeBody,
  errors: ['INVALID_TRANSITION'],
  success: { status: 200, schema: seniorSchema, description: 'The senior, active again; paused care plans active again' },
  handler: (input) => transitionSenior(input.params.id, { action: 'resume', effectiveDate: input.body.effectiveDate }, contextOf(input)),
});

route({
  method: 'post', path: '/seniors/:id/deactivate', summary: 'Deactivate (deceased, moved out) with the effective day', tags: ['seniors'],
  access: ['admin', 'community_staff'], params: seniorParams, body: deactivateBody,
  errors: ['INVALID_TRANSITION'],
  success: { status: 200, schema: seniorSchema, description: 'The senior, now deactivated: open orders cancelled, visits from the effective day voided, holds released, care plans stopped, the balance lapsed' },
  handler: (input) => transitionSenior(input.params.id, { action: 'deactivate', reason: input.body.reason, effectiveDate: input.body.effectiveDate }, contextOf(input)),
});

route({
  method: 'post', path: '/seniors/:id/reveal', summary: 'Show the full ID number or phone (audited)', tags: ['seniors'],
  access: ['admin', 'community_staff'], params: seniorParams, body: revealBody,
  errors: ['INVALID_TRANSITION'],
  success: { status: 200, schema: revealSchema, description: 'The requested fields in clear' },
  handler: (input) => revealSeniorPii(input.params.id, input.body.fields, input.body.reason, contextOf(input)),
});

route({
  method: 'post', path: '/seniors/:id/confirmation-pin/reset', summary: 'Issue a new personal confirmation PIN (the old one stops working; wrong tries cleared)', tags: ['seniors'],
  access: ['admin', 'community_staff'], params: seniorParams,
  errors: ['INVALID_TRANSITION'],
  success: { status: 200, schema: confirmationPinSchema, description: 'The new PIN, shown only here' },
  handler: (input) => resetConfirmationPin(input.params.id, contextOf(input)),
});

route({
  method: 'get', path: '/seniors/:id/history', summary: 'Changes to the senior, oldest first', tags: ['seniors'],
  access: READERS, params: seniorParams, query: historyQuery,
  success: { status: 200, schema: historyPageSchema, description: 'A page of history entries' },
  handler: (input) => seniorHistory(input.params.id, input.query, contextOf(input)),
});

export const seniorsRouter = router;

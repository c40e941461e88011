import { DomainError } from '../shared/errors.ts';
import { sendHeaderTemplate } from '../shared/http/attachment.ts';
import { createRouteGroup } from '../shared/http/route.ts';
import { bilingual } from '../shared/i18n.ts';
import { LIFE_EVENT_COLUMNS } from './life-event-fields.ts';
import { importLifeEvents } from './life-event-import.service.ts';
import { confirmProposal } from './proposal-confirm.service.ts';
import { listProposals, rejectProposal } from './proposals.service.ts';
import { confirmBody, lifeEventImportReportSchema, proposalPageSchema, proposalParams, proposalSchema, proposalsQuery, rejectBody } from './life-events.schemas.ts';

const { router, route } = createRouteGroup('/api/v1');
const tags = ['life events'];
// A month of a district's deaths, stays and moves is a few thousand rows of three short columns.
const MAX_FEED_FILE_BYTES = 20 * 1024 * 1024;
const DECIDERS = ['admin', 'street_officer'] as const;

route({
  method: 'post', path: '/life-events/imports', summary: 'Import a feed of deaths, hospital stays and moves (CSV in UTF-8 or GBK, or XLSX): each matched row becomes a proposal to confirm', tags,
  access: DECIDERS,
  cost: 'import',
  upload: { field: 'file', maxBytes: MAX_FEED_FILE_BYTES, description: `the feed: ${LIFE_EVENT_COLUMNS.map((column) => `${column.zh} (${column.key})`).join(', ')}; 事件: 死亡/death, 住院/入院/hospital_admission, 出院/hospital_discharge, 迁出/moved_out; 日期: YYYY-MM-DD, YYYY/M/D or a date cell` },
  success: { status: 200, schema: lifeEventImportReportSchema, description: 'One result per row: matched (a pending proposal), duplicate, not_registered, ambiguous or invalid with the columns at fault' },
  handler: async ({ actor, config, requestId, lang, signal }, req) => {
    if (!req.file) throw new DomainError('VALIDATION_FAILED', [{ path: 'file', message: bilingual('请上传文件（字段名 file）', 'upload the feed in the field "file"') }]);
    return importLifeEvents({ path: req.file.path, originalName: req.file.originalname }, { actor, config, requestId, lang, signal });
  },
});

route({
  method: 'get', path: '/life-events/imports/template', summary: 'An empty life-event sheet: the columns the import reads, as CSV (UTF-8 with BOM, opens in Excel)', tags,
  access: DECIDERS,
  success: { status: 200, files: ['text/csv'], description: 'The header row' },
  handler: (_input, _req, res) => sendHeaderTemplate(res, LIFE_EVENT_COLUMNS.map((column) => column.zh), '生命事件导入模板.csv', 'life-events-template.csv'),
});

route({
  method: 'get', path: '/life-events/proposals', summary: 'The proposed changes from imported feeds, newest first (street officers: their street\'s)', tags,
  access: DECIDERS, query: proposalsQuery,
  success: { status: 200, schema: proposalPageSchema, description: 'A page of proposals' },
  handler: ({ query, actor }) => listProposals(query, actor),
});

route({
  method: 'post', path: '/life-events/proposals/:id/confirm', summary: 'Confirm a proposal (not its importer): the senior is deactivated, suspended or resumed from the event\'s day, and visits paid after a death or inside a stay are recovered from providers', tags,
  access: DECIDERS, params: proposalParams, body: confirmBody,
  errors: ['SELF_APPROVAL', 'INVALID_TRANSITION'],
  success: { status: 200, schema: proposalSchema, description: 'The proposal, confirmed, with what it changed' },
  handler: ({ params, body, actor, config, requestId, lang }) => confirmProposal(params.id, body.note, { actor, config, requestId, lang }),
});

route({
  method: 'post', path: '/life-events/proposals/:id/reject', summary: 'Reject a proposal (not its importer), with the reason; a rejected death lets orders be made again', tags,
  access: DECIDERS, params: proposalParams, body: rejectBody,
  errors: ['SELF_APPROVAL', 'INVALID_TRANSITION'],
  success: { status: 200, schema: proposalSchema, description: 'The proposal, rejected' },
  handler: ({ params, body, actor, config, requestId, lang }) => rejectProposal(params.id, body.reason, { actor, config, requestId, lang }),
});

export const lifeEventsRouter = router;

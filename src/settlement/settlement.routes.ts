import type { Response } from 'express';
import { z } from 'zod';
import type { JobRunner } from '../jobs/index.ts';
import { attachmentDisposition } from '../shared/http/attachment.ts';
import { createRouteGroup } from '../shared/http/route.ts';
import { periodSummary, writeSummaryCsv, writeSummaryXlsx } from './period-summary.ts';
import { listSampleChecks, recordSampleCheck } from './sample-checks.service.ts';
import { runSettlementOnRequest } from './settlement.jobs.ts';
import {
  addAdjustmentBody, adjustmentParams, approveStatementBody, chargeSchema, decideAdjustmentBody, exportQuery, rejectAdjustmentBody, payStatementBody, recordSampleCheckBody, runProgressParams, runProgressSchema, runSettlementBody, sampleCheckParams,
  sampleCheckSchema, sampleChecksPageSchema, sampleChecksQuery, settlementRunAnswer, statementDetailSchema, statementLinesPageSchema, statementLinesQuery, statementParams, statementSchema,
  statementsPageSchema, statementsQuery, summaryQuery, summarySchema,
} from './settlement.schemas.ts';
import { approveStatement, payStatement } from './statement-approval.ts';
import { asciiExportFileName, exportFileName, writeStatementCsv, writeStatementXlsx } from './statement-export.ts';
import { listStatements, runProgressOf, statementDetail, statementInScope, statementLines, adjustmentView, toStatementView, withSignerNames } from './statements.query.ts';
import { addManualAdjustment, decideManualAdjustment } from './statement-adjustments.ts';

const { router, route } = createRouteGroup('/api/v1');
const tags = ['settlement'];
const READERS = ['finance_officer', 'admin', 'auditor'] as const;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

route({
  method: 'post', path: '/settlements', summary: 'Run (or re-run) the settlement of a month: adds only what is missing', tags,
  access: ['finance_officer'], body: runSettlementBody, errors: ['JOB_RUNNING', 'RULE_VIOLATION', 'SERVICE_UNAVAILABLE'],
  success: { status: 200, schema: settlementRunAnswer, description: 'The period\'s statements after the run' },
  handler: ({ body, actor, config, requestId }, req) => runSettlementOnRequest(req.app.locals.jobRunner as JobRunner, body.period, { actor, config, requestId }),
});

route({
  method: 'get', path: '/settlements', summary: 'Statements (without lines)', tags,
  access: READERS, query: statementsQuery,
  success: { status: 200, schema: statementsPageSchema, description: 'A page of statements' },
  handler: ({ query, actor, config }) => listStatements(query, actor, config),
});

route({
  method: 'get', path: '/settlements/summary', summary: 'Totals of a period by provider, community, category, service type and funding source (?format=xlsx for a workbook, csv for one UTF-8 CSV with a BOM)', tags,
  access: READERS, query: summaryQuery,
  cost: 'export',
  success: { status: 200, schema: summarySchema, files: [XLSX_TYPE, 'text/csv'], description: 'The period summary (JSON, the workbook with ?format=xlsx, or the CSV with ?format=csv)' },
  handler: async ({ query, config }, _req, res) => {
    const summary = await periodSummary(query.period, config.businessTimeZone);
    if (query.format === 'json') return summary;
    const [year, month] = query.period.split('-');
    if (query.format === 'csv') {
      attachment(res, 'text/csv; charset=utf-8', `结算汇总-${year}年${month}月.csv`, `settlement-summary-${query.period}.csv`);
      await writeSummaryCsv(summary, res);
      return;
    }
    attachment(res, XLSX_TYPE, `结算汇总-${year}年${month}月.xlsx`, `settlement-summary-${query.period}.xlsx`);
    await writeSummaryXlsx(summary, res);
  },
});

route({
  method: 'get', path: '/settlements/runs/:period', summary: 'Progress of the period\'s last run', tags,
  access: READERS, params: runProgressParams,
  success: { status: 200, schema: runProgressSchema.nullable(), description: 'Where the run stands; null for a month never run' },
  handler: ({ params }) => runProgressOf(params.period),
});

route({
  method: 'get', path: '/settlements/statements/:id', summary: 'A statement with its lines, penalties, adjustments, held-back visits and review callbacks', tags,
  access: [...READERS, 'provider_admin'], params: statementParams,
  success: { status: 200, schema: statementDetailSchema, description: 'The statement' },
  handler: ({ params, actor, config }) => statementDetail(params.id, actor, config),
});

route({
  method: 'get', path: '/settlements/statements/:id/lines', summary: 'A statement\'s service lines, a page at a time (cursor or page)', tags,
  access: [...READERS, 'provider_admin'], params: statementParams, query: statementLinesQuery,
  success: { status: 200, schema: statementLinesPageSchema, description: 'One page of the statement\'s lines' },
  handler: ({ params, query, actor }) => statementLines(params.id, query, actor),
});

route({
  method: 'post', path: '/settlements/statements/:id/approve', summary: 'Approve a draft statement (above SECOND_APPROVAL_ABOVE_FEN: two finance officers, neither the second the run\'s starter); its visits become settled', tags,
  access: ['finance_officer'], params: statementParams, body: approveStatementBody, errors: ['STATEMENT_LOCKED', 'RULE_VIOLATION', 'JOB_RUNNING', 'INVALID_TRANSITION'],
  success: { status: 200, schema: statementSchema.extend({ approvalStep: z.enum(['approved', 'first_signature']).openapi({ description: 'first_signature: the payable is above SECOND_APPROVAL_ABOVE_FEN and a second finance officer must sign' }) }), description: 'The approved statement, or the draft with its first signature' },
  handler: async ({ params, body, actor, config, requestId }) => {
    const statement = await approveStatement(params.id, body.overrideReason, { actor, config, requestId });
    return { ...(await withSignerNames(toStatementView(statement, config))), approvalStep: statement.approvalStep };
  },
});

route({
  method: 'post', path: '/settlements/statements/:id/adjustments',
  summary: 'A finance officer\'s adjustment line on a draft, split by the corrected month\'s policy; counted once another finance officer approves it (Idempotency-Key makes a retry safe)', tags,
  access: ['finance_officer'], params: statementParams, body: addAdjustmentBody, errors: ['STATEMENT_LOCKED', 'RULE_VIOLATION', 'JOB_RUNNING'],
  success: { status: 201, schema: chargeSchema, description: 'The adjustment line, pending the second officer' },
  handler: async ({ params, body, actor, config, requestId }, req) => {
    const idempotencyKey = req.get('Idempotency-Key');
    const { line } = await addManualAdjustment(params.id, body, idempotencyKey && /^[\w.:-]{8,100}$/.test(idempotencyKey) ? idempotencyKey : undefined, { actor, config, requestId });
    return adjustmentView(line);
  },
});

// A second finance officer's decision on a manual adjustment: approved, it counts from now on;
// rejected (with the reason), it stays on record, not counted.
for (const verdict of ['approve', 'reject'] as const) {
  route({
    method: 'post', path: `/settlements/statements/:id/adjustments/:adjustmentId/${verdict}`,
    summary: verdict === 'approve' ? 'A second finance officer approves a manual adjustment: it counts from now on' : 'A second finance officer rejects a manual adjustment: it stays on record, not counted',
    tags, access: ['finance_officer'], params: adjustmentParams, body: verdict === 'approve' ? decideAdjustmentBody : rejectAdjustmentBody,
    errors: ['STATEMENT_LOCKED', 'SELF_APPROVAL', 'INVALID_TRANSITION', 'JOB_RUNNING'],
    success: { status: 200, schema: chargeSchema, description: verdict === 'approve' ? 'The approved adjustment' : 'The rejected adjustment' },
    handler: async ({ params, body, actor, config, requestId }) => {
      const line = await decideManualAdjustment(params.id, params.adjustmentId, { approve: verdict === 'approve', note: body.note }, { actor, config, requestId });
      return adjustmentView(line);
    },
  });
}

route({
  method: 'post', path: '/settlements/statements/:id/pay', summary: 'Record the payment of an approved statement', tags,
  access: ['finance_officer'], params: statementParams, body: payStatementBody, errors: ['STATEMENT_LOCKED', 'INVALID_TRANSITION'],
  success: { status: 200, schema: statementSchema, description: 'The paid statement' },
  handler: async ({ params, body, actor, config, requestId }) => {
    const paidAt = new Date(/^\d{4}-\d{2}-\d{2}$/.test(body.paidAt) ? `${body.paidAt}T00:00:00+08:00` : body.paidAt);
    return toStatementView(await payStatement(params.id, { paymentRef: body.paymentRef, paidAt }, { actor, config, requestId }), config);
  },
});

route({
  method: 'get', path: '/settlements/statements/:id/export', summary: 'The statement as XLSX or CSV (UTF-8 with BOM), amounts in yuan', tags,
  access: [...READERS, 'provider_admin'], params: statementParams, query: exportQuery,
  cost: 'export',
  success: { status: 200, files: [XLSX_TYPE, 'text/csv'], description: 'The file (?format=xlsx, the default, or csv)' },
  handler: async ({ params, query, actor, config }, _req, res) => {
    const statement = await statementInScope(params.id, actor);
    if (query.format === 'csv') {
      attachment(res, 'text/csv; charset=utf-8', exportFileName(statement, 'csv'), asciiExportFileName(statement, 'csv'));
      await writeStatementCsv(statement, config, res);
    } else {
      attachment(res, XLSX_TYPE, exportFileName(statement, 'xlsx'), asciiExportFileName(statement, 'xlsx'));
      await writeStatementXlsx(statement, config, res);
    }
  },
});

route({
  method: 'get', path: '/settlements/sample-checks', summary: 'Review callbacks owed before approval (community staff: their communities\')', tags,
  access: [...READERS, 'community_staff'], query: sampleChecksQuery,
  success: { status: 200, schema: sampleChecksPageSchema, description: 'A page of review callbacks' },
  handler: ({ query, actor }) => listSampleChecks(query, actor),
});

route({
  method: 'post', path: '/settlements/sample-checks/:id/record', summary: 'Record a review callback; "did not happen" opens a dispute on the visit', tags,
  access: ['community_staff', 'admin'], params: sampleCheckParams, body: recordSampleCheckBody, errors: ['INVALID_TRANSITION'],
  success: { status: 200, schema: sampleCheckSchema, description: 'The recorded callback' },
  handler: ({ params, body, actor, config, requestId }) => recordSampleCheck(params.id, body, { actor, config, requestId }),
});

function attachment(res: Response, contentType: string, fileName: string, asciiFileName: string): void {
  res.status(200);
  res.setHeader('Content-Type', contentType);
  res.setHeader('Content-Disposition', attachmentDisposition(fileName, asciiFileName));
}

export const settlementRouter = router;

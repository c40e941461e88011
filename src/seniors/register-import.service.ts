import { rm } from 'node:fs/promises';
import { recordAudit } from '../audit/index.ts';
import { findCommunityByCode } from '../organisation/index.ts';
import { DomainError, type ErrorDetail } from '../shared/errors.ts';
import { enrolBatch, newEnrolmentLookups, type EnrolmentLookups } from './enrolment.service.ts';
import { parseRegisterFields } from './import/register-fields.ts';
import { readRegisterRows } from './import/register-file.ts';
import { CURRENT_PRIVACY_NOTICE_VERSION, type PrivacyNoticeBasis } from './privacy-notice.ts';
import type { SeniorContext } from './seniors.context.ts';

export interface ImportRowResult {
  row: number;
  status: 'created' | 'duplicate' | 'invalid';
  seniorId?: string;
  errors?: ErrorDetail[];
}

export interface ImportReport {
  created: number;
  duplicates: number;
  invalid: number;
  rows: ImportRowResult[];
}

/** The legal basis and notice version the importer declares for the whole file (privacy-notice.ts). */
export interface ImportNotice { basis: PrivacyNoticeBasis; version: string }
const DEFAULT_IMPORT_NOTICE: ImportNotice = { basis: 'public_duty', version: CURRENT_PRIVACY_NOTICE_VERSION };

/** Rows enrolled together (one duplicate check, one insert of each kind, one audit batch). */
const BATCH_ROWS = 200;

/**
 * Imports a community register (台账) as it streams from the uploaded file, BATCH_ROWS rows at a
 * time: every row goes through the same validation as a single enrolment (enrolBatch) and is
 * answered on its own. Valid rows stay when others fail; re-importing a file finds every enrolled
 * ID number as a duplicate (the HMAC's unique index), so nothing is created twice. Only the
 * per-row report and one batch are kept in memory.
 */
export async function importRegister(file: { path: string; originalName: string }, ctx: SeniorContext, signal?: AbortSignal, notice: ImportNotice = DEFAULT_IMPORT_NOTICE): Promise<ImportReport> {
  const report: ImportReport = { created: 0, duplicates: 0, invalid: 0, rows: [] };
  const communityIds = new Map<string, string | null>();
  const lookups = newEnrolmentLookups();
  const count = (result: ImportRowResult) => {
    report.rows.push(result);
    if (result.status === 'created') report.created += 1;
    else if (result.status === 'duplicate') report.duplicates += 1;
    else report.invalid += 1;
  };
  let batch: Array<{ row: number; fields: RegisterRowFields }> = [];
  const flush = async () => {
    for (const result of await importRows(batch, communityIds, lookups, ctx, notice)) count(result);
    batch = [];
  };
  let lastRow = 1;
  try {
    for await (const { row, fields } of readRegisterRows(file)) {
      // The uploader gave up (closed the page, the connection dropped): stop between batches. What
      // was enrolled stays (a re-import finds it as duplicates); the audit entry says where it stopped.
      if (signal?.aborted) break;
      batch.push({ row, fields });
      lastRow = row;
      if (batch.length >= BATCH_ROWS) await flush();
    }
    if (!signal?.aborted) await flush();
  } catch (error) {
    // A fault found part-way (an unclosed quote, a damaged sheet) after rows were already enrolled:
    // answer what was done and where reading stopped, rather than a 400 that hides the enrolled rows.
    // Re-importing the corrected file is safe: enrolled rows come back as duplicates.
    if (!(error instanceof DomainError)) throw error;
    await flush();
    if (report.rows.length === 0) throw error;
    count({ row: lastRow + 1, status: 'invalid', errors: error.details.map((detail) => ({ path: detail.path, message: error.messageOverride?.[ctx.lang] ?? detail.message })) });
  } finally {
    await rm(file.path, { force: true });
  }
  await recordAudit({
    actor: ctx.actor, action: 'senior.import', entityType: 'senior_register', entityId: file.originalName.slice(0, 120), requestId: ctx.requestId,
    after: { created: report.created, duplicates: report.duplicates, invalid: report.invalid, privacyNotice: notice, ...(signal?.aborted ? { stoppedAfterRow: lastRow, reason: 'client gone' } : {}) },
  });
  return report;
}

type RegisterRowFields = Parameters<typeof parseRegisterFields>[0];

async function importRows(rows: Array<{ row: number; fields: RegisterRowFields }>, communityIds: Map<string, string | null>, lookups: EnrolmentLookups, ctx: SeniorContext, notice: ImportNotice): Promise<ImportRowResult[]> {
  const results: ImportRowResult[] = new Array(rows.length);
  const enrolments: Array<{ at: number; body: unknown }> = [];
  for (const [at, { row, fields }] of rows.entries()) {
    const parsed = parseRegisterFields(fields);
    const errors: ErrorDetail[] = parsed.ok ? [] : parsed.errors.map((error) => ({ path: error.path, message: error.message[ctx.lang] }));
    const communityId = await communityIdOf(fields.communityCode, communityIds);
    if (!communityId) errors.push({ path: 'communityCode', message: ctx.lang === 'zh' ? `社区编码不存在：${fields.communityCode}` : `unknown community code ${fields.communityCode}` });
    if (!parsed.ok || !communityId) {
      results[at] = { row, status: 'invalid', errors };
      continue;
    }
    const { communityCode: _code, ...enrolment } = parsed.value;
    enrolments.push({ at, body: { ...enrolment, communityId, privacyNotice: { version: notice.version, basis: notice.basis } } });
  }
  const enrolled = await enrolBatch(enrolments.map((e) => e.body), ctx, lookups, 'register_import');
  for (const [n, { at }] of enrolments.entries()) {
    const row = rows[at]!.row;
    const outcome = enrolled[n]!;
    if (outcome.ok) results[at] = { row, status: 'created', seniorId: outcome.seniorId };
    else if ('invalid' in outcome) results[at] = { row, status: 'invalid', errors: outcome.invalid };
    else results[at] = { row, status: 'duplicate', ...(outcome.duplicateOf ? { seniorId: outcome.duplicateOf } : {}) };
  }
  return results;
}

async function communityIdOf(code: string, cache: Map<string, string | null>): Promise<string | null> {
  if (!cache.has(code)) cache.set(code, (await findCommunityByCode(code))?.id ?? null);
  return cache.get(code) ?? null;
}

import { rm } from 'node:fs/promises';
import { recordAudit } from '../audit/index.ts';
import { findCommunityByCode } from '../organisation/index.ts';
import { DomainError, type ErrorDetail } from '../shared/errors.ts';
import { enrolSenior } from './enrolment.service.ts';
import { parseRegisterFields } from './import/register-fields.ts';
import { readRegisterRows } from './import/register-file.ts';
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

/**
 * Imports a community register (台账) row by row as it streams from the uploaded file: every row
 * goes through enrolSenior, exactly like a single enrolment, and is answered on its own. Valid rows
 * stay when others fail; re-importing a file finds every enrolled ID number as a duplicate (the
 * HMAC's unique index), so nothing is created twice. Only the per-row report is kept in memory.
 */
export async function importRegister(file: { path: string; originalName: string }, ctx: SeniorContext): Promise<ImportReport> {
  const report: ImportReport = { created: 0, duplicates: 0, invalid: 0, rows: [] };
  const communityIds = new Map<string, string | null>();
  const count = (result: ImportRowResult) => {
    report.rows.push(result);
    if (result.status === 'created') report.created += 1;
    else if (result.status === 'duplicate') report.duplicates += 1;
    else report.invalid += 1;
  };
  let lastRow = 1;
  try {
    for await (const { row, fields } of readRegisterRows(file)) {
      count(await importRow(row, fields, communityIds, ctx));
      lastRow = row;
    }
  } catch (error) {
    // A fault found part-way (an unclosed quote, a damaged sheet) after rows were already enrolled:
    // answer what was done and where reading stopped, rather than a 400 that hides the enrolled rows.
    // Re-importing the corrected file is safe: enrolled rows come back as duplicates.
    if (!(error instanceof DomainError) || report.rows.length === 0) throw error;
    count({ row: lastRow + 1, status: 'invalid', errors: error.details.map((detail) => ({ path: detail.path, message: error.messageOverride?.[ctx.lang] ?? detail.message })) });
  } finally {
    await rm(file.path, { force: true });
  }
  await recordAudit({
    actor: ctx.actor, action: 'senior.import', entityType: 'senior_register', entityId: file.originalName.slice(0, 120), requestId: ctx.requestId,
    after: { created: report.created, duplicates: report.duplicates, invalid: report.invalid },
  });
  return report;
}

async function importRow(row: number, fields: Parameters<typeof parseRegisterFields>[0], communityIds: Map<string, string | null>, ctx: SeniorContext): Promise<ImportRowResult> {
  const parsed = parseRegisterFields(fields);
  const errors: ErrorDetail[] = parsed.ok ? [] : parsed.errors.map((error) => ({ path: error.path, message: error.message[ctx.lang] }));
  const communityId = await communityIdOf(fields.communityCode, communityIds);
  if (!communityId) errors.push({ path: 'communityCode', message: ctx.lang === 'zh' ? `社区编码不存在：${fields.communityCode}` : `unknown community code ${fields.communityCode}` });
  if (!parsed.ok || !communityId) return { row, status: 'invalid', errors };

  const { communityCode: _code, ...enrolment } = parsed.value;
  try {
    const senior = await enrolSenior({ ...enrolment, communityId }, ctx);
    return { row, status: 'created', seniorId: senior.id };
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    if (error.code === 'DUPLICATE_SENIOR') {
      const existing = error.meta?.existingSeniorId;
      return { row, status: 'duplicate', ...(typeof existing === 'string' ? { seniorId: existing } : {}) };
    }
    if (error.code === 'VALIDATION_FAILED') return { row, status: 'invalid', errors: error.details };
    throw error;
  }
}

async function communityIdOf(code: string, cache: Map<string, string | null>): Promise<string | null> {
  if (!cache.has(code)) cache.set(code, (await findCommunityByCode(code))?.id ?? null);
  return cache.get(code) ?? null;
}

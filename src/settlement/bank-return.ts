import { DomainError, isDomainError, type ErrorDetail } from '../shared/errors.ts';
import type { Language } from '../shared/i18n.ts';
import { yuanText } from '../shared/money.ts';
import type { SheetColumn } from '../shared/sheets/columns.ts';
import type { SheetImportContext } from '../shared/sheets/import-context.ts';
import { readSheetRecords } from '../shared/sheets/sheet-rows.ts';
import { businessDay, startOfBusinessDay } from '../shared/time.ts';
import { StatementModel, type StatementDoc } from './settlement.model.ts';
import { payStatement } from './statement-approval.ts';

/**
 * The bank's return file of a batch payment (README "批量支付文件与银行回单"): one row per payment,
 * the statement by its number (or the 用途 text that carries it), the amount, 成功/失败, the bank's
 * serial number and the day. The whole file is checked before anything changes; one row at fault
 * refuses the file (422, every fault by row) and nothing is marked paid. Then each successful row's
 * statement is paid with the serial as its reference. A statement already paid with the same
 * serial counts as already recorded, so the same file twice — or again after a crash half-way —
 * pays exactly what is still unpaid.
 */
export const RETURN_COLUMNS = [
  { key: 'statementRef', zh: '结算单号', isRequired: true },
  { key: 'amount', zh: '金额', isRequired: true },
  { key: 'status', zh: '状态', isRequired: true },
  { key: 'bankSerial', zh: '银行流水号', isRequired: true },
  { key: 'date', zh: '日期', isRequired: true },
] as const satisfies readonly SheetColumn<string>[];
type ReturnColumn = (typeof RETURN_COLUMNS)[number]['key'];

export type ReturnRowStatus = 'paid' | 'already_paid' | 'failed';
export interface ReturnRowResult { row: number; statementId: string; amountFen: number; status: ReturnRowStatus; bankSerial: string; date: string }
export interface ReturnResult { paid: number; alreadyPaid: number; failed: number; rows: ReturnRowResult[] }

interface CheckedRow { row: number; statementId: string; amountFen: number; isSuccess: boolean; bankSerial: string; date: string; isAlreadyPaid: boolean }
type Fault = { row: number; column: ReturnColumn; zh: string; en: string };

const STATEMENT_ID = /\d{4}-\d{2}-[0-9a-f]{24}/i;
/** The statement number a cell carries (alone, or inside the 用途 text), as stored (lower-case hex). */
const statementIdIn = (text: string): string | undefined => STATEMENT_ID.exec(text)?.[0].toLowerCase();
const SUCCESS_WORDS = new Set(['成功', '交易成功', '已成功', 'success', 'succeeded', 's']);
const FAILURE_WORDS = new Set(['失败', '交易失败', 'failed', 'failure', 'f']);
const SERIAL_PATTERN = /^[\p{L}\p{N} ._/#-]{1,64}$/u;
const DAY_MS = 86_400_000;

/** Yuan text ("1234.5", "1,234.50") → fen, exactly (no float arithmetic); null when not an amount. */
export function fenOfYuanText(text: string): number | null {
  const match = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text.replace(/[,\s¥￥]/g, ''));
  if (!match) return null;
  const fen = Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
  return Number.isSafeInteger(fen) ? fen : null;
}

/** YYYY-MM-DD, YYYYMMDD or YYYY/M/D, a time of day after it ignored → YYYY-MM-DD; null when not a real day. */
export function dayOfText(text: string): string | null {
  const dayPart = text.trim().replace(/\s+\d{1,2}:\d{2}(:\d{2})?$/, '');
  const match = /^(\d{4})[-/.]?(\d{1,2})[-/.]?(\d{1,2})$/.exec(dayPart);
  if (!match || (!/[-/.]/.test(dayPart) && dayPart.length !== 8)) return null;
  const day = `${match[1]}-${match[2]!.padStart(2, '0')}-${match[3]!.padStart(2, '0')}`;
  const parsed = new Date(`${day}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().startsWith(day) ? day : null;
}

export async function recordBankReturn(source: { path: string; originalName: string }, ctx: SheetImportContext): Promise<ReturnResult> {
  const now = ctx.now ?? new Date();
  const checked = await checkReturnFile(source, ctx.config.businessTimeZone, now);
  if (checked.faults.length > 0) throw refusal(checked.faults, ctx.lang);
  const rows: ReturnRowResult[] = [];
  for (const row of checked.rows) rows.push({ row: row.row, statementId: row.statementId, amountFen: row.amountFen, bankSerial: row.bankSerial, date: row.date, status: await applyRow(row, ctx, now) });
  const count = (status: ReturnRowStatus) => rows.filter((row) => row.status === status).length;
  return { paid: count('paid'), alreadyPaid: count('already_paid'), failed: count('failed'), rows };
}

async function applyRow(row: CheckedRow, ctx: SheetImportContext, now: Date): Promise<ReturnRowStatus> {
  if (!row.isSuccess) return 'failed';
  if (row.isAlreadyPaid) return 'already_paid';
  const paidAt = startOfBusinessDay(row.date, ctx.config.businessTimeZone);
  try {
    await payStatement(row.statementId, { paymentRef: row.bankSerial, paidAt }, { actor: ctx.actor, config: ctx.config, requestId: ctx.requestId, now });
    return 'paid';
  } catch (error) {
    // Another upload of the same return paid it meanwhile: recorded, not an error.
    const statement = await StatementModel.findById(row.statementId, { status: 1, paymentRef: 1 }).lean();
    if (isDomainError(error) && statement?.status === 'paid' && statement.paymentRef === row.bankSerial) return 'already_paid';
    throw error;
  }
}

async function checkReturnFile(source: { path: string; originalName: string }, timeZone: string, now: Date): Promise<{ rows: CheckedRow[]; faults: Fault[] }> {
  const records: { row: number; fields: Record<ReturnColumn, string> }[] = [];
  for await (const record of readSheetRecords(source, RETURN_COLUMNS)) records.push(record);
  const ids = records.map((record) => statementIdIn(record.fields.statementRef)).filter((id): id is string => id !== undefined);
  const statements = new Map((await StatementModel.find({ _id: { $in: [...new Set(ids)] } }).lean()).map((statement) => [String(statement._id), statement as StatementDoc]));
  const faults: Fault[] = [];
  const rows: CheckedRow[] = [];
  const seen = new Map<string, number>();
  for (const record of records) {
    const rowFaults: Fault[] = [];
    const checked = checkRow(record, statements, timeZone, now, (column, zh, en) => rowFaults.push({ row: record.row, column, zh, en }));
    if (checked?.isSuccess) {
      const earlier = seen.get(checked.statementId);
      if (earlier !== undefined) rowFaults.push({ row: record.row, column: 'statementRef', zh: `结算单与第 ${earlier} 行重复`, en: `the statement is also on row ${earlier}` });
      seen.set(checked.statementId, record.row);
    }
    faults.push(...rowFaults);
    if (checked && rowFaults.length === 0) rows.push(checked);
  }
  return { rows, faults };
}

type Report = (column: ReturnColumn, zh: string, en: string) => void;

function checkRow(record: { row: number; fields: Record<ReturnColumn, string> }, statements: Map<string, StatementDoc>, timeZone: string, now: Date, fault: Report): CheckedRow | null {
  const { fields } = record;
  const statementId = statementIdIn(fields.statementRef);
  const statement = statementId ? statements.get(statementId) : undefined;
  if (!statement || !statementId) fault('statementRef', `结算单“${fields.statementRef}”不存在`, `no statement "${fields.statementRef}"`);
  const amountFen = fenOfYuanText(fields.amount);
  if (amountFen === null) fault('amount', `金额“${fields.amount}”格式不正确（元，最多两位小数）`, 'not an amount in yuan with at most two decimals');
  else if (statement && amountFen !== statement.totals.payableFen) {
    fault('amount', `金额 ${yuanText(amountFen)} 元与结算单应付 ${yuanText(statement.totals.payableFen)} 元不符`, `amount ${yuanText(amountFen)} differs from the payable ${yuanText(statement.totals.payableFen)}`);
  }
  const status = fields.status.trim().toLowerCase();
  const isSuccess = SUCCESS_WORDS.has(status);
  if (!isSuccess && !FAILURE_WORDS.has(status)) fault('status', `状态“${fields.status}”无法识别（应为 成功 或 失败）`, 'the status is 成功 (success) or 失败 (failed)');
  const bankSerial = fields.bankSerial.trim();
  const date = dayOfText(fields.date);
  if (isSuccess) checkPayment(statement, bankSerial, date, fields.date, timeZone, now, fault);
  if (!statement || !statementId || amountFen === null) return null;
  return { row: record.row, statementId, amountFen, isSuccess, bankSerial, date: date ?? fields.date.trim(), isAlreadyPaid: statement.status === 'paid' && statement.paymentRef === bankSerial };
}

function checkPayment(statement: StatementDoc | undefined, bankSerial: string, date: string | null, dateText: string, timeZone: string, now: Date, fault: Report): void {
  if (!SERIAL_PATTERN.test(bankSerial)) fault('bankSerial', '银行流水号须填写，最多 64 位文字、数字或 . _ / # -', 'the bank serial is 1 to 64 letters, digits or . _ / # -');
  if (date === null) fault('date', `日期“${dateText}”格式不正确（YYYY-MM-DD）`, 'a day YYYY-MM-DD');
  else if (date > businessDay(now, timeZone)) fault('date', '支付日期不能晚于今天', 'a payment day in the future');
  else if (statement?.approvedAt && startOfBusinessDay(date, timeZone).getTime() < statement.approvedAt.getTime() - DAY_MS) fault('date', '支付日期不能早于审核日期', 'before the statement was approved');
  if (!statement) return;
  if (statement.status === 'draft') fault('statementRef', '结算单尚未审核，不能登记支付', 'the statement is not approved');
  if (statement.status === 'paid' && statement.paymentRef !== bankSerial) fault('bankSerial', `结算单已以流水号“${statement.paymentRef ?? ''}”登记支付`, 'the statement is already paid with another reference');
}

function refusal(faults: Fault[], lang: Language): DomainError {
  const details: ErrorDetail[] = faults.map((fault) => ({ path: `rows.${fault.row}.${fault.column}`, message: lang === 'zh' ? `第 ${fault.row} 行：${fault.zh}` : `row ${fault.row}: ${fault.en}` }));
  return new DomainError('RULE_VIOLATION', details, { zh: `银行回单有 ${faults.length} 处不符，未登记任何支付`, en: `the return file has ${faults.length} problem(s); nothing was marked paid` });
}

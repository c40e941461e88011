import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import type { Config } from '../config/env.ts';
import { orderNumbersOf } from '../dispatch/index.ts';
import { getCommunity, listServiceTypes } from '../organisation/index.ts';
import { seniorsMaskedNames } from '../seniors/index.ts';
import { yuanNumber, yuanText } from '../shared/money.ts';
import { businessDay } from '../shared/time.ts';
import { adjustmentCounts } from './statement-totals.ts';
import { LineModel, completeLine, type LineDoc, type StatementDoc } from './settlement.model.ts';
import { csvCell, type CsvValue } from '../shared/csv.ts';

/*
 * Statement files for people: Chinese headers, amounts in yuan with two decimals. Both formats
 * stream the lines from the database into the response (a statement of a large provider is never
 * held in memory); the XLSX has the period and the provider in its title, a frozen header and a
 * totals row; the CSV starts with a UTF-8 BOM so that Excel opens the Chinese text correctly.
 */

export const STATEMENT_STATUS_ZH: Record<string, string> = { draft: '草稿', approved: '已审核', paid: '已支付' };
const KIND_ZH: Record<string, string> = { service: '服务', penalty: '扣款', adjustment: '调整' };
const CHARGE_REASON_ZH: Record<string, string> = {
  provider_cancellation: '接单后取消', late_arrival: '迟到', carried_penalty: '上期扣款结转', visit_rejected: '服务核实不成立追回',
  senior_deceased: '老人去世后的服务追回', senior_inactive: '老人住院或迁出期间的服务追回', manual: '财务手工调整',
};

/** What an adjustment line says beyond its reason: the month it corrects with its own split, and a manual one's standing. */
function adjustmentNote(line: LineDoc): string {
  if (line.kind !== 'adjustment') return '';
  const parts: string[] = [];
  if (line.correctsPeriod) parts.push(`更正 ${line.correctsPeriod}` + (line.cityFen == null ? '' : `（市级 ${yuanText(line.cityFen)} 元，区级 ${yuanText(line.amountFen - line.cityFen)} 元）`));
  if (line.reference) parts.push(`依据 ${line.reference}`);
  if (line.adjustmentStatus === 'pending') parts.push(`待复核，未计入（${yuanText(line.amountFen)} 元）`);
  if (line.adjustmentStatus === 'rejected') parts.push(`已驳回，未计入（${yuanText(line.amountFen)} 元）`);
  return parts.join('，');
}

export const STATEMENT_COLUMNS = [
  '序号', '类型', '工单编号', '老人', '社区', '服务项目', '数量', '服务时间', '确认日期', '服务金额（元）', '补贴金额（元）', '自付金额（元）', '扣款/调整（元）', '跨月结转', '说明',
] as const;
/** 1-based columns of the amounts, for formats and tests. */
export const AMOUNT_COLUMNS = { gross: 10, subsidy: 11, selfPay: 12, charge: 13 } as const;

export function statementTitle(statement: Pick<StatementDoc, 'period' | 'providerName'>): string {
  const [year, month] = statement.period.split('-');
  return `${year}年${Number(month)}月 ${statement.providerName} 居家养老服务结算单`;
}

/**
 * 结算单-<服务商名称>-<YYYY年MM月>.xlsx: what finance files it under. Characters a file system
 * refuses (/ \ : * ? " < > |, control characters) become "_"; the route sends it as RFC 5987
 * `filename*` beside an ASCII `filename` (the statement id) for clients that read only that.
 */
export function exportFileName(statement: Pick<StatementDoc, 'period' | 'providerName'>, format: 'xlsx' | 'csv'): string {
  const [year, month] = statement.period.split('-');
  const provider = statement.providerName.replace(/[\\/:*?"<>|\p{Cc}]/gu, '_').trim();
  return `结算单-${provider}-${year}年${month}月.${format}`;
}

/** The ASCII name beside it, for clients that cannot read `filename*`. */
export const asciiExportFileName = (statement: Pick<StatementDoc, '_id'>, format: 'xlsx' | 'csv') => `statement-${statement._id}.${format}`;

type Cell = CsvValue;

type Row = { cells: Cell[]; fen: { gross: number; subsidy: number; selfPay: number; charge: number } };
const ROW_BATCH = 500;

/**
 * Turns lines into the rows both formats write. Names of communities and services are looked up
 * once; order numbers and the seniors' masked names a batch of lines at a time, by key (the file
 * names orders and seniors as people know them, never by database id).
 */
async function* statementRows(statement: StatementDoc, config: Config): AsyncGenerator<Row> {
  const serviceNames = new Map((await listServiceTypes()).map((type) => [type.code, type.name]));
  const communityNames = new Map<string, string>();
  const communityName = async (id: string | null | undefined) => {
    if (!id) return '';
    if (!communityNames.has(id)) communityNames.set(id, (await getCommunity(id))?.name ?? id);
    return communityNames.get(id) as string;
  };
  const day = (instant: Date | null | undefined) => (instant ? businessDay(instant, config.businessTimeZone) : '');
  let index = 0;
  // Service lines first (by visit time), then penalties and adjustments.
  for (const kind of ['service', 'penalty', 'adjustment'] as const) {
    const cursor = LineModel.find({ statementId: statement._id, kind }).sort({ scheduledStart: 1, _id: 1 }).lean().cursor({ batchSize: ROW_BATCH });
    for await (const batch of inBatches(cursor as AsyncIterable<LineDoc>, ROW_BATCH)) {
      const lines = batch.map((stored) => completeLine(stored));
      const [numbers, seniorNames] = await Promise.all([
        orderNumbersOf(lines.map((line) => line.orderId ?? '')),
        seniorsMaskedNames(lines.map((line) => line.seniorId ?? '')),
      ]);
      for (const line of lines) {
        index += 1;
        // An order from before numbers is named by its id, a senior no longer on file by nothing.
        const orderNumber = line.orderId ? (numbers.get(line.orderId) ?? line.orderId) : '';
        const seniorName = line.seniorId ? (seniorNames.get(line.seniorId) ?? '') : '';
        const serviceName = line.serviceTypeCode ? (serviceNames.get(line.serviceTypeCode) ?? line.serviceTypeCode) : '';
        // A manual adjustment not (yet) approved is listed with its amount in the note, not in the
        // column: the column adds up to the totals row, which counts only what the totals count.
        const counted = kind !== 'adjustment' || adjustmentCounts(line);
        const charge = kind === 'penalty' ? -line.amountFen : kind === 'adjustment' && counted ? line.amountFen : 0;
        yield {
          cells: [
            index, KIND_ZH[kind] as string, orderNumber, seniorName, await communityName(line.communityId), serviceName, kind === 'service' ? line.quantity : null,
            day(line.scheduledStart), day(line.confirmedAt), null, null, null, null,
            kind === 'service' ? (line.carriedOver ? '是' : '否') : '', kind === 'service' ? '' : [CHARGE_REASON_ZH[line.reason ?? ''] ?? line.reason, line.note, adjustmentNote(line)].filter(Boolean).join('：'),
          ],
          fen: { gross: kind === 'service' ? line.priceFen : 0, subsidy: kind === 'service' ? line.subsidyFen : 0, selfPay: kind === 'service' ? line.selfPayFen : 0, charge },
        };
      }
    }
  }
}

/** A cursor's documents in arrays of `size` (the last may be shorter). */
async function* inBatches<T>(source: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let batch: T[] = [];
  for await (const item of source) {
    batch.push(item);
    if (batch.length >= size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}

/** The rows after the lines: the totals row and the payable with its split. */
function closingRows(statement: StatementDoc): { label: string; gross?: number; subsidy?: number; selfPay?: number; charge?: number }[] {
  const t = statement.totals;
  return [
    { label: '合计', gross: t.grossFen, subsidy: t.subsidyFen, selfPay: t.selfPayFen, charge: t.adjustmentFen - t.penaltyFen },
    { label: '应付金额（补贴 − 扣款 + 调整）', subsidy: t.payableFen },
    { label: `其中市级财政承担（${statement.fundingSplit.cityPct}%）`, subsidy: t.cityFen },
    { label: `其中区级财政承担（${statement.fundingSplit.districtPct}%）`, subsidy: t.districtFen },
    ...(t.carryForwardFen > 0 ? [{ label: '结转下期扣款', charge: -t.carryForwardFen }] : []),
  ];
}

export async function writeStatementXlsx(statement: StatementDoc, config: Config, stream: Writable): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  workbook.creator = 'Starlight Care 星光助老';
  const sheet = workbook.addWorksheet('结算单', { views: [{ state: 'frozen', ySplit: 3 }] });
  sheet.columns = STATEMENT_COLUMNS.map((header, i) => ({ key: `c${i}`, width: [6, 6, 26, 26, 14, 12, 6, 12, 12, 14, 14, 14, 14, 8, 36][i] }));
  const lastColumn = String.fromCharCode(64 + STATEMENT_COLUMNS.length);
  const title = sheet.getRow(1);
  title.getCell(1).value = statementTitle(statement);
  title.getCell(1).font = { bold: true, size: 14 };
  sheet.mergeCells(`A1:${lastColumn}1`);
  title.commit();
  const info = sheet.getRow(2);
  info.getCell(1).value = [`结算周期：${statement.period}`, `服务商：${statement.providerName}`, `状态：${STATEMENT_STATUS_ZH[statement.status] ?? statement.status}`, `结算单号：${statement._id}`].join('\u3000');
  sheet.mergeCells(`A2:${lastColumn}2`);
  info.commit();
  const header = sheet.getRow(3);
  STATEMENT_COLUMNS.forEach((text, i) => {
    header.getCell(i + 1).value = text;
    header.getCell(i + 1).font = { bold: true };
  });
  header.commit();

  let rowNumber = 3;
  const writeAmounts = (row: ExcelJS.Row, fen: { gross?: number; subsidy?: number; selfPay?: number; charge?: number }) => {
    for (const [key, column] of Object.entries(AMOUNT_COLUMNS)) {
      const value = fen[key as keyof typeof fen];
      if (value === undefined) continue;
      row.getCell(column).value = yuanNumber(value);
      row.getCell(column).numFmt = '#,##0.00';
    }
  };
  for await (const { cells, fen } of statementRows(statement, config)) {
    rowNumber += 1;
    const row = sheet.getRow(rowNumber);
    cells.forEach((value, i) => {
      if (value !== null) row.getCell(i + 1).value = value;
    });
    writeAmounts(row, fen);
    row.commit();
  }
  for (const closing of closingRows(statement)) {
    rowNumber += 1;
    const row = sheet.getRow(rowNumber);
    row.getCell(2).value = closing.label;
    row.getCell(2).font = { bold: true };
    writeAmounts(row, closing);
    row.commit();
  }
  sheet.commit();
  await workbook.commit();
}

export async function writeStatementCsv(statement: StatementDoc, config: Config, stream: Writable): Promise<void> {
  const write = (cells: Cell[]) => stream.write(`${cells.map(csvCell).join(',')}\r\n`);
  stream.write('\uFEFF');
  write([...STATEMENT_COLUMNS]);
  const withAmounts = (cells: Cell[], fen: { gross?: number; subsidy?: number; selfPay?: number; charge?: number }) => {
    const out = [...cells];
    for (const [key, column] of Object.entries(AMOUNT_COLUMNS)) {
      const value = fen[key as keyof typeof fen];
      out[column - 1] = value === undefined ? null : yuanText(value);
    }
    return out;
  };
  for await (const { cells, fen } of statementRows(statement, config)) write(withAmounts(cells, fen));
  for (const closing of closingRows(statement)) write(withAmounts(['', closing.label, ...Array<Cell>(STATEMENT_COLUMNS.length - 2).fill(null)], closing));
  await new Promise<void>((resolve) => stream.end(resolve));
}


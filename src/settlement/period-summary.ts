import ExcelJS from 'exceljs';
import type { Writable } from 'node:stream';
import { getCommunity, listServiceTypes } from '../organisation/index.ts';
import { csvCell, type CsvValue } from '../shared/csv.ts';
import { yuanNumber, yuanText } from '../shared/money.ts';
import { CATEGORIES_BY_NEED } from './categories.ts';
import { LineModel, StatementModel, ZERO_TOTALS, type StatementTotals } from './settlement.model.ts';
import { STATEMENT_STATUS_ZH } from './statement-export.ts';
import { latestAuditAnchor } from '../audit/index.ts';
import { BUSINESS_TIME_ZONE_DEFAULT, businessMonthBounds } from '../shared/time.ts';

/*
 * The period summary (PRODUCT.md §8): every statement of the period, whatever its status, by
 * provider (the statements' own totals), by community, category and service type (streamed from the
 * lines, grouped in memory: a few hundred keys at most) and by funding source (city and district
 * from the statements' exact split, self-pay from the lines). Penalties belong to providers, so the
 * community, category and service rows show what was delivered (gross, subsidy, self-pay).
 */

export interface DeliveredFigures {
  lineCount: number;
  quantity: number;
  grossFen: number;
  subsidyFen: number;
  selfPayFen: number;
}
const noneDelivered = (): DeliveredFigures => ({ lineCount: 0, quantity: 0, grossFen: 0, subsidyFen: 0, selfPayFen: 0 });

export const CATEGORY_ZH: Record<string, string> = {
  three_nos: '三无老人', extreme_hardship: '特困老人', low_income: '低保/低收入', disabled: '失能/残疾', living_alone: '独居', empty_nest: '空巢', advanced_age: '高龄',
  uncategorised: '未分类',
};
const FUNDING_ZH: Record<string, string> = { city: '市级财政', district: '区级财政', self_pay: '老人自付' };

export async function periodSummary(period: string, timeZone: string = BUSINESS_TIME_ZONE_DEFAULT) {
  const statements = await StatementModel.find({ period }).sort({ providerName: 1, _id: 1 }).lean();
  const totals: StatementTotals & { lineCount: number } = { ...ZERO_TOTALS, lineCount: 0 };
  for (const statement of statements) {
    for (const key of Object.keys(ZERO_TOTALS) as (keyof StatementTotals)[]) totals[key] += statement.totals[key];
    totals.lineCount += statement.lineCount;
  }

  const byCommunity = new Map<string, DeliveredFigures>();
  const byCategory = new Map<string, DeliveredFigures>();
  const byServiceType = new Map<string, DeliveredFigures>();
  const add = (map: Map<string, DeliveredFigures>, key: string, line: { quantity: number; priceFen: number; subsidyFen: number; selfPayFen: number }) => {
    const figures = map.get(key) ?? noneDelivered();
    figures.lineCount += 1;
    figures.quantity += line.quantity;
    figures.grossFen += line.priceFen;
    figures.subsidyFen += line.subsidyFen;
    figures.selfPayFen += line.selfPayFen;
    map.set(key, figures);
  };
  const projection = { communityId: 1, category: 1, serviceTypeCode: 1, quantity: 1, priceFen: 1, subsidyFen: 1, selfPayFen: 1 };
  // A month-end report: it reads every service line of the period (through its statements, which
  // the lines are indexed by), as the figures it answers are sums over all of them.
  const statementIds = statements.map((statement) => statement._id);
  for await (const line of LineModel.find({ statementId: { $in: statementIds }, kind: 'service' }, projection).lean().cursor({ batchSize: 1000 })) {
    add(byCommunity, line.communityId ?? '', line);
    add(byCategory, line.category ?? 'uncategorised', line);
    add(byServiceType, line.serviceTypeCode ?? '', line);
  }

  const serviceNames = new Map((await listServiceTypes()).map((type) => [type.code, type.name]));
  const communities = await Promise.all([...byCommunity.entries()].map(async ([communityId, figures]) => ({ communityId, communityName: (await getCommunity(communityId))?.name ?? communityId, ...figures })));
  const categoryOrder = (category: string) => { const index = (CATEGORIES_BY_NEED as readonly string[]).indexOf(category); return index < 0 ? 99 : index; };
  // The audit chain's head as anchored by the last daily verification of the month: printed with
  // the month's figures, it is a copy of the chain's state outside the database.
  const auditAnchor = await latestAuditAnchor(businessMonthBounds(period, timeZone).end);
  return {
    period,
    auditAnchor,
    statementCount: statements.length,
    totals,
    byProvider: statements.map((statement) => ({
      providerId: statement.providerId, providerName: statement.providerName, statementId: statement._id, status: statement.status,
      lineCount: statement.lineCount, ...statement.totals,
    })),
    byCommunity: communities.sort((a, b) => a.communityName.localeCompare(b.communityName, 'zh')),
    byCategory: [...byCategory.entries()].map(([category, figures]) => ({ category, ...figures })).sort((a, b) => categoryOrder(a.category) - categoryOrder(b.category)),
    byServiceType: [...byServiceType.entries()].map(([serviceTypeCode, figures]) => ({ serviceTypeCode, serviceTypeName: serviceNames.get(serviceTypeCode) ?? serviceTypeCode, ...figures })).sort((a, b) => a.serviceTypeCode.localeCompare(b.serviceTypeCode)),
    byFundingSource: [
      { source: 'city' as const, amountFen: totals.cityFen },
      { source: 'district' as const, amountFen: totals.districtFen },
      { source: 'self_pay' as const, amountFen: totals.selfPayFen },
    ],
  };
}
export type PeriodSummary = Awaited<ReturnType<typeof periodSummary>>;

/** An amount kept in fen until a format writes it: a number in the workbook, text in the CSV. */
interface Money { fen: number }
type SummaryCell = string | number | Money;
interface SummarySection { name: string; header: string[]; rows: SummaryCell[][]; totalsRow: SummaryCell[] | null; firstAmountColumn: number }

const money = (fen: number): Money => ({ fen });
const isMoney = (cell: SummaryCell): cell is Money => typeof cell === 'object';

export function summaryTitle(summary: PeriodSummary): string {
  const [year, month] = summary.period.split('-');
  const anchor = summary.auditAnchor ? `（审计链存证：${summary.auditAnchor.day} 第 ${summary.auditAnchor.seq} 条，${summary.auditAnchor.hash}）` : '（本月尚无审计链存证）';
  return `${year}年${Number(month)}月 居家养老服务结算汇总${anchor}`;
}

/**
 * The breakdowns both files carry (the summary page shows each of them). The community,
 * category and service rows add up to the provider totals' gross, subsidy and self-pay (penalties
 * and adjustments are the providers'), so each carries its own 合计 for the reader to check.
 */
export function summarySections(summary: PeriodSummary): SummarySection[] {
  const delivered = ['服务笔数', '服务数量', '服务金额（元）', '补贴金额（元）', '自付金额（元）'];
  const deliveredCells = (f: DeliveredFigures): SummaryCell[] => [f.lineCount, f.quantity, money(f.grossFen), money(f.subsidyFen), money(f.selfPayFen)];
  const deliveredTotal = (rows: DeliveredFigures[]): SummaryCell[] => ['合计', ...deliveredCells(rows.reduce((sum, f) => ({
    lineCount: sum.lineCount + f.lineCount, quantity: sum.quantity + f.quantity, grossFen: sum.grossFen + f.grossFen, subsidyFen: sum.subsidyFen + f.subsidyFen, selfPayFen: sum.selfPayFen + f.selfPayFen,
  }), noneDelivered()))];
  const providerAmounts = (t: StatementTotals) => [t.grossFen, t.subsidyFen, t.selfPayFen, t.penaltyFen, t.adjustmentFen, t.payableFen, t.cityFen, t.districtFen].map(money);
  return [
    {
      name: '按服务商', firstAmountColumn: 4,
      header: ['服务商', '状态', '服务笔数', '服务金额（元）', '补贴金额（元）', '自付金额（元）', '扣款（元）', '调整（元）', '应付金额（元）', '市级承担（元）', '区级承担（元）'],
      rows: summary.byProvider.map((p) => [p.providerName, STATEMENT_STATUS_ZH[p.status] ?? p.status, p.lineCount, ...providerAmounts(p)]),
      totalsRow: ['合计', '', summary.totals.lineCount, ...providerAmounts(summary.totals)],
    },
    { name: '按社区', header: ['社区', ...delivered], rows: summary.byCommunity.map((c) => [c.communityName, ...deliveredCells(c)]), totalsRow: deliveredTotal(summary.byCommunity), firstAmountColumn: 4 },
    { name: '按老人类别', header: ['类别', ...delivered], rows: summary.byCategory.map((c) => [CATEGORY_ZH[c.category] ?? c.category, ...deliveredCells(c)]), totalsRow: deliveredTotal(summary.byCategory), firstAmountColumn: 4 },
    { name: '按服务项目', header: ['服务项目', ...delivered], rows: summary.byServiceType.map((s) => [s.serviceTypeName, ...deliveredCells(s)]), totalsRow: deliveredTotal(summary.byServiceType), firstAmountColumn: 4 },
    { name: '按资金来源', header: ['资金来源', '金额（元）'], rows: summary.byFundingSource.map((f) => [FUNDING_ZH[f.source] ?? f.source, money(f.amountFen)]), totalsRow: null, firstAmountColumn: 2 },
  ];
}

/** The summary as a workbook: one sheet per breakdown, amounts in yuan with two decimals. */
export async function writeSummaryXlsx(summary: PeriodSummary, stream: Writable): Promise<void> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'Starlight Care 星光助老';
  const title = summaryTitle(summary);
  const asNumber = (cell: SummaryCell) => (isMoney(cell) ? yuanNumber(cell.fen) : cell);
  for (const section of summarySections(summary)) {
    addTable(workbook, section.name, title, section.header, section.rows.map((row) => row.map(asNumber)), section.totalsRow?.map(asNumber) ?? null, section.firstAmountColumn);
  }
  await workbook.xlsx.write(stream);
  stream.end();
}

/**
 * The summary as one CSV (UTF-8 with a BOM, so Excel reads the Chinese; CRLF; cells through
 * shared/csv.ts, which defuses formula-looking text): the title, then each breakdown as a titled
 * block — its name on a line, its header, its rows, its 合计 — with an empty line between blocks.
 * Amounts in yuan as text with two decimals, built from the fen (never a float).
 */
export async function writeSummaryCsv(summary: PeriodSummary, stream: Writable): Promise<void> {
  const write = (cells: CsvValue[]) => stream.write(`${cells.map(csvCell).join(',')}\r\n`);
  const asText = (cell: SummaryCell): CsvValue => (isMoney(cell) ? yuanText(cell.fen) : cell);
  stream.write('\uFEFF');
  write([summaryTitle(summary)]);
  for (const section of summarySections(summary)) {
    write([]);
    write([section.name]);
    write(section.header);
    for (const row of [...section.rows, ...(section.totalsRow ? [section.totalsRow] : [])]) write(row.map(asText));
  }
  await new Promise<void>((resolve) => stream.end(resolve));
}

/** A titled sheet with a frozen bold header, rows, an optional totals row; amounts from `firstAmountColumn` on. */
function addTable(workbook: ExcelJS.Workbook, name: string, title: string, header: string[], rows: (string | number)[][], totalsRow: (string | number)[] | null, firstAmountColumn: number): void {
  const sheet = workbook.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 2 }] });
  sheet.getCell('A1').value = `${title}（${name}）`;
  sheet.getCell('A1').font = { bold: true, size: 14 };
  sheet.mergeCells(1, 1, 1, header.length);
  sheet.addRow(header).font = { bold: true };
  for (const row of [...rows, ...(totalsRow ? [totalsRow] : [])]) sheet.addRow(row);
  if (totalsRow) sheet.lastRow!.font = { bold: true };
  sheet.columns.forEach((column, index) => {
    column.width = index === 0 ? 24 : 14;
    if (index + 1 >= firstAmountColumn) column.numFmt = '#,##0.00';
  });
}

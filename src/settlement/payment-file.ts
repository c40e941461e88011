import { createHash } from 'node:crypto';
import iconv from 'iconv-lite';
import { recordAudit } from '../audit/index.ts';
import type { Config } from '../config/env.ts';
import { providerBankAccounts, type PayeeAccount } from '../organisation/index.ts';
import { csvCell, type CsvValue } from '../shared/csv.ts';
import { DomainError } from '../shared/errors.ts';
import { bilingual } from '../shared/i18n.ts';
import { yuanText } from '../shared/money.ts';
import type { Actor } from '../shared/roles.ts';
import { businessDay } from '../shared/time.ts';
import { StatementModel } from './settlement.model.ts';

/**
 * The batch payment file of a period (issue 21, README "批量支付文件与银行回单"): one payment per
 * approved, unpaid statement with a payable above zero, to the provider's bank account. Two
 * layouts: `generic` (UTF-8 CSV with a checksum line) and `icbc`, the column layout of 中国工商银行
 * 企业网上银行 批量支付 (GBK CSV, no line besides the header and the payments, as the bank's import
 * reads every row as a payment). The checksum of either travels in the answer's headers too.
 */
export const PAYMENT_LAYOUTS = ['generic', 'icbc'] as const;
export type PaymentLayout = (typeof PAYMENT_LAYOUTS)[number];

export interface PaymentItem {
  statementId: string;
  providerId: string;
  providerName: string;
  payableFen: number;
  payee: PayeeAccount;
}

export interface PaymentFile {
  fileName: string;
  asciiFileName: string;
  contentType: string;
  bytes: Buffer;
  count: number;
  totalFen: number;
  /** SHA-256 (hex) of the detail lines' bytes exactly as in the file, each with its CRLF. */
  checksum: string;
}

export const GENERIC_PAYMENT_HEADER = ['序号', '结算单号', '收款账户名称', '收款账号', '开户银行', '联行号', '金额（元）', '用途'];
export const CHECKSUM_LINE_LABEL = '校验';
// The columns of ICBC's 企业网银 批量支付 template, in order (see README for the source and its caveats).
export const ICBC_PAYMENT_HEADER = [
  '币种', '日期', '明细标志', '顺序号', '付款账号开户行', '付款账号/卡号', '付款账号名称/卡名称', '收款账号开户行', '收款账号省份', '收款账号地市', '收款账号地区码',
  '收款账号', '收款账号名称', '金额', '汇款用途', '备注信息', '汇款方式', '收款账户短信通知手机号码', '自定义序号',
];

/** 星光助老 2026年11月 服务结算 <statementId>: what the provider reads on its bank statement. */
export function paymentPurpose(period: string, statementId: string): string {
  const [year, month] = period.split('-');
  return `星光助老 ${year}年${month}月 服务结算 ${statementId}`;
}

/** The payments of the period; 422 naming every provider that has no bank account (the file must hold every approved payable). */
export async function paymentItemsOf(period: string, config: Config): Promise<PaymentItem[]> {
  const statements = await StatementModel.find({ period, status: 'approved', 'totals.payableFen': { $gt: 0 } }, { providerId: 1, providerName: 1, totals: 1 }).sort({ _id: 1 }).lean();
  const accounts = await providerBankAccounts(config.pii, statements.map((statement) => statement.providerId));
  const missing = statements.filter((statement) => !accounts.has(statement.providerId));
  if (missing.length > 0) {
    throw new DomainError(
      'RULE_VIOLATION',
      missing.map((statement) => ({ path: 'providers', message: bilingual(`服务商“${statement.providerName}”未登记银行账户`, `the provider ${statement.providerName} has no bank account`) })),
      { zh: `${missing.length} 家服务商未登记银行账户，无法生成支付文件：${missing.map((statement) => statement.providerName).join('、')}`, en: `${missing.length} provider(s) have no bank account; the payment file cannot hold every approved payable` },
      { providerIds: missing.map((statement) => statement.providerId) },
    );
  }
  return statements.map((statement) => ({
    statementId: String(statement._id), providerId: statement.providerId, providerName: statement.providerName, payableFen: statement.totals.payableFen,
    payee: accounts.get(statement.providerId) as PayeeAccount,
  }));
}

const line = (cells: CsvValue[]) => `${cells.map(csvCell).join(',')}\r\n`;

function genericFile(period: string, items: PaymentItem[]): { text: string; detail: string; totalFen: number } {
  const detail = items.map((item, index) => line([
    index + 1, item.statementId, item.payee.accountName, item.payee.accountNo, item.payee.bankName, item.payee.bankBranchCode, yuanText(item.payableFen), paymentPurpose(period, item.statementId),
  ])).join('');
  const totalFen = items.reduce((sum, item) => sum + item.payableFen, 0);
  const checksum = sha256(Buffer.from(detail, 'utf8'));
  const trailer = line([CHECKSUM_LINE_LABEL, items.length, totalFen, yuanText(totalFen), checksum]);
  return { text: `\uFEFF${line(GENERIC_PAYMENT_HEADER)}${detail}${trailer}`, detail, totalFen };
}

function icbcDetail(period: string, items: PaymentItem[], day: string): string {
  return items.map((item, index) => line([
    'RMB', day.replaceAll('-', ''), '', index + 1, '', '', '', item.payee.bankName, '', '', '',
    item.payee.accountNo, item.payee.accountName, yuanText(item.payableFen), paymentPurpose(period, item.statementId), '', '', '', item.statementId,
  ])).join('');
}

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** The file of the period in the layout asked for; the export is audited (counts and checksum, never an account number). */
export async function paymentFileOf(period: string, layout: PaymentLayout, call: { actor: Actor; config: Config; requestId: string | null; now?: Date }): Promise<PaymentFile> {
  const items = await paymentItemsOf(period, call.config);
  const [year, month] = period.split('-');
  const totalFen = items.reduce((sum, item) => sum + item.payableFen, 0);
  let file: PaymentFile;
  if (layout === 'generic') {
    const generic = genericFile(period, items);
    file = {
      fileName: `批量支付-${year}年${month}月.csv`, asciiFileName: `payment-${period}.csv`, contentType: 'text/csv; charset=utf-8',
      bytes: Buffer.from(generic.text, 'utf8'), count: items.length, totalFen, checksum: sha256(Buffer.from(generic.detail, 'utf8')),
    };
  } else {
    const detail = iconv.encode(icbcDetail(period, items, businessDay(call.now ?? new Date(), call.config.businessTimeZone)), 'gbk');
    file = {
      fileName: `批量支付-工商银行-${year}年${month}月.csv`, asciiFileName: `payment-icbc-${period}.csv`, contentType: 'text/csv; charset=gbk',
      bytes: Buffer.concat([iconv.encode(line(ICBC_PAYMENT_HEADER), 'gbk'), detail]), count: items.length, totalFen, checksum: sha256(detail),
    };
  }
  await recordAudit({
    actor: call.actor, action: 'settlement.payment_file', entityType: 'settlement_period', entityId: period, requestId: call.requestId,
    after: { layout, count: file.count, totalFen, checksum: file.checksum, statementIds: items.map((item) => item.statementId) },
  });
  return file;
}

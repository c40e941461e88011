import type { VoucherMonthStatement } from '../vouchers/index.ts';
import { yuanText } from '../shared/money.ts';
import { A4, MARGIN, fitText } from './pdf-document.ts';

/** One senior's page of the monthly letter, everything already in words and fen. */
export interface LetterPage {
  seniorName: string;
  phoneMasked: string;
  statement: VoucherMonthStatement;
  visits: { day: string; service: string; provider: string; subsidyFen: number; selfPayFen: number; isDisputed: boolean }[];
}

/** What every page of a community's letters shares. */
export interface LetterSetting {
  /** 2026年11月 */
  monthText: string;
  communityName: string;
  /** The number to call: the community's, else the district's service hotline. */
  hotline: string;
  expiryRule: string;
  /** YYYY-MM-DD the letters were made. */
  madeOn: string;
}

// Large print for elderly readers: body 15 pt, tables 14 pt, headings 17-22 pt (only the page's
// footer line is smaller). A page holds what fits; more visits are counted, not squeezed.
const SIZE = { title: 22, heading: 17, body: 15, table: 14, footer: 10 };
const WIDTH = A4.width - 2 * MARGIN.x;
const ROW = 22;
const COLUMNS = [
  { title: '日期', width: 72, align: 'left' as const },
  { title: '服务项目', width: 124, align: 'left' as const },
  { title: '服务商', width: 143, align: 'left' as const },
  { title: '补贴', width: 80, align: 'right' as const },
  { title: '自付', width: 80, align: 'right' as const },
];

/** The ideographic space between parts of a line. */
const GAP = '\u3000';
const yuan = (fen: number) => `${yuanText(fen)} 元`;
const signed = (fen: number) => (fen > 0 ? `+${yuan(fen)}` : yuan(fen));

export function drawLetterPage(doc: PDFKit.PDFDocument, page: LetterPage, setting: LetterSetting): void {
  doc.addPage({ size: 'A4', margin: 0 });
  let y = MARGIN.top;
  doc.font('bold').fontSize(SIZE.title).text('居家养老服务券月度告知书', MARGIN.x, y, { width: WIDTH, align: 'center' });
  y += 34;
  doc.font('regular').fontSize(SIZE.body).text(`${setting.communityName}${GAP}${setting.monthText}`, MARGIN.x, y, { width: WIDTH, align: 'center' });
  y += 30;
  doc.font('bold').fontSize(SIZE.heading).text(`${page.seniorName} 老人及家属：您好！`, MARGIN.x, y, { width: WIDTH });
  y += 28;
  const intro = `下面是${setting.monthText}以您的名义使用居家养老服务券的情况，请您和家人核对。`;
  doc.font('regular').fontSize(SIZE.body).text(intro, MARGIN.x, y, { width: WIDTH, lineGap: 4 });
  y += doc.heightOfString(intro, { width: WIDTH, lineGap: 4 }) + 10;

  y = drawVouchers(doc, page.statement, y);
  const bottomTop = A4.height - MARGIN.bottom - bottomHeight(doc, setting);
  drawVisits(doc, page.visits, y + 8, bottomTop - 10);
  drawBottom(doc, page, setting, bottomTop);
}

function drawVouchers(doc: PDFKit.PDFDocument, statement: VoucherMonthStatement, top: number): number {
  let y = top;
  doc.font('bold').fontSize(SIZE.heading).text('一、本月服务券', MARGIN.x, y);
  y += 28;
  const pairs: [string, string][] = [
    ['上月结余', yuan(statement.openingFen)], ['本月发放', yuan(statement.issuedFen)],
    ['本月使用', yuan(statement.usedFen)], ['月底失效', yuan(statement.lapsedFen)],
  ];
  if (statement.adjustedFen !== 0 || statement.refundedFen !== 0) pairs.push(['调整', signed(statement.adjustedFen)], ['争议退回', yuan(statement.refundedFen)]);
  const half = WIDTH / 2;
  doc.font('regular').fontSize(SIZE.body);
  pairs.forEach(([label, amount], index) => {
    const x = MARGIN.x + (index % 2) * half;
    const rowY = y + Math.floor(index / 2) * 26;
    doc.text(`${label}：`, x, rowY, { lineBreak: false });
    fitText(doc, amount, x + 80, rowY, half - 100, 'right');
  });
  y += Math.ceil(pairs.length / 2) * 26 + 2;
  doc.font('bold').fontSize(SIZE.heading).text(`月末余额：${yuan(statement.closingFen)}`, MARGIN.x, y, { lineBreak: false });
  y += 26;
  if (statement.closingHeldFen > 0) {
    doc.font('regular').fontSize(SIZE.body).text(`（其中 ${yuan(statement.closingHeldFen)} 为已预约、尚未确认的服务暂扣）`, MARGIN.x, y, { lineBreak: false });
    y += 24;
  }
  return y;
}

/** The visits table between `top` and `limit`: the rows that fit, then how many more there were. */
function drawVisits(doc: PDFKit.PDFDocument, visits: LetterPage['visits'], top: number, limit: number): void {
  let y = top;
  doc.font('bold').fontSize(SIZE.heading).text(`二、本月上门服务（共 ${visits.length} 次）`, MARGIN.x, y, { lineBreak: false });
  y += 28;
  if (visits.length === 0) {
    doc.font('regular').fontSize(SIZE.body).text('本月没有经确认的上门服务。', MARGIN.x, y, { lineBreak: false });
    return;
  }
  doc.font('bold').fontSize(SIZE.table);
  drawRow(doc, COLUMNS.map((column) => column.title), y);
  doc.moveTo(MARGIN.x, y + ROW - 4).lineTo(MARGIN.x + WIDTH, y + ROW - 4).lineWidth(0.8).stroke();
  y += ROW;
  const fitting = Math.max(0, Math.floor((limit - y) / ROW));
  const shown = visits.length <= fitting ? visits.length : Math.max(0, fitting - 1);
  doc.font('regular').fontSize(SIZE.table);
  for (const visit of visits.slice(0, shown)) {
    drawRow(doc, [visit.day, visit.isDisputed ? `${visit.service}（有争议）` : visit.service, visit.provider, yuan(visit.subsidyFen), yuan(visit.selfPayFen)], y);
    y += ROW;
  }
  if (shown < visits.length) doc.font('bold').fontSize(SIZE.body).text(`另有 ${visits.length - shown} 次服务，详见社区`, MARGIN.x, y, { lineBreak: false });
}

function drawRow(doc: PDFKit.PDFDocument, cells: string[], y: number): void {
  let x = MARGIN.x;
  COLUMNS.forEach((column, index) => {
    fitText(doc, cells[index] ?? '', x, y, column.width - 8, column.align);
    x += column.width;
  });
}

function bottomTexts(page: LetterPage | null, setting: LetterSetting) {
  return {
    rule: setting.expiryRule,
    complaint: `如发现没有上门却有记录、金额不对或服务不满意，请拨打服务热线 ${setting.hotline}，或拨打 12345 政务服务便民热线。`,
    footer: `星光助老居家养老服务${GAP}${setting.communityName}${GAP}本告知书生成于 ${setting.madeOn}${page ? `${GAP}登记电话 ${page.phoneMasked}` : ''}`,
  };
}

function bottomHeight(doc: PDFKit.PDFDocument, setting: LetterSetting): number {
  const texts = bottomTexts(null, setting);
  doc.font('regular').fontSize(SIZE.body);
  return 2 * 26 + doc.heightOfString(texts.rule, { width: WIDTH, lineGap: 4 }) + doc.heightOfString(texts.complaint, { width: WIDTH, lineGap: 4 }) + 8 + 20;
}

function drawBottom(doc: PDFKit.PDFDocument, page: LetterPage, setting: LetterSetting, top: number): void {
  const texts = bottomTexts(page, setting);
  let y = top;
  doc.font('bold').fontSize(SIZE.heading).text('三、服务券有效期', MARGIN.x, y, { lineBreak: false });
  y += 26;
  doc.font('regular').fontSize(SIZE.body).text(texts.rule, MARGIN.x, y, { width: WIDTH, lineGap: 4 });
  y += doc.heightOfString(texts.rule, { width: WIDTH, lineGap: 4 }) + 4;
  doc.font('bold').fontSize(SIZE.heading).text('四、有疑问或投诉', MARGIN.x, y, { lineBreak: false });
  y += 26;
  doc.font('regular').fontSize(SIZE.body).text(texts.complaint, MARGIN.x, y, { width: WIDTH, lineGap: 4 });
  doc.font('regular').fontSize(SIZE.footer).text(texts.footer, MARGIN.x, A4.height - MARGIN.bottom - 12, { width: WIDTH, align: 'center', lineBreak: false });
}

/** The page of a community without active seniors, so the file is never empty. */
export function drawEmptyCommunityPage(doc: PDFKit.PDFDocument, setting: LetterSetting): void {
  doc.addPage({ size: 'A4', margin: 0 });
  doc.font('bold').fontSize(SIZE.title).text('居家养老服务券月度告知书', MARGIN.x, MARGIN.top, { width: WIDTH, align: 'center' });
  doc.font('regular').fontSize(SIZE.body).text(`${setting.communityName}${GAP}${setting.monthText}`, MARGIN.x, MARGIN.top + 34, { width: WIDTH, align: 'center' });
  doc.text('本社区目前没有在册享受服务的老人，本月没有告知书。', MARGIN.x, MARGIN.top + 80, { width: WIDTH });
}

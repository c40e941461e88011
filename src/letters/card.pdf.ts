import { A4, MARGIN, fitText, newDocument } from './pdf-document.ts';

/** What the senior's card shows: nothing that identifies them beyond name and community. */
export interface SeniorCard {
  seniorName: string;
  communityName: string;
  hotline: string;
}

// A folded card to cut out: front and back side by side on a band of the A4 page, each 96 × 146 mm
// (a little under A6, inside what a printer reaches), in print large enough to read without
// glasses (14-26 pt).
const PANEL = { width: 272, height: 414 };
const TOP = MARGIN.top + 40;
const LEFT = (A4.width - 2 * PANEL.width) / 2;
const PAD = 16;

/**
 * The card the community worker prints at enrolment (or after a PIN reset). The PIN itself is
 * never printed: it is shown once, and the service keeps only its hash — the card has a space for
 * the worker to write it in, and says how to use it.
 */
export async function seniorCardPdf(card: SeniorCard): Promise<Buffer> {
  const { doc, finish } = newDocument(`居家养老服务卡 ${card.seniorName}`);
  doc.addPage({ size: 'A4', margin: 0 });
  doc.font('regular').fontSize(12).text('沿虚线剪下，沿中线对折，交给老人随身或贴在电话旁。', MARGIN.x, MARGIN.top, { width: A4.width - 2 * MARGIN.x, align: 'center' });
  doc.save().dash(6, { space: 4 }).lineWidth(0.8).rect(LEFT, TOP, 2 * PANEL.width, PANEL.height).stroke()
    .moveTo(LEFT + PANEL.width, TOP).lineTo(LEFT + PANEL.width, TOP + PANEL.height).stroke().restore();
  drawFront(doc, card, LEFT, TOP);
  drawBack(doc, card, LEFT + PANEL.width, TOP);
  return finish();
}

function drawFront(doc: PDFKit.PDFDocument, card: SeniorCard, left: number, top: number): void {
  const x = left + PAD;
  const width = PANEL.width - 2 * PAD;
  doc.font('bold').fontSize(20).text('星光助老', x, top + PAD + 6, { width, align: 'center' });
  doc.fontSize(18).text('居家养老服务卡', x, top + PAD + 38, { width, align: 'center' });
  doc.font('regular').fontSize(16);
  fitText(doc, `姓名：${card.seniorName}`, x, top + 120, width);
  fitText(doc, `社区：${card.communityName}`, x, top + 156, width);
  doc.font('bold').fontSize(16).text('服务热线', x, top + 214, { width, align: 'center' });
  doc.fontSize(26).text(card.hotline, x, top + 240, { width, align: 'center' });
  doc.font('regular').fontSize(14).text('投诉也可拨打 12345\n紧急情况请拨打 120', x, top + 300, { width, align: 'center', lineGap: 4 });
}

function drawBack(doc: PDFKit.PDFDocument, card: SeniorCard, left: number, top: number): void {
  const x = left + PAD;
  const width = PANEL.width - 2 * PAD;
  doc.font('bold').fontSize(18).text('个人确认码', x, top + PAD + 6, { width, align: 'center' });
  doc.font('regular').fontSize(14).text('请把个人确认码写在这里：', x, top + 62, { width });
  const boxes = 6;
  const box = 34;
  const boxLeft = left + (PANEL.width - boxes * box) / 2;
  for (let i = 0; i < boxes; i += 1) doc.lineWidth(1).rect(boxLeft + i * box, top + 86, box, box).stroke();
  const steps = [
    '1. 确认码由社区工作者在登记或重置时告诉您，只显示一次，系统不保存，丢了请找社区重置。',
    '2. 护理员上门服务结束时，请您亲自在护理员手机上输入本次服务的核验码或这个确认码。',
    '3. 没有上门、服务没做完或不满意，请不要输入，并拨打上面的服务热线。',
    '4. 请勿把确认码告诉他人。',
  ];
  doc.font('regular').fontSize(14).text(steps.join('\n'), x, top + 136, { width, lineGap: 3, paragraphGap: 3 });
  doc.fontSize(12).text(`服务热线 ${card.hotline}`, x, top + PANEL.height - PAD - 14, { width, align: 'center', lineBreak: false });
}

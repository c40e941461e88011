import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';

/*
 * PDFs in Chinese with pdfkit and Noto Sans SC (Google's Simplified Chinese Noto, SIL Open Font
 * Licence 1.1), whose TrueType files ship inside the npm package @expo-google-fonts/noto-sans-sc:
 * nothing is fetched at run time. pdfkit (through fontkit) embeds only the glyphs a document uses,
 * so a page costs a few kB however large the font (README, "Letters and cards").
 */

const require = createRequire(import.meta.url);
const FONT_FILES = {
  regular: '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf',
} as const;

export type FontName = keyof typeof FONT_FILES;

// Read once per process (about 10 MB each) instead of once per document.
let fontBytes: Record<FontName, Buffer> | null = null;
function fonts(): Record<FontName, Buffer> {
  fontBytes ??= { regular: readFileSync(require.resolve(FONT_FILES.regular)), bold: readFileSync(require.resolve(FONT_FILES.bold)) };
  return fontBytes;
}

/** A4 in points, and the margins every page of the capability keeps. */
export const A4 = { width: 595.28, height: 841.89 };
export const MARGIN = { x: 48, top: 44, bottom: 40 };

/** A new A4 document with both weights registered and no page yet; `finish` ends it and answers the bytes. */
export function newDocument(title: string): { doc: PDFKit.PDFDocument; finish: () => Promise<Buffer> } {
  const doc = new PDFDocument({ size: 'A4', autoFirstPage: false, margin: 0, lang: 'zh-CN', displayTitle: true, info: { Title: title, Author: '星光助老', Creator: '星光助老' } });
  const bytes = fonts();
  doc.registerFont('regular', bytes.regular);
  doc.registerFont('bold', bytes.bold);
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  return { doc, finish: () => { doc.end(); return ended; } };
}

/** Draws `text` at (x, y) on one line, cut with an ellipsis to `width`; answers nothing (the caller moves y). */
export function fitText(doc: PDFKit.PDFDocument, text: string, x: number, y: number, width: number, align: 'left' | 'right' = 'left'): void {
  let shown = text;
  if (doc.widthOfString(shown) > width) {
    const chars = [...text];
    while (chars.length > 1 && doc.widthOfString(`${chars.join('')}…`) > width) chars.pop();
    shown = `${chars.join('')}…`;
  }
  doc.text(shown, x, y, { width, align, lineBreak: false });
}


import { open } from 'node:fs/promises';
import iconv from 'iconv-lite';
import { sheetFileError } from './sheet-file-error.ts';

/**
 * What an uploaded register is, judged by its bytes rather than its name: browsers and office
 * systems send wrong extensions and content types (an ".xls" that is really CSV or HTML is common).
 */
export type SheetFileKind = { kind: 'xlsx' } | { kind: 'csv'; encoding: 'utf8' | 'gb18030' };

const SAMPLE_BYTES = 64 * 1024;
const ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const EMPTY_ZIP_MAGIC = Buffer.from([0x50, 0x4b, 0x05, 0x06]);
const OLE2_MAGIC = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);
// Tab, line feed, form feed and carriage return are the only control characters a CSV may hold.
const ALLOWED_CONTROLS = new Set([0x09, 0x0a, 0x0c, 0x0d]);
const hasControlCharacter = (text: string): boolean => {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && !ALLOWED_CONTROLS.has(code)) || code === 0x7f) return true;
  }
  return false;
};

export async function sniffSheetFile(path: string, originalName: string): Promise<SheetFileKind> {
  const { sample, isWholeFile } = await readSample(path);
  if (sample.length === 0) throw emptyFile(originalName);
  if (sample.subarray(0, 4).equals(ZIP_MAGIC)) return { kind: 'xlsx' };
  if (sample.subarray(0, 4).equals(EMPTY_ZIP_MAGIC)) throw notAWorkbook(originalName);
  if (sample.subarray(0, 8).equals(OLE2_MAGIC)) {
    throw sheetFileError(
      `“${originalName}”是旧版 Excel（.xls）格式，不支持导入，请在 Excel 中另存为 .xlsx 或 CSV（UTF-8）`,
      `"${originalName}" is an old Excel (.xls) workbook, which is not supported; save it as .xlsx or CSV (UTF-8)`,
    );
  }
  if (sample.subarray(0, 3).equals(UTF8_BOM)) return csvIfText(decodeUtf8(sample.subarray(3), isWholeFile), 'utf8', originalName);
  const utf8 = decodeUtf8(sample, isWholeFile);
  if (utf8 !== undefined) return csvIfText(utf8, 'utf8', originalName);
  return csvIfText(decodeGb18030(sample, isWholeFile), 'gb18030', originalName);
}

async function readSample(path: string): Promise<{ sample: Buffer; isWholeFile: boolean }> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(SAMPLE_BYTES);
    let filled = 0;
    while (filled < SAMPLE_BYTES) {
      const { bytesRead } = await handle.read(buffer, filled, SAMPLE_BYTES - filled, filled);
      if (bytesRead === 0) return { sample: buffer.subarray(0, filled), isWholeFile: true };
      filled += bytesRead;
    }
    return { sample: buffer, isWholeFile: (await handle.stat()).size <= SAMPLE_BYTES };
  } finally {
    await handle.close();
  }
}

/**
 * Strict UTF-8, or undefined. When the sample is only the start of the file, a multi-byte
 * character cut by the sample's end is not an error: `stream: true` keeps an incomplete tail
 * pending instead of rejecting it.
 */
function decodeUtf8(bytes: Buffer, isWholeFile: boolean): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: !isWholeFile });
  } catch {
    return undefined;
  }
}

/**
 * Excel on Chinese Windows saves "CSV" in code page 936 (GBK). GB 18030 decodes every GBK byte
 * sequence the same way and also the rarer characters some names use. Bytes that are neither
 * decode to U+FFFD; the last character is forgiven when the sample may have cut it in two.
 */
function decodeGb18030(bytes: Buffer, isWholeFile: boolean): string | undefined {
  const text = iconv.decode(bytes, 'gb18030');
  const checked = isWholeFile ? text : text.slice(0, -1);
  return checked.includes('\uFFFD') ? undefined : text;
}

function csvIfText(text: string | undefined, encoding: 'utf8' | 'gb18030', originalName: string): SheetFileKind {
  if (text === undefined || hasControlCharacter(text) || text.startsWith('%PDF')) throw notCsvOrXlsx(originalName);
  if (text.trim() === '') throw emptyFile(originalName);
  // HTML tables saved as ".xls" by some government systems: say so rather than "no header row".
  if (text.trimStart().startsWith('<')) {
    throw sheetFileError(
      `“${originalName}”是网页（HTML/XML）文件，不是 CSV 或 XLSX，请在 Excel 中打开后另存为 .xlsx 或 CSV`,
      `"${originalName}" is an HTML/XML document, not CSV or XLSX; open it in Excel and save it as .xlsx or CSV`,
    );
  }
  return { kind: 'csv', encoding };
}

export const emptyFile = (originalName: string) =>
  sheetFileError(`文件“${originalName}”是空的`, `The file "${originalName}" is empty`);

export const notAWorkbook = (originalName: string) =>
  sheetFileError(
    `“${originalName}”是压缩文件，但不是可读取的 Excel 工作簿（.xlsx）`,
    `"${originalName}" is a zip archive but not a readable Excel workbook (.xlsx)`,
  );

const notCsvOrXlsx = (originalName: string) =>
  sheetFileError(
    `“${originalName}”既不是 CSV 文本文件，也不是 Excel 工作簿（.xlsx），请上传 CSV 或 XLSX 格式的文件`,
    `"${originalName}" is neither a CSV text file nor an Excel workbook (.xlsx); upload it as CSV or XLSX`,
  );

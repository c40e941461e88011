import { open } from 'node:fs/promises';
import { Transform, type Readable } from 'node:stream';
import { sheetFileError } from './sheet-file-error.ts';

/**
 * What an uploaded workbook may inflate to. A register or a month of visit records at the 50,000-row
 * limit is some 15–30 MB of sheet XML; the shared strings (every distinct text, cached while the sheet
 * is read) a fraction of that. Past these a workbook is refused, not inflated: a 1 MB "workbook" whose
 * strings inflate to 1 GiB grew the service by 542 MiB before (issue 22).
 */
export const XLSX_LIMITS = {
  /** All entries together, as the central directory declares them. */
  totalBytes: 256 * 1024 * 1024,
  /** The shared strings part, declared and as actually inflated (they are held in memory). */
  sharedStringsBytes: 32 * 1024 * 1024,
  /** One worksheet as actually inflated (streamed, not held). */
  worksheetBytes: 256 * 1024 * 1024,
};

const tooLarge = (originalName: string) => sheetFileError(
  `Excel 工作簿“${originalName}”解压后过大（超过上限），请删除多余的工作表和内容，或另存为 CSV 后上传`,
  `The workbook "${originalName}" inflates beyond the limit; remove extra sheets and content, or save it as CSV`,
);

const overlapping = (originalName: string) => sheetFileError(
  `Excel 工作簿“${originalName}”的压缩结构异常（多个部件共用同一段数据），不能导入，请在 Excel 中重新保存后上传`,
  `The workbook "${originalName}" is not a well-formed zip (its entries overlap); save it again in Excel and upload it`,
);

/**
 * Reads the zip's central directory (the end of the file, a few KB) and refuses a workbook whose
 * entries declare more than the limits — before a byte is inflated. Sizes can lie; the inflating
 * readers count what they actually get too (limitedEntry, countedChunks).
 *
 * It also refuses entries that overlap: an overlapping-entry zip bomb (Fifield, "A better zip
 * bomb") points many directory entries at one compressed kernel, so a reader going by the directory
 * inflates it once per entry — 17 KB to 1 GiB. exceljs's streaming reader goes by the local headers
 * and so meets the kernel once, but no workbook a spreadsheet program writes has overlapping
 * entries, and refusing them keeps the next reader safe too. An entry takes at least its 30-byte
 * local header and its compressed bytes from its offset on (its name and extra field come on top,
 * so this lower bound never refuses a well-formed zip).
 */
export async function assertZipWithinLimits(path: string, originalName: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const tailLength = Math.min(size, 65_557); // the end record (22) and the longest comment (65,535)
    const tail = Buffer.alloc(tailLength);
    await handle.read(tail, 0, tailLength, size - tailLength);
    const end = tail.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    if (end < 0) return; // not readable as a zip: the workbook reader says so in its own words
    const centralSize = tail.readUInt32LE(end + 12);
    const centralOffset = tail.readUInt32LE(end + 16);
    // ZIP64 (sizes beyond 4 GB) has no place in an upload of at most 20 MiB.
    if (centralSize === 0xffffffff || centralOffset === 0xffffffff || centralSize > 8 * 1024 * 1024) throw tooLarge(originalName);
    const central = Buffer.alloc(centralSize);
    await handle.read(central, 0, centralSize, centralOffset);
    let total = 0;
    const spans: { from: number; to: number }[] = [];
    for (let at = 0; at + 46 <= central.length && central.readUInt32LE(at) === 0x02014b50;) {
      const inflated = central.readUInt32LE(at + 24);
      const from = central.readUInt32LE(at + 42);
      spans.push({ from, to: from + 30 + central.readUInt32LE(at + 20) });
      const nameLength = central.readUInt16LE(at + 28);
      const name = central.toString('utf8', at + 46, at + 46 + nameLength);
      if (inflated === 0xffffffff) throw tooLarge(originalName);
      total += inflated;
      if (total > XLSX_LIMITS.totalBytes || (/sharedStrings\.xml$/i.test(name) && inflated > XLSX_LIMITS.sharedStringsBytes)) throw tooLarge(originalName);
      at += 46 + nameLength + central.readUInt16LE(at + 30) + central.readUInt16LE(at + 32);
    }
    spans.sort((a, b) => a.from - b.from);
    for (let i = 1; i < spans.length; i += 1) {
      if (spans[i]!.from < spans[i - 1]!.to) throw overlapping(originalName);
    }
  } finally {
    await handle.close();
  }
}

/** The entry's bytes, failing the read with the file error once more than `limit` have come out. */
export function limitedEntry(entry: Readable, limit: number, originalName: string): Readable {
  let seen = 0;
  const counted = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      seen += chunk.length;
      done(seen > limit ? tooLarge(originalName) : null, chunk);
    },
  });
  entry.on('error', (error) => counted.destroy(error));
  return entry.pipe(counted);
}

/** Chunks passed on as they come, failing once more than `limit` bytes have come out. */
export async function* countedChunks(chunks: AsyncIterable<Buffer | string>, limit: number, originalName: string): AsyncGenerator<Buffer | string> {
  let seen = 0;
  for await (const chunk of chunks) {
    seen += chunk.length;
    if (seen > limit) throw tooLarge(originalName);
    yield chunk;
  }
}

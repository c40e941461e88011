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

/**
 * Reads the zip's central directory (the end of the file, a few KB) and refuses a workbook whose
 * entries declare more than the limits — before a byte is inflated. Sizes can lie; the inflating
 * readers count what they actually get too (limitedEntry, countedChunks).
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
    for (let at = 0; at + 46 <= central.length && central.readUInt32LE(at) === 0x02014b50;) {
      const inflated = central.readUInt32LE(at + 24);
      const nameLength = central.readUInt16LE(at + 28);
      const name = central.toString('utf8', at + 46, at + 46 + nameLength);
      if (inflated === 0xffffffff) throw tooLarge(originalName);
      total += inflated;
      if (total > XLSX_LIMITS.totalBytes || (/sharedStrings\.xml$/i.test(name) && inflated > XLSX_LIMITS.sharedStringsBytes)) throw tooLarge(originalName);
      at += 46 + nameLength + central.readUInt16LE(at + 30) + central.readUInt16LE(at + 32);
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

import { PassThrough, type Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { countedChunks, limitedEntry, XLSX_LIMITS } from './zip-limits.ts';

/**
 * exceljs 4.4's streaming reader decodes every zip chunk to text on its own, so a Chinese character
 * whose three UTF-8 bytes straddle two chunks becomes "��" — in a register, about one name or
 * address in a few thousand (exceljs issues #2063 and #2084, fix PR #1665 never merged). This
 * subclass hands its XML parser text decoded across chunk boundaries instead: shared strings
 * through the entry's own string decoding, worksheets through a streaming TextDecoder.
 * It overrides two undocumented methods; the 10,000-row XLSX test fails if they stop applying.
 */
interface ReaderInternals {
  _parseSharedStrings(entry: Readable): AsyncIterable<unknown>;
  _parseWorksheet(iterator: AsyncIterable<Buffer | string>, sheetNo: string): Iterable<unknown>;
}

type ReaderOptions = Partial<ExcelJS.stream.xlsx.WorkbookStreamReaderOptions>;

const StreamingWorkbookReader = ExcelJS.stream.xlsx.WorkbookReader as unknown as new (
  input: Readable,
  options: ReaderOptions,
) => ExcelJS.stream.xlsx.WorkbookReader & ReaderInternals;

export class WholeCharacterWorkbookReader extends StreamingWorkbookReader {
  /** The upload's name, for the refusal of a workbook that inflates past XLSX_LIMITS. */
  private readonly originalName: string;

  constructor(input: Readable, options: ReaderOptions, originalName: string) {
    super(input, options);
    this.originalName = originalName;
  }

  override _parseSharedStrings(entry: Readable): AsyncIterable<unknown> {
    const limited = limitedEntry(entry, XLSX_LIMITS.sharedStringsBytes, this.originalName);
    limited.setEncoding('utf8');
    return super._parseSharedStrings(limited);
  }

  override _parseWorksheet(iterator: AsyncIterable<Buffer | string>, sheetNo: string): Iterable<unknown> {
    return super._parseWorksheet(decodeAcrossChunks(countedChunks(iterator, XLSX_LIMITS.worksheetBytes, this.originalName)), sheetNo);
  }
}

async function* decodeAcrossChunks(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8');
  for await (const chunk of chunks) {
    const text = typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    if (text !== '') yield text;
  }
  const rest = decoder.decode();
  if (rest !== '') yield rest;
}

/**
 * The stream the reader parses. exceljs pipes it into its zip parser and, when a worksheet comes
 * before the shared strings (as Excel writes it), parks the sheet in a temp file and waits for that
 * file without listening to the zip parser: a damaged deflate stream then leaves it waiting
 * forever. This stream notices whatever it is piped into failing, or failing itself, and rejects
 * `failed`, which readXlsxRows races against every step.
 */
export class WatchedSource extends PassThrough {
  readonly failed: Promise<never>;
  private fail: (error: unknown) => void = () => undefined;

  constructor() {
    super();
    this.failed = new Promise<never>((_, reject) => {
      this.fail = reject;
    });
    this.failed.catch(() => undefined);
    this.on('error', (error) => this.fail(error));
  }

  override pipe<T extends NodeJS.WritableStream>(destination: T, options?: { end?: boolean }): T {
    destination.on('error', (error: unknown) => this.fail(error));
    return super.pipe(destination, options);
  }
}

/** Iterates until done or until `failed` rejects, whichever comes first. */
export async function* untilFailed<T>(iterable: AsyncIterable<T>, failed: Promise<never>): AsyncGenerator<T> {
  const iterator = iterable[Symbol.asyncIterator]();
  let isSettled = false;
  try {
    for (;;) {
      const next = iterator.next();
      // The step that loses the race may still reject later; that is not an unhandled rejection.
      next.catch(() => undefined);
      const step = await Promise.race([next, failed]);
      if (step.done) {
        isSettled = true;
        return;
      }
      yield step.value;
    }
  } finally {
    // A caller stopping early unwinds the reader; after a failure the reader may never answer.
    if (!isSettled) iterator.return?.(undefined)?.catch(() => undefined);
  }
}

import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import type { CellValue } from 'exceljs';
import { isDomainError } from '../errors.ts';
import { cellText } from './cell-text.ts';
import type { SheetRow } from './csv-rows.ts';
import { notAWorkbook } from './file-kind.ts';
import { sheetFileError } from './sheet-file-error.ts';
import { WatchedSource, WholeCharacterWorkbookReader, untilFailed } from './xlsx-workbook-reader.ts';
import { assertZipWithinLimits } from './zip-limits.ts';

/**
 * Streams the rows of the first worksheet with exceljs's streaming reader (see
 * xlsx-workbook-reader.ts for the one correction it needs): the zip is read as it
 * arrives and rows come out in small batches, so a long register never sits in memory whole.
 * Shared strings are cached (the sheet refers to them by index); styles and hyperlink targets are
 * not needed and not read. Rows absent from the sheet (never typed in) are not yielded; the row
 * number is the sheet's own.
 */
export async function* readXlsxRows(path: string, originalName: string): AsyncGenerator<SheetRow> {
  await assertZipWithinLimits(path, originalName);
  const file = createReadStream(path);
  const source = new WatchedSource();
  pipeline(file, source, () => undefined);
  const workbook = new WholeCharacterWorkbookReader(source, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    entries: 'ignore',
  }, originalName);
  let hasWorksheet = false;
  try {
    for await (const worksheet of untilFailed(workbook, source.failed)) {
      hasWorksheet = true;
      for await (const sheetRow of untilFailed(worksheet, source.failed)) {
        const values = sheetRow.values as CellValue[];
        // values[0] is always empty: exceljs numbers columns from 1.
        yield { row: sheetRow.number, cells: Array.from(values.slice(1), (value) => cellText(value).trim()) };
      }
      break;
    }
  } catch (error) {
    if (isDomainError(error) || isSystemError(error)) throw error;
    throw sheetFileError(
      `无法读取 Excel 工作簿“${originalName}”，文件可能已损坏`,
      `The Excel workbook "${originalName}" could not be read; the file may be damaged`,
    );
  } finally {
    // Only the first worksheet is read: stop the zip reader instead of draining the rest.
    file.destroy();
    source.destroy();
  }
  if (!hasWorksheet) throw notAWorkbook(originalName);
}

const isSystemError = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && typeof (error as { syscall?: unknown }).syscall === 'string';

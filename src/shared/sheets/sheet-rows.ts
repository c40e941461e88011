import { readCsvRows, type SheetRow } from './csv-rows.ts';
import { emptyFile, sniffSheetFile } from './file-kind.ts';
import { fieldsOf, resolveHeader, type SheetColumn } from './columns.ts';
import { readXlsxRows } from './xlsx-rows.ts';

import { DomainError } from '../errors.ts';
import { bilingual } from '../i18n.ts';

export type { SheetRow } from './csv-rows.ts';

let importMaxRows = 50_000;
/** The most data rows any uploaded sheet may have (IMPORT_MAX_ROWS; set once at start, createApp). */
export function setImportMaxRows(rows: number): void {
  importMaxRows = rows;
}

/** One data row of an uploaded sheet: its 1-based row (the header is 1) and its fields by key. */
export interface SheetRecord<K extends string> {
  row: number;
  fields: Record<K, string>;
}

/**
 * Reads an uploaded sheet (CSV or XLSX) one data row at a time, straight from the file on disk: a
 * long file is never held in memory whole. The kind of file and the CSV encoding (UTF-8 with or
 * without BOM, or GBK as Excel on Chinese Windows saves it) are told from the bytes. The first
 * non-empty row is the header, matched against `columns`; fully empty rows are skipped (their row
 * numbers still count). Problems with the file as a whole throw 400 VALIDATION_FAILED on `file`;
 * problems with a row's values are the caller's.
 */
export async function* readSheetRecords<K extends string>(
  source: { path: string; originalName: string },
  columns: readonly SheetColumn<K>[],
): AsyncGenerator<SheetRecord<K>> {
  const fileKind = await sniffSheetFile(source.path, source.originalName);
  const open = () => (fileKind.kind === 'xlsx' ? readXlsxRows(source.path, source.originalName) : readCsvRows(source.path, fileKind.encoding));
  // A sheet over the row limit is refused before its first row is handed on (nothing written): the
  // rows are counted in a first pass, which stops at the first row past the limit.
  await assertWithinRowLimit(open());
  const rows = open();
  let indexes: Partial<Record<K, number>> | undefined;
  for await (const sheetRow of nonEmptyRows(rows)) {
    if (indexes === undefined) {
      indexes = resolveHeader(columns, sheetRow.cells);
      continue;
    }
    yield { row: sheetRow.row, fields: fieldsOf(columns, sheetRow.cells, indexes) };
  }
  // Only blank lines or empty cells: as good as an empty file. A header alone is a valid, empty sheet.
  if (indexes === undefined) throw emptyFile(source.originalName);
}

async function assertWithinRowLimit(rows: AsyncGenerator<SheetRow>): Promise<void> {
  let count = -1; // the header is not a data row
  // Leaving the loop closes the reader (its files and streams) before the refusal is answered.
  for await (const row of nonEmptyRows(rows)) {
    count += row ? 1 : 0;
    if (count > importMaxRows) {
      throw new DomainError('PAYLOAD_TOO_LARGE', [{ path: 'file', message: bilingual(`文件超过 ${importMaxRows} 行的上限，请拆分成多个文件上传`, `the file has more than ${importMaxRows} data rows; split it`) }]);
    }
  }
}

async function* nonEmptyRows(rows: AsyncGenerator<SheetRow>): AsyncGenerator<SheetRow> {
  for await (const sheetRow of rows) {
    if (sheetRow.cells.some((cell) => cell !== '')) yield sheetRow;
  }
}

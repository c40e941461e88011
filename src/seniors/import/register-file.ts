import { readCsvRows, type SheetRow } from './csv-rows.ts';
import { emptyFile, sniffRegisterFile } from './file-kind.ts';
import { fieldsOf, resolveHeader, type ColumnIndexes, type RegisterFields } from './register-columns.ts';
import { readXlsxRows } from './xlsx-rows.ts';

export type { RegisterFields } from './register-columns.ts';
export { parseRegisterFields, type ParsedRegisterRow, type RegisterFieldsResult } from './register-fields.ts';

export interface RegisterRow {
  /** 1-based row of the sheet: the header is 1, the first data row 2. */
  row: number;
  fields: RegisterFields;
}

/**
 * Reads a community register (台账) uploaded as CSV or XLSX, one data row at a time, straight from
 * the file on disk: a 10,000-row register is never held in memory whole. The kind of file and the
 * CSV encoding (UTF-8 with or without BOM, or GBK as Excel on Chinese Windows saves it) are told
 * from the bytes. The first non-empty row is the header; fully empty rows are skipped (their row
 * numbers still count). Problems with the file as a whole throw 400 VALIDATION_FAILED on `file`;
 * problems with a row's values are left to parseRegisterFields and the enrolment rules.
 */
export async function* readRegisterRows(source: { path: string; originalName: string }): AsyncGenerator<RegisterRow> {
  const fileKind = await sniffRegisterFile(source.path, source.originalName);
  const rows = fileKind.kind === 'xlsx' ? readXlsxRows(source.path, source.originalName) : readCsvRows(source.path, fileKind.encoding);
  let columns: ColumnIndexes | undefined;
  for await (const sheetRow of nonEmptyRows(rows)) {
    if (columns === undefined) {
      columns = resolveHeader(sheetRow.cells);
      continue;
    }
    yield { row: sheetRow.row, fields: fieldsOf(sheetRow.cells, columns) };
  }
  // Only blank lines or empty cells: as good as an empty file. A header alone is a valid, empty register.
  if (columns === undefined) throw emptyFile(source.originalName);
}

async function* nonEmptyRows(rows: AsyncGenerator<SheetRow>): AsyncGenerator<SheetRow> {
  for await (const sheetRow of rows) {
    if (sheetRow.cells.some((cell) => cell !== '')) yield sheetRow;
  }
}

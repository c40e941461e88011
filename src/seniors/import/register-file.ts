import { readSheetRecords } from '../../shared/sheets/sheet-rows.ts';
import { REGISTER_COLUMNS, type RegisterFields } from './register-columns.ts';

export type { RegisterFields } from './register-columns.ts';
export { parseRegisterFields, type ParsedRegisterRow, type RegisterFieldsResult } from './register-fields.ts';

export interface RegisterRow {
  /** 1-based row of the sheet: the header is 1, the first data row 2. */
  row: number;
  fields: RegisterFields;
}

/**
 * Reads a community register (台账) uploaded as CSV or XLSX, one data row at a time (shared/sheets:
 * the file's kind and encoding from its bytes, the header matched against REGISTER_COLUMNS).
 * Problems with a row's values are left to parseRegisterFields and the enrolment rules.
 */
export function readRegisterRows(source: { path: string; originalName: string }): AsyncGenerator<RegisterRow> {
  return readSheetRecords(source, REGISTER_COLUMNS);
}

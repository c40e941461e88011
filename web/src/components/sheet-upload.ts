// The answer of a sheet upload (the community register, a provider's visit records, a feed of life events) as the shared
// upload page shows it: every row's result with its reasons already in words, whatever the API's
// own shape. Each page maps its API's answer into this.

export type SheetRowStatus = 'created' | 'duplicate' | 'problem';

/** One reason a row was not taken: the column's Chinese heading (null when the key is no column) and the server's message. */
export interface SheetRowReason { column: string | null; message: string }

export interface SheetRowResult {
  row: number;
  status: SheetRowStatus;
  /** The record the row made, or made before (a duplicate). */
  link: { to: string; id: string } | null;
  reasons: SheetRowReason[];
  /** The row's own result where the upload tells kinds of problem apart (非登记老人, 存疑); else its status's. */
  label?: string;
}

/** One count above the table, where an upload has more kinds of result than the three statuses. */
export interface SheetTally { label: string; count: number; tone: 'success' | 'warning' | 'danger' }

export interface SheetUploadResult {
  created: number; duplicates: number; problems: number; rows: SheetRowResult[];
  /** The counts to show instead of the three statuses' (countLabels). */
  tallies?: SheetTally[];
}

export const rowLabel = (row: SheetRowResult, statusLabels: Record<SheetRowStatus, string>): string => row.label ?? statusLabels[row.status];

/**
 * The Chinese heading of a column the API names by its key (the import's own column list, bundled
 * from the service, plus keys that are not columns of the sheet); null for a key it does not know,
 * whose message then stands alone rather than showing the key.
 */
export function columnHeadings(columns: readonly { key: string; zh: string }[], extra: Record<string, string> = {}): (key: string) => string | null {
  const headings = new Map<string, string>([...columns.map((column) => [column.key, column.zh] as const), ...Object.entries(extra)]);
  return (key) => headings.get(key) ?? null;
}

export const reasonText = (reason: SheetRowReason): string => (reason.column ? `${reason.column}：${reason.message}` : reason.message);

/** The rows with reasons, one line per reason, for the person to fix in their file. */
export function errorReportLines(result: SheetUploadResult, statusLabels: Record<SheetRowStatus, string>): (string | number)[][] {
  const lines: (string | number)[][] = [['行号', '结果', '字段', '原因']];
  for (const row of result.rows) {
    for (const reason of row.reasons) lines.push([row.row, rowLabel(row, statusLabels), reason.column ?? '', reason.message]);
  }
  return lines;
}

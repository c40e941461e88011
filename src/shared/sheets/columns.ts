import { sheetFileError } from './sheet-file-error.ts';

/** A column an import reads: its API key, its Chinese heading, and whether the header must have it. */
export interface SheetColumn<K extends string> {
  key: K;
  zh: string;
  isRequired: boolean;
}

// Paper registers often space out two-character headings ("姓  名", also with U+3000), so all
// whitespace is dropped before matching; English names match case-insensitively.
const normaliseHeading = (heading: string): string => heading.replace(/\s+/g, '').toLowerCase();

/**
 * Reads the header row into column positions: a Chinese heading or the API key. Throws when no
 * cell is a known heading (the first row is data, or a title), when a required column is missing,
 * or when a column appears twice. Unknown headings are ignored (a provider's export has more).
 */
export function resolveHeader<K extends string>(columns: readonly SheetColumn<K>[], cells: readonly string[]): Partial<Record<K, number>> {
  const byHeading = new Map<string, SheetColumn<K>>(columns.flatMap((column) => [[normaliseHeading(column.zh), column], [normaliseHeading(column.key), column]] as const));
  const indexes: Partial<Record<K, number>> = {};
  cells.forEach((cell, index) => {
    const column = byHeading.get(normaliseHeading(cell));
    if (!column) return;
    if (indexes[column.key] !== undefined) {
      throw sheetFileError(`表头中“${column.zh}”（${column.key}）列出现了两次`, `The column ${column.key} (${column.zh}) appears twice in the header row`);
    }
    indexes[column.key] = index;
  });
  if (Object.keys(indexes).length === 0) {
    throw sheetFileError(
      `第一行应为表头（${columns.map((column) => column.zh).join('、')}），未找到任何可识别的列名`,
      `The first row must be the header row (${columns.map((column) => column.key).join(', ')}); no known column name was found`,
    );
  }
  const missing = columns.filter((column) => column.isRequired && indexes[column.key] === undefined);
  if (missing.length > 0) {
    throw sheetFileError(
      `缺少必需的列：${missing.map((column) => column.zh).join('、')}`,
      `Missing required columns: ${missing.map((column) => `${column.key} (${column.zh})`).join(', ')}`,
    );
  }
  return indexes;
}

/** One data row's fields by the header's positions; columns absent from the header and cells beyond the row's end are ''. */
export function fieldsOf<K extends string>(columns: readonly SheetColumn<K>[], cells: readonly string[], indexes: Partial<Record<K, number>>): Record<K, string> {
  const fields = {} as Record<K, string>;
  for (const { key } of columns) {
    const index = indexes[key];
    fields[key] = index === undefined ? '' : (cells[index] ?? '');
  }
  return fields;
}

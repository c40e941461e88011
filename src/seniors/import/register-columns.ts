import { DomainError } from '../../shared/errors.ts';

/**
 * The columns of a community register (台账) as API.md lists them: a Chinese heading or the API
 * field name. Values stay raw strings here; mapping to the enrolment shape is register-fields.ts.
 */
export interface RegisterFields {
  name: string;
  idNumber: string;
  phone: string;
  address: string;
  communityCode: string;
  categories: string;
  careLevel: string;
  livingArrangement: string;
  emergencyContactName: string;
  emergencyContactPhone: string;
}

export type RegisterColumn = keyof RegisterFields;

export const REGISTER_COLUMNS: readonly { key: RegisterColumn; zh: string; isRequired: boolean }[] = [
  { key: 'name', zh: '姓名', isRequired: true },
  { key: 'idNumber', zh: '身份证号', isRequired: true },
  { key: 'phone', zh: '联系电话', isRequired: true },
  { key: 'address', zh: '住址', isRequired: true },
  { key: 'communityCode', zh: '社区编码', isRequired: true },
  { key: 'categories', zh: '类别', isRequired: true },
  { key: 'careLevel', zh: '照护等级', isRequired: true },
  { key: 'livingArrangement', zh: '居住情况', isRequired: true },
  { key: 'emergencyContactName', zh: '紧急联系人', isRequired: false },
  { key: 'emergencyContactPhone', zh: '紧急联系电话', isRequired: false },
];

/** A problem with the file as a whole (not one row): 400 naming `file`. */
export function registerFileError(zh: string, en: string): DomainError {
  return new DomainError('VALIDATION_FAILED', [{ path: 'file', message: en }], { zh, en });
}

// Paper registers often space out two-character headings ("姓  名", also with U+3000), so all
// whitespace is dropped before matching; English names match case-insensitively.
const normaliseHeading = (heading: string): string => heading.replace(/\s+/g, '').toLowerCase();

const COLUMN_BY_HEADING = new Map<string, RegisterColumn>(
  REGISTER_COLUMNS.flatMap((column) => [[normaliseHeading(column.zh), column.key], [normaliseHeading(column.key), column.key]] as const),
);

export type ColumnIndexes = Partial<Record<RegisterColumn, number>>;

/**
 * Reads the header row into column positions. Throws when no cell is a known heading (the first
 * row is data, or a title), when a required column is missing, or when a column appears twice.
 */
export function resolveHeader(cells: readonly string[]): ColumnIndexes {
  const indexes: ColumnIndexes = {};
  cells.forEach((cell, index) => {
    const key = COLUMN_BY_HEADING.get(normaliseHeading(cell));
    if (!key) return;
    if (indexes[key] !== undefined) {
      const column = REGISTER_COLUMNS.find((candidate) => candidate.key === key);
      throw registerFileError(`表头中“${column?.zh}”（${key}）列出现了两次`, `The column ${key} (${column?.zh}) appears twice in the header row`);
    }
    indexes[key] = index;
  });
  if (Object.keys(indexes).length === 0) {
    throw registerFileError(
      `第一行应为表头（${REGISTER_COLUMNS.map((column) => column.zh).join('、')}），未找到任何可识别的列名`,
      `The first row must be the header row (${REGISTER_COLUMNS.map((column) => column.key).join(', ')}); no known column name was found`,
    );
  }
  const missing = REGISTER_COLUMNS.filter((column) => column.isRequired && indexes[column.key] === undefined);
  if (missing.length > 0) {
    throw registerFileError(
      `缺少必需的列：${missing.map((column) => column.zh).join('、')}`,
      `Missing required columns: ${missing.map((column) => `${column.key} (${column.zh})`).join(', ')}`,
    );
  }
  return indexes;
}

/** One data row's fields by the header's positions; cells beyond the row's end are ''. */
export function fieldsOf(cells: readonly string[], indexes: ColumnIndexes): RegisterFields {
  const at = (key: RegisterColumn): string => {
    const index = indexes[key];
    return index === undefined ? '' : (cells[index] ?? '');
  };
  return {
    name: at('name'),
    idNumber: at('idNumber'),
    phone: at('phone'),
    address: at('address'),
    communityCode: at('communityCode'),
    categories: at('categories'),
    careLevel: at('careLevel'),
    livingArrangement: at('livingArrangement'),
    emergencyContactName: at('emergencyContactName'),
    emergencyContactPhone: at('emergencyContactPhone'),
  };
}

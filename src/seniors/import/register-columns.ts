import type { SheetColumn } from '../../shared/sheets/columns.ts';

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

export const REGISTER_COLUMNS: readonly SheetColumn<RegisterColumn>[] = [
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

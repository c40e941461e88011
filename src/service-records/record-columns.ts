import type { SheetColumn } from '../shared/sheets/columns.ts';

/** The columns of a provider's visit records (API.md, "Visit-record columns"): a Chinese heading or the key. */
export const RECORD_COLUMNS = [
  { key: 'seniorIdNumber', zh: '老人身份证号', isRequired: true },
  { key: 'serviceTypeCode', zh: '服务项目', isRequired: true },
  { key: 'quantity', zh: '数量', isRequired: true },
  { key: 'caregiverPhone', zh: '护理员手机号', isRequired: true },
  { key: 'checkInAt', zh: '签到时间', isRequired: true },
  { key: 'checkInLng', zh: '签到经度', isRequired: true },
  { key: 'checkInLat', zh: '签到纬度', isRequired: true },
  { key: 'checkOutAt', zh: '签退时间', isRequired: true },
  { key: 'checkOutLng', zh: '签退经度', isRequired: true },
  { key: 'checkOutLat', zh: '签退纬度', isRequired: true },
  { key: 'coordSystem', zh: '坐标系', isRequired: false },
  { key: 'externalId', zh: '外部记录号', isRequired: true },
  // The senior's personal confirmation PIN, when the provider's own app asked for it at the door
  // (as the caregiver's phone does at check-out): the visit is then confirmed on upload.
  { key: 'seniorPin', zh: '老人确认码', isRequired: false },
] as const satisfies readonly SheetColumn<string>[];

export type RecordColumn = (typeof RECORD_COLUMNS)[number]['key'];
export type RecordFields = Record<RecordColumn, string>;

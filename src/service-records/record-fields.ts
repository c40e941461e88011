import { parseResidentId } from '../seniors/index.ts';
import type { CoordSystem } from '../shared/geo.ts';
import { businessInstant } from '../shared/time.ts';
import type { RecordColumn, RecordFields } from './record-columns.ts';

/** A problem with one cell of a row, in both languages (the caller answers in the request's). */
export interface CellError { column: RecordColumn; message: { zh: string; en: string } }

/** A row's values as types; the catalogue, senior, caregiver and contract are checked after (record-import.service.ts). */
export interface ParsedRecord {
  idNumber: string;
  /** A code or the service's Chinese name, as typed. */
  service: string;
  quantity: number;
  caregiverPhone: string;
  checkInAt: Date;
  checkIn: { lng: number; lat: number };
  checkOutAt: Date;
  checkOut: { lng: number; lat: number };
  coordSystem: CoordSystem;
  externalId: string;
  seniorPin: string | null;
}

/** A visit longer than this is a typing mistake (a wrong day), not a visit. */
const MAX_VISIT_HOURS = 12;

const err = (column: RecordColumn, zh: string, en: string): CellError => ({ column, message: { zh, en } });

/**
 * Checks a row's cells and converts them; every problem of the row at once (a provider fixing a
 * file wants them all), each naming its column.
 */
export function parseRecordFields(fields: RecordFields, timeZone: string): { ok: true; value: ParsedRecord } | { ok: false; errors: CellError[] } {
  const errors: CellError[] = [];
  const idNumber = fields.seniorIdNumber.replace(/\s+/g, '').toUpperCase();
  if (idNumber === '') errors.push(err('seniorIdNumber', '请填写老人身份证号', 'the senior\'s ID number is required'));
  else if (!parseResidentId(idNumber).ok) errors.push(err('seniorIdNumber', '老人身份证号格式不正确（18 位，最后一位可为 X）', 'not a valid 18-character resident ID number'));

  const service = fields.serviceTypeCode.trim();
  if (service === '') errors.push(err('serviceTypeCode', '请填写服务项目（编码或名称）', 'the service (code or name) is required'));

  const quantity = Number(fields.quantity.trim());
  if (!/^\d+$/.test(fields.quantity.trim()) || quantity < 1 || quantity > 20) errors.push(err('quantity', '数量应为 1 到 20 的整数', 'quantity must be a whole number from 1 to 20'));

  const caregiverPhone = fields.caregiverPhone.replace(/[\s-]/g, '').replace(/^(\+?86)(?=1\d{10}$)/, '');
  if (!/^1\d{10}$/.test(caregiverPhone)) errors.push(err('caregiverPhone', '护理员手机号应为 11 位手机号码', 'the caregiver\'s phone must be an 11-digit mobile number'));

  const checkInAt = instantOf(fields.checkInAt, 'checkInAt', '签到时间', timeZone, errors);
  const checkOutAt = instantOf(fields.checkOutAt, 'checkOutAt', '签退时间', timeZone, errors);
  if (checkInAt && checkOutAt) {
    if (checkOutAt.getTime() <= checkInAt.getTime()) errors.push(err('checkOutAt', '签退时间应晚于签到时间', 'the check-out must be after the check-in'));
    else if (checkOutAt.getTime() - checkInAt.getTime() > MAX_VISIT_HOURS * 3_600_000) errors.push(err('checkOutAt', `签到到签退超过 ${MAX_VISIT_HOURS} 小时，请核对日期`, `more than ${MAX_VISIT_HOURS} hours between check-in and check-out`));
  }
  const checkIn = pointOf(fields.checkInLng, fields.checkInLat, ['checkInLng', 'checkInLat'], '签到', errors);
  const checkOut = pointOf(fields.checkOutLng, fields.checkOutLat, ['checkOutLng', 'checkOutLat'], '签退', errors);

  const coordSystem = coordSystemOf(fields.coordSystem);
  if (!coordSystem) errors.push(err('coordSystem', '坐标系应为 WGS84（GPS）或 GCJ02（高德、腾讯地图），不填为 WGS84', 'coordSystem must be wgs84 or gcj02 (empty: wgs84)'));

  const externalId = fields.externalId.trim();
  if (externalId === '') errors.push(err('externalId', '请填写外部记录号（贵单位系统中的记录编号）', 'externalId is required'));
  else if (externalId.length > 64 || !/^[\p{L}\p{N}_\-.:/#]+$/u.test(externalId)) errors.push(err('externalId', '外部记录号最长 64 个字符，只能含字母、数字和 _ - . : / #', 'externalId: at most 64 letters, digits and _ - . : / #'));

  const pin = fields.seniorPin.trim();
  if (pin !== '' && !/^\d{6}$/.test(pin)) errors.push(err('seniorPin', '老人确认码应为 6 位数字', 'the senior\'s PIN has 6 digits'));

  if (errors.length > 0 || !checkInAt || !checkOutAt || !checkIn || !checkOut || !coordSystem) return { ok: false, errors };
  return { ok: true, value: { idNumber, service, quantity, caregiverPhone, checkInAt, checkIn, checkOutAt, checkOut, coordSystem, externalId, seniorPin: pin === '' ? null : pin } };
}

// ISO 8601 with a zone ('2026-11-03T09:05:00+08:00', 'Z'), or a wall-clock reading in the business
// zone as people and spreadsheets write it: '2026-11-03 09:05', '2026/11/3 9:05:30', 'T' between.
const ZONED = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/;
/** The serial of 1970-01-01 in Excel's 1900 date system. */
const EXCEL_EPOCH_SERIAL = 25_569;
const LOCAL = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$/;

function instantOf(raw: string, column: RecordColumn, zh: string, timeZone: string, errors: CellError[]): Date | null {
  const text = raw.trim();
  const bad = () => {
    errors.push(err(column, `${zh}应写作 2026-11-03 09:05（北京时间）或带时区的 ISO 8601 时间`, `${column}: expected 'YYYY-MM-DD HH:mm' (Asia/Shanghai) or ISO 8601 with a zone`));
    return null;
  };
  if (text === '') {
    errors.push(err(column, `请填写${zh}`, `${column} is required`));
    return null;
  }
  // A date-time cell of a workbook read without its styles comes as Excel's serial number: days since
  // 1899-12-30, the fraction the time of day, as a wall-clock reading (no zone).
  if (/^\d{5}(\.\d+)?$/.test(text)) {
    const reading = new Date(Math.round((Number(text) - EXCEL_EPOCH_SERIAL) * 86_400) * 1000).toISOString();
    return businessInstant(reading.slice(0, 10), reading.slice(11, 19), timeZone);
  }
  if (ZONED.test(text)) {
    const instant = new Date(text);
    return Number.isNaN(instant.getTime()) ? bad() : instant;
  }
  const match = LOCAL.exec(text);
  if (!match) return bad();
  const [, year, month, day, hour, minute, second] = match as unknown as [string, string, string, string, string, string, string | undefined];
  const [m, d, h, min, s] = [Number(month), Number(day), Number(hour), Number(minute), Number(second ?? 0)];
  const probe = new Date(Date.UTC(Number(year), m - 1, d));
  if (probe.getUTCMonth() !== m - 1 || probe.getUTCDate() !== d || h > 23 || min > 59 || s > 59) return bad();
  const pad = (n: number) => String(n).padStart(2, '0');
  return businessInstant(`${year}-${pad(m)}-${pad(d)}`, `${pad(h)}:${pad(min)}:${pad(s)}`, timeZone);
}

function pointOf(rawLng: string, rawLat: string, columns: [RecordColumn, RecordColumn], zh: string, errors: CellError[]): { lng: number; lat: number } | null {
  const number = (raw: string) => (/^-?\d+(\.\d+)?$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN);
  const [lng, lat] = [number(rawLng), number(rawLat)];
  let ok = true;
  if (!(lng >= -180 && lng <= 180)) {
    errors.push(err(columns[0], `${zh}经度应为 -180 到 180 之间的数字`, `${columns[0]} must be a number from -180 to 180`));
    ok = false;
  }
  if (!(lat >= -90 && lat <= 90)) {
    errors.push(err(columns[1], `${zh}纬度应为 -90 到 90 之间的数字`, `${columns[1]} must be a number from -90 to 90`));
    ok = false;
  }
  return ok ? { lng, lat } : null;
}

function coordSystemOf(raw: string): CoordSystem | null {
  const text = raw.trim().toLowerCase().replace(/[\s_-]/g, '');
  if (text === '' || text === 'wgs84' || text === 'gps') return 'wgs84';
  if (text === 'gcj02' || text === '火星坐标' || text === '国测局坐标') return 'gcj02';
  return null;
}

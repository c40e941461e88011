import { parseResidentId } from '../seniors/index.ts';
import type { SheetColumn } from '../shared/sheets/columns.ts';
import type { LifeEvent } from './life-event.model.ts';

/** The columns of a life-event feed (API.md, second round): a Chinese heading or the key. */
export const LIFE_EVENT_COLUMNS = [
  { key: 'idNumber', zh: '身份证号', isRequired: true },
  { key: 'event', zh: '事件', isRequired: true },
  { key: 'date', zh: '日期', isRequired: true },
] as const satisfies readonly SheetColumn<string>[];

export type LifeEventColumn = (typeof LIFE_EVENT_COLUMNS)[number]['key'];
export type LifeEventFields = Record<LifeEventColumn, string>;

/** A problem with one cell, in both languages (the caller answers in the request's). */
export interface CellError { column: LifeEventColumn; message: { zh: string; en: string } }

export interface ParsedLifeEvent {
  idNumber: string;
  event: LifeEvent;
  date: string;
}

// The codes, and the words the feeds use for them (civil affairs writes 死亡; medical insurance
// 入院 or 住院, 出院; the household register 迁出 or 户籍迁出).
const EVENT_WORDS: Record<string, LifeEvent> = {
  death: 'death', 死亡: 'death', 去世: 'death', 亡故: 'death',
  hospital_admission: 'hospital_admission', 住院: 'hospital_admission', 入院: 'hospital_admission',
  hospital_discharge: 'hospital_discharge', 出院: 'hospital_discharge',
  moved_out: 'moved_out', 迁出: 'moved_out', 户籍迁出: 'moved_out',
};

/** The serial of 1970-01-01 in Excel's 1900 date system (a date cell read without its style). */
const EXCEL_EPOCH_SERIAL = 25_569;
const err = (column: LifeEventColumn, zh: string, en: string): CellError => ({ column, message: { zh, en } });

/**
 * Checks a row's cells and converts them; every problem of the row at once, each naming its
 * column. `today` (YYYY-MM-DD, Asia/Shanghai): an event cannot have happened after it.
 */
export function parseLifeEventFields(fields: LifeEventFields, today: string): { ok: true; value: ParsedLifeEvent } | { ok: false; errors: CellError[] } {
  const errors: CellError[] = [];
  const idNumber = fields.idNumber.replace(/\s+/g, '').toUpperCase();
  if (idNumber === '') errors.push(err('idNumber', '请填写身份证号', 'the ID number is required'));
  else if (!parseResidentId(idNumber).ok) errors.push(err('idNumber', '身份证号格式不正确（18 位，最后一位可为 X）', 'not a valid 18-character resident ID number'));

  const word = fields.event.trim();
  const event = EVENT_WORDS[word] ?? EVENT_WORDS[word.toLowerCase()];
  if (word === '') errors.push(err('event', '请填写事件（死亡、住院、出院或迁出）', 'the event is required'));
  else if (!event) errors.push(err('event', `无法识别的事件“${word.slice(0, 20)}”：应为死亡、住院（入院）、出院或迁出`, 'the event must be death, hospital_admission, hospital_discharge or moved_out'));

  const date = dayOf(fields.date);
  if (fields.date.trim() === '') errors.push(err('date', '请填写日期', 'the date is required'));
  else if (!date) errors.push(err('date', '日期应写作 2026-10-15 或 2026/10/15', 'the date must be YYYY-MM-DD or YYYY/M/D'));
  else if (date > today) errors.push(err('date', `日期 ${date} 晚于今天，事件不能发生在未来`, 'the date is in the future'));
  else if (date < '1900-01-01') errors.push(err('date', `日期 ${date} 过早，请核对`, 'the date is implausibly early'));

  if (errors.length > 0 || !event || !date) return { ok: false, errors };
  return { ok: true, value: { idNumber, event, date } };
}

/**
 * A day as feeds write it: 2026-10-15, 2026/10/15, 2026/1/5, 2026.10.15, the day of a date-time
 * cell (exceljs hands a date cell over as '2026-10-15' or with a time of day, shared/sheets/cell-text.ts),
 * or Excel's day serial. Null when it is none of those or no such day exists.
 */
function dayOf(raw: string): string | null {
  const text = raw.trim();
  if (/^\d{5}$/.test(text)) return new Date((Number(text) - EXCEL_EPOCH_SERIAL) * 86_400_000).toISOString().slice(0, 10);
  const match = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$/.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  return probe.toISOString().slice(0, 10);
}

import type { SeniorRegisterFacts } from '../seniors/index.ts';
import { startOfBusinessDay } from '../shared/time.ts';
import { LIFE_EVENT_ZH, type LifeEvent } from './life-event.model.ts';

/*
 * When a reported event is AMBIGUOUS (issue 19: matched, but a person must look before anything is
 * proposed). Pure: the caller gives what is known of the senior — the register, and the events of
 * the senior already proposed and not rejected (pending, being confirmed or confirmed), in earlier
 * uploads or earlier rows of this file. A row is ambiguous when
 *  1. the register already has the senior deactivated and the row says otherwise: a death or a
 *     move with another day or cause, or any event after the deactivation's day (the same death or
 *     move on the same day is already recorded: `recorded`, nothing to propose);
 *  2. another death or move of the senior is known (two different days of death, a death and a
 *     move), or the row comes after a known death or move;
 *  3. the row is a death or move before another known event of the senior (a stay after it);
 *  4. a discharge with no known admission on or before it, or for a stay that already has another
 *     discharge; an admission inside a known stay (between another admission and its discharge);
 *  5. an admission of a senior on the register and active, or a discharge of a suspended one,
 *     dated before the senior's last status change: the suspension or resumption could not be
 *     back-dated there (seniors' lifecycle).
 * A row found in none of these is a proposal; the same row again is a duplicate (its key).
 * Rows of one senior are judged in the order of their days (admission, discharge, move, death
 * within a day), so the order of the rows in the file does not matter.
 */

export interface KnownEvent {
  event: LifeEvent;
  date: string;
}

export type Verdict =
  | { kind: 'proposal' }
  | { kind: 'recorded' }
  | { kind: 'ambiguous'; column: 'event' | 'date'; message: { zh: string; en: string } };

const END_OF_LIFE: readonly LifeEvent[] = ['death', 'moved_out'];
const isEnd = (event: LifeEvent) => END_OF_LIFE.includes(event);
const EVENT_ORDER: Record<LifeEvent, number> = { hospital_admission: 0, hospital_discharge: 1, moved_out: 2, death: 3 };
const DEACTIVATION_EVENT: Record<string, LifeEvent> = { deceased: 'death', moved_out: 'moved_out' };
const DEACTIVATION_ZH: Record<string, string> = { deceased: '去世', moved_out: '迁出', other: '其他原因' };

/** The order rows of one senior are judged in: by day, then admission, discharge, move, death. */
export const byEventDay = (a: KnownEvent, b: KnownEvent) => (a.date < b.date ? -1 : a.date > b.date ? 1 : EVENT_ORDER[a.event] - EVENT_ORDER[b.event]);

const ambiguous = (column: 'event' | 'date', zh: string, en: string): Verdict => ({ kind: 'ambiguous', column, message: { zh, en } });

export function judgeLifeEvent(row: KnownEvent, known: readonly KnownEvent[], senior: SeniorRegisterFacts, timeZone: string): Verdict {
  const label = `${row.date} ${LIFE_EVENT_ZH[row.event]}`;
  const off = senior.status === 'deactivated' ? senior.deactivation : null;
  if (off) {
    const offZh = `老人已于 ${off.effectiveDate} 注销（${DEACTIVATION_ZH[off.reason] ?? off.reason}）`;
    if (isEnd(row.event) && DEACTIVATION_EVENT[off.reason] === row.event && off.effectiveDate === row.date) return { kind: 'recorded' };
    if (isEnd(row.event)) return ambiguous('event', `${offZh}，与“${label}”不一致，请人工核实`, 'the register has the senior deactivated otherwise');
    if (row.date > off.effectiveDate) return ambiguous('date', `${offZh}，其后不应再有“${label}”，请人工核实`, 'after the senior\'s deactivation');
  }
  const end = known.find((other) => isEnd(other.event));
  if (end && isEnd(row.event)) return ambiguous('event', `该老人已有“${end.date} ${LIFE_EVENT_ZH[end.event]}”的信息，与“${label}”不一致，请人工核实`, 'another death or move of the senior is known');
  if (end && row.date > end.date) return ambiguous('date', `该老人已有“${end.date} ${LIFE_EVENT_ZH[end.event]}”的信息，其后不应再有“${label}”，请人工核实`, 'after a known death or move');
  const later = isEnd(row.event) ? known.find((other) => other.date > row.date) : undefined;
  if (later) return ambiguous('date', `该老人有更晚的“${later.date} ${LIFE_EVENT_ZH[later.event]}”信息，与“${label}”矛盾，请人工核实`, 'a later event of the senior is known');
  const stay = row.event === 'hospital_discharge' ? stayEndedBy(row.date, known) : row.event === 'hospital_admission' ? stayAround(row.date, known) : null;
  if (stay) return stay;
  return backDatingRefusal(row, senior, timeZone) ?? { kind: 'proposal' };
}

/** A discharge needs the admission of its stay, and a stay has one discharge. */
function stayEndedBy(day: string, known: readonly KnownEvent[]): Verdict | null {
  const admission = known.filter((other) => other.event === 'hospital_admission' && other.date <= day).sort(byEventDay).at(-1);
  if (!admission) return ambiguous('event', `没有 ${day} 或之前的住院（入院）信息，无法确定住院期间，请人工核实`, 'no known admission on or before the discharge');
  const nextAdmission = known.filter((other) => other.event === 'hospital_admission' && other.date > admission.date).sort(byEventDay)[0];
  const other = known.find((event) => event.event === 'hospital_discharge' && event.date >= admission.date && (!nextAdmission || event.date <= nextAdmission.date));
  if (other) return ambiguous('date', `${admission.date} 入院的这次住院已有 ${other.date} 的出院信息，与 ${day} 出院不一致，请人工核实`, 'the stay already has another discharge');
  return null;
}

/** An admission may not fall inside a known stay (a transfer: discharge and admission on one day, is fine). */
function stayAround(day: string, known: readonly KnownEvent[]): Verdict | null {
  for (const admission of known.filter((other) => other.event === 'hospital_admission' && other.date < day)) {
    const discharge = known.filter((other) => other.event === 'hospital_discharge' && other.date >= admission.date).sort(byEventDay)[0];
    if (discharge && day < discharge.date) return ambiguous('date', `与已知的住院期间（${admission.date} 入院，${discharge.date} 出院）重叠，请人工核实`, 'inside a known hospital stay');
  }
  return null;
}

/** The suspension or resumption the row will need, if it cannot be dated that far back. */
function backDatingRefusal(row: KnownEvent, senior: SeniorRegisterFacts, timeZone: string): Verdict | null {
  const needsChange = (row.event === 'hospital_admission' && senior.status === 'active') || (row.event === 'hospital_discharge' && senior.status === 'suspended');
  if (!needsChange || !senior.lastStatusChangeAt) return null;
  if (startOfBusinessDay(row.date, timeZone).getTime() >= senior.lastStatusChangeAt.getTime()) return null;
  return ambiguous('date', `日期早于老人最近一次状态变更，无法按 ${row.date} ${row.event === 'hospital_admission' ? '暂停' : '恢复'}服务，请人工核实`, 'before the senior\'s last status change');
}

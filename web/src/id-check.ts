// The console checks an ID number as the person types with the very rules the service enforces
// (GB 11643 check character, real birth date, 60 or older on the enrolment day): the pure module
// of src/seniors is bundled here, not copied, so the two can never disagree.
import { ageOn, ID_PROBLEM_MESSAGES, parseResidentId } from '../../src/seniors/id-number.ts';
import { todayInShanghai } from './format.ts';

const MINIMUM_AGE = 60;

export type IdCheck =
  | { ok: true; birthDate: string; gender: 'male' | 'female'; age: number }
  | { ok: false; message: string };

export function checkIdNumber(raw: string, today: string = todayInShanghai()): IdCheck {
  const parsed = parseResidentId(raw);
  if (!parsed.ok) return { ok: false, message: ID_PROBLEM_MESSAGES[parsed.problem].zh };
  const age = ageOn(parsed.id.birthDate, today);
  if (age < MINIMUM_AGE) return { ok: false, message: ID_PROBLEM_MESSAGES.under_60.zh };
  return { ok: true, birthDate: parsed.id.birthDate, gender: parsed.id.gender, age };
}

// Same pattern as the service's PHONE_PATTERN (src/shared/pii.ts, which also holds Node-only crypto).
const PHONE = /^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/;

export function phoneProblem(raw: string): string | null {
  if (!raw.trim()) return '请填写联系电话';
  return PHONE.test(raw.trim()) ? null : '电话号码格式不正确（手机11位或带区号的固定电话）';
}

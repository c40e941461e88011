/**
 * Resident identity card numbers (GB 11643-1999): 6-digit region, 8-digit birth date, 3-digit
 * sequence (odd: male, even: female) and an ISO 7064 MOD 11-2 check character (0-9 or X).
 * Pure functions, no I/O: the same rules serve enrolment, import and the demo generator.
 */

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = '10X98765432';

export type IdProblem = 'format' | 'old_format' | 'check_character' | 'birth_date' | 'under_60';

export const ID_PROBLEM_MESSAGES: Record<IdProblem, { zh: string; en: string }> = {
  format: { zh: '身份证号应为18位（前17位为数字，末位为数字或X）', en: 'An ID number has 18 characters: 17 digits and a digit or X' },
  old_format: { zh: '不支持15位旧身份证号，请使用18位身份证号', en: 'Old 15-digit ID numbers are not accepted; use the 18-character number' },
  check_character: { zh: '身份证号校验位不正确', en: 'The check character of the ID number is wrong' },
  birth_date: { zh: '身份证号中的出生日期不存在', en: 'The birth date inside the ID number is not a real date' },
  under_60: { zh: '未满60周岁，不符合登记条件', en: 'Under 60 years old: not eligible' },
};

export interface ResidentId {
  /** Upper case, as stored. */
  idNumber: string;
  birthDate: string;
  gender: 'male' | 'female';
}

/** The check character for the first 17 digits. */
export function idCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * (WEIGHTS[i] as number);
  return CHECK_CHARACTERS[sum % 11] as string;
}

/** Validates format, check character and birth date; age is checked separately (it needs a day). */
export function parseResidentId(raw: string): { ok: true; id: ResidentId } | { ok: false; problem: IdProblem } {
  const value = raw.trim().toUpperCase();
  if (/^\d{15}$/.test(value)) return { ok: false, problem: 'old_format' };
  if (!/^\d{17}[\dX]$/.test(value)) return { ok: false, problem: 'format' };
  if (idCheckCharacter(value.slice(0, 17)) !== value[17]) return { ok: false, problem: 'check_character' };
  const birthDate = `${value.slice(6, 10)}-${value.slice(10, 12)}-${value.slice(12, 14)}`;
  if (!isRealDate(birthDate) || birthDate < '1890-01-01') return { ok: false, problem: 'birth_date' };
  return { ok: true, id: { idNumber: value, birthDate, gender: Number(value[16]) % 2 === 1 ? 'male' : 'female' } };
}

export function isRealDate(day: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return false;
  const [year, month, date] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const probe = new Date(Date.UTC(year, month - 1, date));
  return probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === date;
}

/** Completed years on `day` (both 'YYYY-MM-DD'); someone born on 29 February ages on 1 March. */
export function ageOn(birthDate: string, day: string): number {
  const years = Number(day.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return day.slice(5) >= birthDate.slice(5) ? years : years - 1;
}

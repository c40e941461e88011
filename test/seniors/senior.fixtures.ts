import { idCheckCharacter } from '../../src/seniors/id-number.ts';

let sequence = 0;

/** A valid ID number for the birth day given (default: 1 March 1950), unique within the run. */
export function idNumberBornOn(birthDate = '1950-03-01', gender: 'male' | 'female' = 'female'): string {
  sequence += 1;
  const serial = (sequence * 2 + (gender === 'male' ? 1 : 0)) % 1000;
  const base = `340104${birthDate.replaceAll('-', '')}${String(serial).padStart(3, '0')}`;
  return base + idCheckCharacter(base);
}

export function enrolmentBody(communityId: string, overrides: Record<string, unknown> = {}) {
  return {
    name: '王秀英',
    idNumber: idNumberBornOn(),
    phone: '13912345678',
    address: '合肥市蜀山区桐城路218号3幢201室',
    communityId,
    livingArrangement: 'alone',
    categories: ['living_alone', 'empty_nest'],
    careLevel: 2,
    emergencyContacts: [{ name: '李强', relation: '儿子', phone: '13800001111' }],
    privacyNotice: { version: '2026-01', basis: 'public_duty' },
    ...overrides,
  };
}

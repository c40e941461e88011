import { z } from 'zod';
import { dateTimeOut, nullableDateTimeOut } from '../shared/http/schemas.ts';
import { bilingual } from '../shared/i18n.ts';

/**
 * The legal basis on which a senior's personal data is processed (PIPL art. 13), written down at
 * enrolment with the version of the privacy notice the senior (or guardian) was given (arts. 17,
 * 35): `public_duty` — the district's elderly-care programme acting under its statutory duty
 * (履行法定职责, art. 13(1)(3)), with notice; `consent` — the senior agreed; `guardian_consent` —
 * a guardian agreed for a senior without full capacity.
 */
export const PRIVACY_NOTICE_BASES = ['consent', 'public_duty', 'guardian_consent'] as const;
export type PrivacyNoticeBasis = (typeof PRIVACY_NOTICE_BASES)[number];
export const PRIVACY_NOTICE_BASIS_ZH: Record<PrivacyNoticeBasis, string> = { consent: '本人同意', public_duty: '履行法定职责（已告知）', guardian_consent: '监护人同意' };

/** The notice text's version the console offers; a district that revises its notice sends its own. */
export const CURRENT_PRIVACY_NOTICE_VERSION = '2026-01';

const version = z.string().trim().regex(/^[A-Za-z0-9._-]{1,20}$/, bilingual('告知书版本应为 1-20 位字母、数字或 . _ -', 'the notice version: 1-20 letters, digits, . _ -'));

export const privacyNoticeInput = z.object({
  version,
  basis: z.enum(PRIVACY_NOTICE_BASES),
  givenAt: z.iso.datetime({ offset: true }).optional().openapi({ description: 'when the notice was given (default: now); not in the future' }),
}).strict().openapi({ description: 'the privacy notice given and the legal basis: who was told (the senior or the guardian) what (the version) on which basis' });

/** A register import declares one basis for the whole file (query); rows have no notice time. */
export const importNoticeQuery = {
  noticeBasis: z.enum(PRIVACY_NOTICE_BASES).default('public_duty')
    .openapi({ description: 'the legal basis of every row (default public_duty: a community register is held under the statutory duty of the programme)' }),
  noticeVersion: version.default(CURRENT_PRIVACY_NOTICE_VERSION).openapi({ description: 'the privacy notice version the register\'s seniors were given' }),
};

export const privacyNoticeSchema = z.object({
  version: z.string(),
  basis: z.enum(PRIVACY_NOTICE_BASES),
  givenAt: nullableDateTimeOut.openapi({ description: 'when the notice was given; null for seniors imported from a register' }),
  recordedBy: z.string(),
  recordedAt: dateTimeOut,
  source: z.enum(['enrolment', 'register_import']),
}).nullable().openapi({ description: 'null: not recorded (seniors enrolled before notices were recorded; the console shows 未记录)' });

export type PrivacyNoticeRecord = { version: string; basis: PrivacyNoticeBasis; givenAt: Date | null; recordedBy: string; recordedAt: Date; source: 'enrolment' | 'register_import' };

import { z } from 'zod';
import { pageOf, pageQuery } from '../shared/http/pagination.ts';
import { dateTimeOut, nullableDateTimeOut, objectIdParam } from '../shared/http/schemas.ts';
import { bilingual } from '../shared/i18n.ts';
import { COORD_SYSTEMS } from '../shared/geo.ts';
import { PHONE_PATTERN } from '../shared/pii.ts';
import { importNoticeQuery, privacyNoticeInput, privacyNoticeSchema } from './privacy-notice.ts';
import { CATEGORIES, ENTERABLE_CATEGORIES, LIVING_ARRANGEMENTS, SENIOR_STATUSES } from './senior.model.ts';

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, bilingual('日期格式应为 YYYY-MM-DD', 'must be a day YYYY-MM-DD'));
const phone = z.string().trim().regex(PHONE_PATTERN, bilingual('电话号码格式不正确（手机11位或带区号的固定电话）', 'not a mainland mobile (11 digits) or a landline with area code'));
const location = z.object({
  lng: z.number().min(73).max(136), lat: z.number().min(3).max(54),
  coordSystem: z.enum(COORD_SYSTEMS).optional().openapi({ description: 'the datum: wgs84 (GPS, the default) or gcj02 (Chinese maps and geocoders); distances are computed in WGS-84' }),
}).strict();

const category = z.string().refine((value) => value !== 'advanced_age', bilingual('高龄由出生日期自动判定，不能录入', 'advanced_age is derived from the birth date and cannot be entered'))
  .pipe(z.enum(ENTERABLE_CATEGORIES));
const categories = z.array(category).min(1, bilingual('至少选择一个类别', 'at least one category')).max(6)
  .refine((list) => new Set(list).size === list.length, bilingual('类别重复', 'categories repeat'));

export const emergencyContactInput = z.object({
  name: z.string().max(50).trim().min(1),
  relation: z.string().max(20).trim().min(1),
  phone,
}).strict();

export const enrolSeniorBody = z
  .object({
    name: z.string().max(50).trim().min(1, bilingual('姓名不能为空', 'name is required')),
    idNumber: z.string().max(32).trim().min(1),
    phone,
    address: z.string().max(200).trim().min(1),
    communityId: objectIdParam,
    location: location.optional(),
    livingArrangement: z.enum(LIVING_ARRANGEMENTS),
    categories,
    careLevel: z.number().int().min(0).max(5),
    assessedAt: day.optional(),
    emergencyContacts: z.array(emergencyContactInput).max(5).default([]),
    preferredProviderId: objectIdParam.nullable().optional(),
    privacyNotice: privacyNoticeInput,
  })
  .strict()
  .openapi('EnrolSeniorRequest');
export type EnrolSeniorInput = z.input<typeof enrolSeniorBody>;

export const updateSeniorBody = z
  .object({
    phone: phone.optional(),
    address: z.string().max(200).trim().min(1).optional(),
    location: location.nullable().optional(),
    livingArrangement: z.enum(LIVING_ARRANGEMENTS).optional(),
    categories: categories.optional(),
    careLevel: z.number().int().min(0).max(5).optional(),
    assessedAt: day.optional(),
    emergencyContacts: z.array(emergencyContactInput).max(5).optional(),
    preferredProviderId: objectIdParam.nullable().optional(),
  })
  .strict()
  .openapi('UpdateSeniorRequest');
export type UpdateSeniorInput = z.output<typeof updateSeniorBody>;

export const seniorSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    idNumberMasked: z.string(),
    gender: z.enum(['male', 'female']),
    birthDate: z.string(),
    age: z.number().int(),
    phoneMasked: z.string(),
    address: z.string(),
    communityId: z.string(),
    streetId: z.string(),
    location: location.nullable(),
    livingArrangement: z.enum(LIVING_ARRANGEMENTS),
    categories: z.array(z.enum(CATEGORIES)),
    careLevel: z.number().int(),
    assessedAt: z.string(),
    assessmentValidUntil: z.string(),
    emergencyContacts: z.array(z.object({ name: z.string(), relation: z.string(), phoneMasked: z.string() })),
    preferredProviderId: z.string().nullable(),
    status: z.enum(SENIOR_STATUSES),
    statusReason: z.string().nullable(),
    deactivation: z.object({ reason: z.string(), effectiveDate: z.string() }).nullable(),
    enrolledBy: z.string(),
    enrolledAt: dateTimeOut,
    approvedBy: z.string().nullable(),
    approvedAt: nullableDateTimeOut,
    hasConfirmationPin: z.boolean().openapi({ description: 'whether the senior has a personal confirmation PIN (the PIN itself is answered only by POST /seniors and the reset); false for seniors imported from a register until a reset' }),
    privacyNotice: privacyNoticeSchema,
    piiErasedAt: nullableDateTimeOut.openapi({ description: 'when the retention job erased the personal data (ID number, phones, address, contacts; the name masked); null while it is held' }),
  })
  .openapi('Senior');

export const enrolledSeniorSchema = seniorSchema
  .extend({
    confirmationPin: z.string().regex(/^\d{6}$/).openapi({ description: 'the senior\'s personal confirmation PIN (6 digits), answered only here: give it to the senior; it confirms any of their visits at check-out' }),
  })
  .openapi('EnrolledSenior');
export const confirmationPinSchema = z
  .object({ confirmationPin: z.string().regex(/^\d{6}$/).openapi({ description: 'the new PIN, answered only here; the old one no longer works' }) })
  .openapi('SeniorConfirmationPin');

export const seniorsQuery = z
  .object({
    communityId: objectIdParam.optional(),
    status: z.enum(SENIOR_STATUSES).optional(),
    category: z.enum(CATEGORIES).optional(),
    q: z.string().max(32).trim().min(1).optional().openapi({ description: 'name prefix, or a full 18-character ID number' }),
    assessmentDue: z.enum(['true', 'false']).transform((v) => v === 'true').optional()
      .openapi({ description: 'true: only seniors whose needs assessment has expired or expires within 30 days (the re-assessment list)' }),
    ...pageQuery,
  })
  .strict();

export const seniorParams = z.object({ id: objectIdParam }).strict();
export const seniorPageSchema = pageOf(seniorSchema).openapi('SeniorPage');

export const reasonBody = z.object({ reason: z.string().max(500).trim().min(1) }).strict();
const reportedDay = day.optional().openapi({ description: 'the day it began, when reported after the fact (a hospital stay); not before the senior\'s last status change, not in the future; default now' });
export const suspendBody = reasonBody.extend({ effectiveDate: reportedDay }).strict();
export const resumeBody = z.object({ effectiveDate: reportedDay }).strict().default({});
export const deactivateBody = z.object({ reason: z.enum(['deceased', 'moved_out', 'other']), effectiveDate: day, note: z.string().max(500).trim().optional() }).strict();
/** Why the data is needed, kept in the audit entry (PIPL: processing limited to its purpose). */
export const revealReason = z.string().trim()
  .min(2, bilingual('请填写查看原因（2-200 字）', 'give the reason (2-200 characters)'))
  .max(200, bilingual('查看原因不超过 200 字', 'the reason: at most 200 characters'))
  .openapi({ description: 'why the data is needed (2-200 characters), written to the audit entry' });
export const revealBody = z.object({ fields: z.array(z.enum(['idNumber', 'phone'])).min(1).max(2), reason: revealReason }).strict();
export const revealSchema = z.object({ idNumber: z.string().optional(), phone: z.string().optional() }).openapi('RevealedPii');

export const historyEntrySchema = z
  .object({
    id: z.string(),
    at: dateTimeOut,
    actorId: z.string(),
    action: z.string(),
    fromStatus: z.string().nullable(),
    toStatus: z.string().nullable(),
    changes: z.record(z.string(), z.object({ before: z.unknown(), after: z.unknown() })),
    reason: z.string().nullable(),
    effectiveMonth: z.string().nullable(),
    touched: z.array(z.object({
      kind: z.enum(['order', 'care_plan', 'voucher_account']),
      id: z.string(),
      label: z.string().openapi({ description: 'how people name it: the order number, the care plan\'s service' }),
      change: z.string().openapi({ description: 'what happened to it, in Chinese (已取消, 冻结已解除, 已暂停 …)' }),
    })).openapi({ description: 'consequence.<event> entries: what a status change carried through to (orders, holds, care plans, the voucher balance); empty otherwise' }),
  })
  .openapi('SeniorHistoryEntry');
export const historyPageSchema = pageOf(historyEntrySchema);
export const historyQuery = z.object({ ...pageQuery }).strict();

export const importReportSchema = z
  .object({
    created: z.number().int(),
    duplicates: z.number().int(),
    invalid: z.number().int(),
    rows: z.array(z.object({
      row: z.number().int().openapi({ description: 'line in the sheet; the header is line 1' }),
      status: z.enum(['created', 'duplicate', 'invalid']),
      seniorId: z.string().optional(),
      errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    })),
  })
  .openapi('SeniorImportReport');

export const importQuery = z.object(importNoticeQuery).strict();

import { addMonthsToDay, businessDay } from '../shared/time.ts';
import { ageOn } from './id-number.ts';
import type { CATEGORIES, SeniorDoc, SeniorStatus } from './senior.model.ts';
import type { CoordSystem } from '../shared/geo.ts';
import type { PrivacyNoticeBasis, PrivacyNoticeRecord } from './privacy-notice.ts';

/** A needs assessment is valid for 12 months (national rule of the 2025-26 care-voucher scheme). */
export const ASSESSMENT_VALID_MONTHS = 12;
export const ADVANCED_AGE = 80;

export interface SeniorView {
  id: string;
  name: string;
  idNumberMasked: string;
  gender: 'male' | 'female';
  birthDate: string;
  age: number;
  phoneMasked: string;
  address: string;
  communityId: string;
  streetId: string;
  location: { lng: number; lat: number; coordSystem: CoordSystem } | null;
  livingArrangement: SeniorDoc['livingArrangement'];
  categories: (typeof CATEGORIES)[number][];
  careLevel: number;
  assessedAt: string;
  assessmentValidUntil: string;
  emergencyContacts: { name: string; relation: string; phoneMasked: string }[];
  preferredProviderId: string | null;
  status: SeniorStatus;
  statusReason: string | null;
  deactivation: { reason: string; effectiveDate: string } | null;
  enrolledBy: string;
  enrolledAt: Date;
  approvedBy: string | null;
  approvedAt: Date | null;
  /** Whether a confirmation PIN is set (never the PIN): staff see when one must be issued. */
  hasConfirmationPin: boolean;
  privacyNotice: PrivacyNoticeRecord | null;
  piiErasedAt: Date | null;
}

/** Only masked PII leaves through here; `advanced_age` and `age` are derived for today. */
export function toSeniorView(senior: SeniorDoc, timeZone: string, now = new Date()): SeniorView {
  const age = ageOn(senior.birthDate, businessDay(now, timeZone));
  const location = senior.location && typeof senior.location.lng === 'number'
    ? { lng: senior.location.lng, lat: senior.location.lat as number, coordSystem: (senior.location.coordSystem ?? 'wgs84') as CoordSystem } : null;
  return {
    id: String(senior._id),
    name: senior.name,
    idNumberMasked: senior.idNumberMasked,
    gender: senior.gender,
    birthDate: senior.birthDate,
    age,
    phoneMasked: senior.phoneMasked,
    address: senior.address,
    communityId: senior.communityId,
    streetId: senior.streetId,
    location,
    livingArrangement: senior.livingArrangement,
    categories: age >= ADVANCED_AGE ? [...(senior.categories as SeniorView['categories']), 'advanced_age'] : [...(senior.categories as SeniorView['categories'])],
    careLevel: senior.careLevel,
    assessedAt: senior.assessedAt,
    assessmentValidUntil: addMonthsToDay(senior.assessedAt, ASSESSMENT_VALID_MONTHS),
    emergencyContacts: senior.emergencyContacts.map((c) => ({ name: c.name, relation: c.relation, phoneMasked: c.phoneMasked })),
    preferredProviderId: senior.preferredProviderId ?? null,
    status: senior.status as SeniorStatus,
    statusReason: senior.statusReason ?? null,
    deactivation: senior.deactivation?.reason ? { reason: senior.deactivation.reason, effectiveDate: senior.deactivation.effectiveDate as string } : null,
    enrolledBy: senior.enrolledBy,
    enrolledAt: senior.enrolledAt,
    approvedBy: senior.approvedBy ?? null,
    approvedAt: senior.approvedAt ?? null,
    hasConfirmationPin: Boolean(senior.confirmationPinHash),
    privacyNotice: noticeOf(senior.privacyNotice),
    piiErasedAt: senior.piiErasedAt ?? null,
  };
}

function noticeOf(notice: SeniorDoc['privacyNotice']): PrivacyNoticeRecord | null {
  if (!notice?.basis) return null;
  return {
    version: notice.version as string, basis: notice.basis as PrivacyNoticeBasis, givenAt: notice.givenAt ?? null,
    recordedBy: notice.recordedBy as string, recordedAt: notice.recordedAt as Date, source: notice.source as PrivacyNoticeRecord['source'],
  };
}

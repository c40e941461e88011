import type { TouchedByChange } from './lifecycle.service.ts';
import { recordAudit } from '../audit/index.ts';
import { DomainError } from '../shared/errors.ts';
import { findPage, type Page } from '../shared/http/pagination.ts';
import { decryptPii, hmacPii } from '../shared/pii.ts';
import { findInScope, withinScope } from '../shared/scope.ts';
import { addDaysToDay, addMonthsToDay, businessDay } from '../shared/time.ts';
import { SeniorHistoryModel, SeniorModel, type SeniorDoc, type SeniorHistoryDoc, type SeniorStatus } from './senior.model.ts';
import { seniorScope } from './senior.scope.ts';
import { ADVANCED_AGE, ASSESSMENT_VALID_MONTHS, toSeniorView, type SeniorView } from './senior.view.ts';
import type { SeniorContext } from './seniors.context.ts';

export interface SeniorFilter {
  communityId?: string;
  status?: SeniorStatus;
  category?: string;
  q?: string;
  assessmentDue?: boolean;
  page: number;
  pageSize: number;
}

/** Days before expiry from which a senior joins the community's re-assessment list. */
export const REASSESSMENT_NOTICE_DAYS = 30;

export async function listSeniors(filter: SeniorFilter, ctx: SeniorContext): Promise<Page<SeniorView>> {
  const today = businessDay(ctx.now ?? new Date(), ctx.config.businessTimeZone);
  const query: Record<string, unknown> = {};
  if (filter.communityId) query.communityId = filter.communityId;
  if (filter.status) query.status = filter.status;
  if (filter.category === 'advanced_age') query.birthDate = { $lte: addMonthsToDay(today, -12 * ADVANCED_AGE) };
  else if (filter.category) query.categories = filter.category;
  if (filter.q) {
    // A full ID number is matched through its HMAC; anything else is a name prefix.
    if (/^\d{17}[\dXx]$/.test(filter.q)) query.idNumberHmac = hmacPii(ctx.config.pii, filter.q);
    else query.name = { $regex: `^${escapeRegex(filter.q)}` };
  }
  if (filter.assessmentDue) {
    // Valid until assessedAt + 12 months; due when that is at most 30 days away (or past).
    query.assessedAt = { $lte: addMonthsToDay(addDaysToDay(today, REASSESSMENT_NOTICE_DAYS), -ASSESSMENT_VALID_MONTHS) };
  }
  const timeZone = ctx.config.businessTimeZone;
  // Newest enrolment first (`_id`): the engine walks (communityId, _id) or _id and stops after the page;
  // sorting by community and name read and sorted the caller's whole register on every page.
  return findPage(SeniorModel, withinScope(seniorScope, ctx.actor, query), { _id: -1 }, filter, (doc: SeniorDoc) => toSeniorView(doc, timeZone));
}

export async function getSenior(id: string, ctx: SeniorContext): Promise<SeniorView> {
  return toSeniorView(await findInScope<SeniorDoc>(SeniorModel, id, seniorScope, ctx.actor), ctx.config.businessTimeZone, ctx.now);
}

export async function seniorHistory(id: string, paging: { page: number; pageSize: number }, ctx: SeniorContext) {
  await findInScope<SeniorDoc>(SeniorModel, id, seniorScope, ctx.actor);
  return findPage(SeniorHistoryModel, { seniorId: id }, { at: 1, _id: 1 }, paging, (entry: SeniorHistoryDoc) => ({
    id: String(entry._id),
    at: entry.at,
    actorId: entry.actorId,
    action: entry.action,
    fromStatus: entry.fromStatus ?? null,
    toStatus: entry.toStatus ?? null,
    changes: (entry.changes ?? {}) as Record<string, { before: unknown; after: unknown }>,
    reason: entry.reason ?? null,
    effectiveMonth: entry.effectiveMonth ?? null,
    touched: (entry.touched ?? []).map((item) => ({ kind: item.kind as TouchedByChange['kind'], id: item.id as string, label: item.label as string, change: item.change as string })),
  }));
}

/** The one place plaintext PII leaves the service: on purpose, for the fields asked, audited. */
export async function revealSeniorPii(id: string, fields: ('idNumber' | 'phone')[], reason: string, ctx: SeniorContext): Promise<{ idNumber?: string; phone?: string }> {
  const senior = await findInScope<SeniorDoc>(SeniorModel, id, seniorScope, ctx.actor);
  // Erased by the retention job: nothing is left to show (the markers are not ciphertexts).
  if (senior.piiErasedAt) throw new DomainError('INVALID_TRANSITION', [{ path: 'fields', message: ctx.lang === 'zh' ? '该老人的个人信息已按保存期限删除' : 'this senior\'s personal data was erased at the end of its retention period' }]);
  const revealed: { idNumber?: string; phone?: string } = {};
  if (fields.includes('idNumber')) revealed.idNumber = decryptPii(ctx.config.pii, senior.idNumberEncrypted);
  if (fields.includes('phone')) revealed.phone = decryptPii(ctx.config.pii, senior.phoneEncrypted);
  await recordAudit({ actor: ctx.actor, action: 'senior.reveal', entityType: 'senior', entityId: id, after: { fields, reason }, requestId: ctx.requestId });
  return revealed;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The ID-number HMACs of every enrolled senior, in one streaming pass: for bulk loaders that must
 * skip who is already there without a lookup per person.
 */
export async function enrolledIdNumberHmacs(): Promise<Set<string>> {
  const hashes = new Set<string>();
  for await (const senior of SeniorModel.find({}, { idNumberHmac: 1 }).lean().cursor({ batchSize: 1000 })) hashes.add(senior.idNumberHmac);
  return hashes;
}

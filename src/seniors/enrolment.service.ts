import mongoose from 'mongoose';
import { recordAudit, recordAudits, type AuditInput } from '../audit/index.ts';
import { assertProviderExists, getCommunity } from '../organisation/index.ts';
import { DomainError, type ErrorDetail } from '../shared/errors.ts';
import { parseInput } from '../shared/http/validate.ts';
import { isDuplicateKeyError } from '../shared/mongo-errors.ts';
import { encryptPii, hmacPii, maskIdNumber, maskPhone } from '../shared/pii.ts';
import { withinScope } from '../shared/scope.ts';
import { businessDay } from '../shared/time.ts';
import { hashConfirmationPin, newConfirmationPin } from './confirmation-pin.service.ts';
import type { PrivacyNoticeRecord } from './privacy-notice.ts';
import { ID_PROBLEM_MESSAGES, ageOn, parseResidentId, type ResidentId } from './id-number.ts';
import { SeniorHistoryModel, SeniorModel } from './senior.model.ts';
import { seniorScope } from './senior.scope.ts';
import { toSeniorView, type SeniorView } from './senior.view.ts';
import type { SeniorContext } from './seniors.context.ts';
import { enrolSeniorBody } from './seniors.schemas.ts';

export const MINIMUM_AGE = 60;

/** What an import keeps across its rows: each community and provider is looked up once. */
export interface EnrolmentLookups {
  communities: Map<string, Awaited<ReturnType<typeof getCommunity>>>;
  providers: Map<string, ErrorDetail[]>;
}
export const newEnrolmentLookups = (): EnrolmentLookups => ({ communities: new Map(), providers: new Map() });

/**
 * Validates an enrolment and builds the senior's document, writing nothing. The single enrolment
 * and every imported row come through here, so both are validated by exactly the same rules.
 * `body` is untrusted input.
 */
async function prepareEnrolment(body: unknown, ctx: SeniorContext, lookups: EnrolmentLookups, source: PrivacyNoticeRecord['source'] = 'enrolment') {
  const input = parseInput(enrolSeniorBody, body, ctx.lang);
  const now = ctx.now ?? new Date();
  const today = businessDay(now, ctx.config.businessTimeZone);
  const problems: ErrorDetail[] = [];
  const message = (text: { zh: string; en: string }) => text[ctx.lang];

  const parsed = parseResidentId(input.idNumber);
  let resident: ResidentId | undefined;
  if (!parsed.ok) problems.push({ path: 'idNumber', message: message(ID_PROBLEM_MESSAGES[parsed.problem]) });
  else if (ageOn(parsed.id.birthDate, today) < MINIMUM_AGE) problems.push({ path: 'idNumber', message: message(ID_PROBLEM_MESSAGES.under_60) });
  else resident = parsed.id;

  const assessedAt = input.assessedAt ?? today;
  if (assessedAt > today) problems.push({ path: 'assessedAt', message: message({ zh: '评估日期不能晚于今天', en: 'the assessment date cannot be in the future' }) });
  const noticeGivenAt = input.privacyNotice.givenAt ? new Date(input.privacyNotice.givenAt) : source === 'enrolment' ? now : null;
  if (noticeGivenAt && noticeGivenAt.getTime() > now.getTime() + 60_000) problems.push({ path: 'privacyNotice.givenAt', message: message({ zh: '告知时间不能晚于现在', en: 'the notice cannot have been given in the future' }) });

  if (!lookups.communities.has(input.communityId)) lookups.communities.set(input.communityId, await getCommunity(input.communityId));
  const community = lookups.communities.get(input.communityId);
  const mayEnrolHere = community && (ctx.actor.role === 'admin' || ctx.actor.communityIds.includes(community.id));
  if (!mayEnrolHere) problems.push({ path: 'communityId', message: message({ zh: '社区不存在或不在您的管辖范围内', en: 'no such community among yours' }) });

  if (input.preferredProviderId) {
    if (!lookups.providers.has(input.preferredProviderId)) {
      const providerProblems: ErrorDetail[] = [];
      await assertProviderExists(input.preferredProviderId, 'preferredProviderId', ctx.lang).catch((error: unknown) => {
        if (error instanceof DomainError) providerProblems.push(...error.details);
        else throw error;
      });
      lookups.providers.set(input.preferredProviderId, providerProblems);
    }
    problems.push(...(lookups.providers.get(input.preferredProviderId) ?? []));
  }
  if (problems.length > 0 || !resident || !community) throw new DomainError('VALIDATION_FAILED', problems);

  const keys = ctx.config.pii;
  const idNumberHmac = hmacPii(keys, resident.idNumber);
  const doc = {
    _id: new mongoose.Types.ObjectId(),
    name: input.name,
    idNumberHmac,
    idNumberEncrypted: encryptPii(keys, resident.idNumber),
    idNumberMasked: maskIdNumber(resident.idNumber),
    gender: resident.gender,
    birthDate: resident.birthDate,
    phoneEncrypted: encryptPii(keys, input.phone),
    phoneMasked: maskPhone(input.phone),
    address: input.address,
    communityId: community.id,
    streetId: community.streetId,
    location: input.location ?? null,
    livingArrangement: input.livingArrangement,
    categories: input.categories,
    careLevel: input.careLevel,
    assessedAt,
    emergencyContacts: input.emergencyContacts.map((contact) => ({
      name: contact.name, relation: contact.relation, phoneEncrypted: encryptPii(keys, contact.phone), phoneMasked: maskPhone(contact.phone),
    })),
    preferredProviderId: input.preferredProviderId ?? null,
    voucherBasis: { categories: input.categories, careLevel: input.careLevel, assessedAt },
    status: 'pending_review' as const,
    statusLog: [{ status: 'pending_review', at: now, effectiveDate: null }],
    enrolledBy: ctx.actor.id,
    enrolledAt: now,
    privacyNotice: { version: input.privacyNotice.version, basis: input.privacyNotice.basis, givenAt: noticeGivenAt, recordedBy: ctx.actor.id, recordedAt: now, source },
  };
  return { doc, now };
}

const enrolHistory = (seniorId: string, now: Date, ctx: SeniorContext) => ({ seniorId, at: now, actorId: ctx.actor.id, action: 'enrol', toStatus: 'pending_review' });
const enrolAudit = (view: SeniorView, ctx: SeniorContext): AuditInput => ({
  actor: ctx.actor, action: 'senior.enrol', entityType: 'senior', entityId: view.id, requestId: ctx.requestId,
  after: {
    communityId: view.communityId, status: view.status, categories: view.categories, careLevel: view.careLevel, idNumberMasked: view.idNumberMasked,
    privacyNotice: view.privacyNotice ? { version: view.privacyNotice.version, basis: view.privacyNotice.basis } : null,
  },
});

/**
 * Enrols a senior as `pending_review` (POST /seniors), with a personal confirmation PIN answered
 * here only, for the worker to give the senior (confirmation-pin.service.ts).
 */
export async function enrolSenior(body: unknown, ctx: SeniorContext): Promise<SeniorView & { confirmationPin: string }> {
  const { doc, now } = await prepareEnrolment(body, ctx, newEnrolmentLookups());
  const confirmationPin = newConfirmationPin();
  let created;
  try {
    created = await SeniorModel.create({ ...doc, confirmationPinHash: hashConfirmationPin(ctx.config, String(doc._id), confirmationPin), confirmationPinFailures: 0 });
  } catch (error) {
    if (isDuplicateKeyError(error)) throw await duplicateSeniorError(doc.idNumberHmac, ctx);
    throw error;
  }
  const view = toSeniorView(created.toObject(), ctx.config.businessTimeZone, now);
  await SeniorHistoryModel.create(enrolHistory(view.id, now, ctx));
  await recordAudit(enrolAudit(view, ctx));
  return { ...view, confirmationPin };
}

export type BatchEnrolment = { ok: true; seniorId: string } | { ok: false; duplicateOf: string | null } | { ok: false; invalid: ErrorDetail[] };

/**
 * Enrols many seniors (an import's batch) with the rules of enrolSenior and the same answer per
 * row, in a few commands instead of several per row: one duplicate check by `$in` of ID-number
 * HMACs, one `insertMany` of seniors, one of their history rows, one batch of audit entries. A row
 * repeating an earlier row's ID number is a duplicate of it. The unique index stays the last word:
 * a senior enrolled by someone else meanwhile fails its insert alone and is answered as a duplicate.
 */
export async function enrolBatch(bodies: unknown[], ctx: SeniorContext, lookups: EnrolmentLookups, source: PrivacyNoticeRecord['source'] = 'enrolment'): Promise<BatchEnrolment[]> {
  const results: BatchEnrolment[] = new Array(bodies.length);
  const prepared: Array<{ index: number; doc: Awaited<ReturnType<typeof prepareEnrolment>>['doc']; now: Date }> = [];
  for (const [index, body] of bodies.entries()) {
    try {
      prepared.push({ index, ...(await prepareEnrolment(body, ctx, lookups, source)) });
    } catch (error) {
      if (!(error instanceof DomainError) || error.code !== 'VALIDATION_FAILED') throw error;
      results[index] = { ok: false, invalid: error.details };
    }
  }
  const hmacs = [...new Set(prepared.map((p) => p.doc.idNumberHmac))];
  const existing = new Set((await SeniorModel.find({ idNumberHmac: { $in: hmacs } }, { idNumberHmac: 1 }).lean()).map((s) => s.idNumberHmac as string));
  const firstOfHmac = new Map<string, string>();
  const toInsert: typeof prepared = [];
  for (const p of prepared) {
    const earlier = firstOfHmac.get(p.doc.idNumberHmac);
    if (existing.has(p.doc.idNumberHmac)) continue;
    if (earlier) results[p.index] = { ok: false, duplicateOf: earlier };
    else {
      firstOfHmac.set(p.doc.idNumberHmac, String(p.doc._id));
      toInsert.push(p);
    }
  }
  const failed = new Set<number>();
  if (toInsert.length > 0) {
    try {
      await SeniorModel.insertMany(toInsert.map((p) => p.doc), { ordered: false });
    } catch (error) {
      const writeErrors = (error as { writeErrors?: Array<{ index: number; err?: { code?: number }; code?: number }> }).writeErrors;
      if (!Array.isArray(writeErrors) || writeErrors.some((e) => (e.code ?? e.err?.code) !== 11000)) throw error;
      for (const e of writeErrors) {
        failed.add(e.index);
        existing.add(toInsert[e.index]!.doc.idNumberHmac);
      }
    }
  }
  const inserted = toInsert.filter((_, n) => !failed.has(n));
  // Which existing seniors the caller may see (a duplicate names its senior only then).
  const duplicateHmacs = prepared.filter((p) => existing.has(p.doc.idNumberHmac)).map((p) => p.doc.idNumberHmac);
  const visible = new Map(duplicateHmacs.length === 0 ? [] : (await SeniorModel.find(withinScope(seniorScope, ctx.actor, { idNumberHmac: { $in: [...new Set(duplicateHmacs)] } }), { _id: 1, idNumberHmac: 1 }).lean()).map((s) => [s.idNumberHmac as string, String(s._id)]));
  for (const p of prepared) if (existing.has(p.doc.idNumberHmac)) results[p.index] = { ok: false, duplicateOf: visible.get(p.doc.idNumberHmac) ?? null };
  const views = inserted.map((p) => toSeniorView(p.doc as never, ctx.config.businessTimeZone, p.now));
  if (inserted.length > 0) {
    await SeniorHistoryModel.insertMany(inserted.map((p) => enrolHistory(String(p.doc._id), p.now, ctx)));
    await recordAudits(views.map((view) => enrolAudit(view, ctx)));
  }
  for (const p of inserted) results[p.index] = { ok: true, seniorId: String(p.doc._id) };
  return results;
}

/** 409 naming the existing senior's id only when the caller may see that senior. */
async function duplicateSeniorError(idNumberHmac: string, ctx: SeniorContext): Promise<DomainError> {
  const visible = await SeniorModel.findOne(withinScope(seniorScope, ctx.actor, { idNumberHmac }), { _id: 1 }).lean();
  return new DomainError('DUPLICATE_SENIOR', [{ path: 'idNumber', message: ctx.lang === 'zh' ? '该身份证号已登记' : 'already enrolled' }], undefined,
    visible ? { existingSeniorId: String(visible._id) } : undefined);
}

import { recordAudit } from '../audit/index.ts';
import { assertProviderExists, getCommunity } from '../organisation/index.ts';
import { DomainError, type ErrorDetail } from '../shared/errors.ts';
import { parseInput } from '../shared/http/validate.ts';
import { isDuplicateKeyError } from '../shared/mongo-errors.ts';
import { encryptPii, hmacPii, maskIdNumber, maskPhone } from '../shared/pii.ts';
import { withinScope } from '../shared/scope.ts';
import { businessDay } from '../shared/time.ts';
import { ID_PROBLEM_MESSAGES, ageOn, parseResidentId, type ResidentId } from './id-number.ts';
import { SeniorHistoryModel, SeniorModel } from './senior.model.ts';
import { seniorScope } from './senior.scope.ts';
import { toSeniorView, type SeniorView } from './senior.view.ts';
import type { SeniorContext } from './seniors.context.ts';
import { enrolSeniorBody } from './seniors.schemas.ts';

export const MINIMUM_AGE = 60;

/**
 * Enrols a senior as `pending_review`. The single enrolment and every imported row come through
 * here, so both are validated by exactly the same rules. `body` is untrusted input.
 */
export async function enrolSenior(body: unknown, ctx: SeniorContext): Promise<SeniorView> {
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

  const community = await getCommunity(input.communityId);
  const mayEnrolHere = community && (ctx.actor.role === 'admin' || ctx.actor.communityIds.includes(community.id));
  if (!mayEnrolHere) problems.push({ path: 'communityId', message: message({ zh: '社区不存在或不在您的管辖范围内', en: 'no such community among yours' }) });

  if (input.preferredProviderId) {
    await assertProviderExists(input.preferredProviderId, 'preferredProviderId', ctx.lang).catch((error: unknown) => {
      if (error instanceof DomainError) problems.push(...error.details);
      else throw error;
    });
  }
  if (problems.length > 0 || !resident || !community) throw new DomainError('VALIDATION_FAILED', problems);

  const keys = ctx.config.pii;
  const idNumberHmac = hmacPii(keys, resident.idNumber);
  let created;
  try {
    created = await SeniorModel.create({
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
      status: 'pending_review',
      statusLog: [{ status: 'pending_review', at: now, effectiveDate: null }],
      enrolledBy: ctx.actor.id,
      enrolledAt: now,
    });
  } catch (error) {
    if (isDuplicateKeyError(error)) throw await duplicateSeniorError(idNumberHmac, ctx);
    throw error;
  }
  const view = toSeniorView(created.toObject(), ctx.config.businessTimeZone, now);
  await SeniorHistoryModel.create({ seniorId: view.id, at: now, actorId: ctx.actor.id, action: 'enrol', toStatus: 'pending_review' });
  await recordAudit({
    actor: ctx.actor, action: 'senior.enrol', entityType: 'senior', entityId: view.id, requestId: ctx.requestId,
    after: { communityId: view.communityId, status: view.status, categories: view.categories, careLevel: view.careLevel, idNumberMasked: view.idNumberMasked },
  });
  return view;
}

/** 409 naming the existing senior's id only when the caller may see that senior. */
async function duplicateSeniorError(idNumberHmac: string, ctx: SeniorContext): Promise<DomainError> {
  const visible = await SeniorModel.findOne(withinScope(seniorScope, ctx.actor, { idNumberHmac }), { _id: 1 }).lean();
  return new DomainError('DUPLICATE_SENIOR', [{ path: 'idNumber', message: ctx.lang === 'zh' ? '该身份证号已登记' : 'already enrolled' }], undefined,
    visible ? { existingSeniorId: String(visible._id) } : undefined);
}

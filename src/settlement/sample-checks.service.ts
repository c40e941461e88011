import { recordAudit } from '../audit/index.ts';
import type { Config } from '../config/env.ts';
import { askAboutVisits, disputeOrder, type VisitToAsk } from '../dispatch/index.ts';
import { onSmsAnswer, type NotificationInput, type SmsAnswer, type SmsQuestion } from '../notifications/index.ts';
import { DomainError } from '../shared/errors.ts';
import { findPage } from '../shared/http/pagination.ts';
import { SYSTEM_ACTOR_ID, type Actor } from '../shared/roles.ts';
import { scopeBy, withinScope, type ScopeRules } from '../shared/scope.ts';
import { businessDay } from '../shared/time.ts';
import { LineModel, SampleCheckModel, type LineDoc, type SampleCheckDoc, type SampleCheckStatus, type SampleOutcome } from './settlement.model.ts';
import { toSampleCheckView } from './statements.query.ts';
import { bilingual } from '../shared/i18n.ts';

/** Community staff call back the seniors of their communities; finance, admin and audit see all. */
export const sampleCheckScope: ScopeRules = {
  admin: 'all', auditor: 'all', finance_officer: 'all',
  community_staff: scopeBy.communityField('communityId'),
};

export interface SampleCheckCall {
  actor: Actor;
  config: Config;
  requestId: string | null;
  now?: Date;
}

export function listSampleChecks(filter: { status?: SampleCheckStatus; statementId?: string; period?: string; page: number; pageSize: number }, actor: Actor) {
  const query: Record<string, unknown> = {};
  if (filter.status) query.status = filter.status;
  if (filter.statementId) query.statementId = filter.statementId;
  if (filter.period) query.period = filter.period;
  return findPage(SampleCheckModel, withinScope(sampleCheckScope, actor, query), { _id: 1 }, filter, (check: SampleCheckDoc) => toSampleCheckView(check));
}

/**
 * Records the callback. "The visit did not happen" opens a dispute on the order (which takes its
 * line out of the draft). The outcome is stored first: if the dispute is cut off by a crash,
 * approval finds the recorded outcome and opens the dispute itself.
 */
export async function recordSampleCheck(id: string, input: { outcome: SampleOutcome; note?: string }, call: SampleCheckCall) {
  const check = await SampleCheckModel.findOne(withinScope(sampleCheckScope, call.actor, { _id: id })).lean();
  if (!check) throw new DomainError('NOT_FOUND');
  if (check.status !== 'open') throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: bilingual(check.status === 'done' ? '该回访已登记结果' : '该回访已取消', `the callback is ${check.status}`) }]);
  const recorded = await closeCheck(id, input, call, 'callback');
  if (!recorded) throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: bilingual('该回访刚被他人登记，请刷新查看', 'the callback was recorded meanwhile') }]);
  return toSampleCheckView(recorded);
}

/** An open check done (conditionally: of a callback and a reply arriving together, one records), audited; "did not happen" disputes the visit. */
async function closeCheck(id: string, input: { outcome: SampleOutcome; note?: string }, call: SampleCheckCall, via: 'callback' | 'sms_reply'): Promise<SampleCheckDoc | null> {
  const now = call.now ?? new Date();
  const recorded = await SampleCheckModel.findOneAndUpdate(
    { _id: id, status: 'open' },
    { $set: { status: 'done', outcome: input.outcome, note: input.note ?? null, recordedBy: call.actor.id, recordedAt: now } },
    { returnDocument: 'after' },
  ).lean();
  if (!recorded) return null;
  await recordAudit({
    actor: call.actor, action: 'settlement.sample_check', entityType: 'service_order', entityId: id, requestId: call.requestId,
    before: { status: 'open' }, after: { status: 'done', outcome: input.outcome, via },
  });
  if (input.outcome === 'visit_did_not_happen') await disputeUnhappenedVisit(recorded as SampleCheckDoc, call);
  return recorded as SampleCheckDoc;
}

/*
 * The SMS path first (issue 20): a sampled visit's senior is asked by SMS whether it happened (the
 * visit's one question, dispatch's askAboutVisits), and the check is done by the reply; the staff's
 * callback task — what used to go out at once — is the question's fallback, enqueued when the SMS
 * path ends without a yes or a no (no answer within SMS_ANSWER_HOURS, another reply, no mobile).
 * The check stays open meanwhile, so approval waits for it exactly as for a callback.
 */

const SYSTEM: Actor = { id: SYSTEM_ACTOR_ID, role: 'admin', communityIds: [], streetId: null, providerId: null, caregiverId: null };

/** The staff's callback task for a sampled visit (of the line's period): the fallback of its SMS question. */
const sampleCallbackTask = (periodOf: Map<string, string>, config: Config) => (visit: VisitToAsk): NotificationInput => ({
  dedupeKey: `settlement-sample:${visit.orderId}`, channel: 'callback_task', recipient: { kind: 'community_staff', communityId: visit.communityId },
  template: 'settlement_sample_check', params: { period: periodOf.get(visit.orderId) as string, serviceTypeCode: visit.serviceTypeCode, day: businessDay(visit.visitAt, config.businessTimeZone) },
  subject: { type: 'service_order', id: visit.orderId },
});

/** Asks the seniors of these sampled lines; answers each visit's question as it stands (asked and answered before, perhaps). */
export function askSampledSeniors(lines: LineDoc[], config: Config, now: Date): Promise<Map<string, SmsQuestion>> {
  const visits = lines.map((line): VisitToAsk => ({
    orderId: line._id, seniorId: line.seniorId as string, communityId: line.communityId as string, providerId: line.providerId,
    serviceTypeCode: line.serviceTypeCode as string, visitAt: (line.scheduledStart as Date | null) ?? now,
  }));
  return askAboutVisits(visits, 'sample', sampleCallbackTask(new Map(lines.map((line) => [line._id, line.period])), config), config, now);
}

/** A yes or a no given before the check existed (the visit was asked already) does the check now. */
export async function recordEarlierAnswers(questions: Map<string, SmsQuestion>, config: Config): Promise<void> {
  for (const question of questions.values()) {
    const outcome = question.answer?.outcome;
    if (question.status !== 'answered' || (outcome !== 'confirmed' && outcome !== 'disputed')) continue;
    await recordSampleCheckByReply({ questionId: question._id, subject: question.subject, outcome, at: question.answer?.at ?? new Date(), messageId: question.answer?.messageId ?? '' }, config);
  }
}

/** The senior's "1" or "2" does the visit's open sample check (registered before dispatch's, so the check records the dispute it opens). */
export async function recordSampleCheckByReply(answer: SmsAnswer, config: Config): Promise<void> {
  const happened = answer.outcome === 'confirmed';
  await closeCheck(answer.subject.id, {
    outcome: happened ? 'visit_happened' : 'visit_did_not_happen', note: happened ? '老人回复短信：确认接受了服务' : '老人回复短信：没有接受服务',
  }, { actor: SYSTEM, config, requestId: null, now: answer.at }, 'sms_reply');
}

export function registerSampleCheckReplyHook(): void {
  onSmsAnswer('service_order', recordSampleCheckByReply);
}

/** Opens the dispute for every callback of the statement that said the visit did not happen and whose line is still in it. */
export async function disputeUnhappenedVisits(statementId: string, call: SampleCheckCall): Promise<void> {
  for (const check of await SampleCheckModel.find({ statementId, outcome: 'visit_did_not_happen' }).lean()) {
    if (await LineModel.exists({ _id: check._id, statementId })) await disputeUnhappenedVisit(check as SampleCheckDoc, call);
  }
}

async function disputeUnhappenedVisit(check: SampleCheckDoc, call: SampleCheckCall): Promise<void> {
  const reason = `review callback: the senior says the visit did not happen${check.note ? ` (${check.note})` : ''}`;
  try {
    await disputeOrder(check._id, reason, { actor: call.actor, config: call.config, requestId: call.requestId, now: call.now });
  } catch (error) {
    // Already disputed (or further along): the dispute this callback asks for exists.
    if (!(error instanceof DomainError && error.code === 'INVALID_TRANSITION')) throw error;
  }
}

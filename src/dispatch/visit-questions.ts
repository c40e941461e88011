import { createHmac } from 'node:crypto';
import type { Config } from '../config/env.ts';
import { askContextOf, askQuestions, enqueueNotifications, existingQuestionKeys, repliesReachUs, type NotificationInput, type SmsAnswer, type SmsQuestion } from '../notifications/index.ts';
import { getProvider, listServiceTypes } from '../organisation/index.ts';
import { smsRecipientsOf } from '../seniors/index.ts';
import { DomainError } from '../shared/errors.ts';
import { SYSTEM_ACTOR_ID, type Actor } from '../shared/roles.ts';
import { businessDay } from '../shared/time.ts';
import { disputeOrder } from './order-close.service.ts';
import { confirmBySmsReply } from './order-visit.service.ts';
import { OrderModel } from './order.model.ts';

/*
 * The senior asked (issue 20): "X月X日 XX服务商为您提供了助洁服务吗？回复1确认，回复2没有". A
 * share of each provider's finished visits (SMS_ASK_SHARE_PCT, drawn like the review sample: an
 * HMAC of the order id under the server-held sample secret, so nobody without it can tell which
 * visits will be asked) and every flagged visit; settlement's sample checks ask the same way. One
 * question per visit (`visit:<orderId>`) however many reasons ask it. The answer confirms or disputes
 * the visit here; no answer falls to the staff (notifications/sms-questions.service.ts).
 */

export const VISIT_QUESTION_TEMPLATE = 'visit_question';
export const visitQuestionKey = (orderId: string) => `visit:${orderId}`;

/** A rank is the first 48 bits of the HMAC: uniform over [0, 2^48). */
const RANK_SPACE = 2 ** 48;

/** Whether the visit is in the asked share: an HMAC of its id under the secret, below pct% of the rank space. */
export function isDrawnForSmsQuestion(secret: string, orderId: string, sharePct: number): boolean {
  if (sharePct <= 0) return false;
  if (sharePct >= 100) return true;
  // Its own label, so the draw is independent of the settlement sample's under the same secret.
  const rank = Number.parseInt(createHmac('sha256', secret).update(`sms-question:${orderId}`).digest('hex').slice(0, 12), 16);
  return rank < (sharePct / 100) * RANK_SPACE;
}

/** What asking about a visit needs to know of it. */
export interface VisitToAsk {
  orderId: string;
  seniorId: string;
  communityId: string;
  providerId: string;
  serviceTypeCode: string;
  /** When it happened (checked in, else scheduled): the question names its day. */
  visitAt: Date;
}

/**
 * Asks each visit's senior (or the first emergency contact, without a mobile of their own) whether
 * it happened, with `fallbackOf(visit)` as what the staff get when the SMS path ends without a yes
 * or a no. Answers the questions as they stand (one asked before may be answered already).
 */
export async function askAboutVisits(visits: VisitToAsk[], reason: string, fallbackOf: (visit: VisitToAsk) => NotificationInput, config: Config, now: Date): Promise<Map<string, SmsQuestion>> {
  if (visits.length === 0) return new Map();
  // Nobody could answer (no push secret for replies): the staff's tasks at once, in one insert —
  // settlement samples thousands of lines, and reading their seniors' phones would be for nothing.
  if (!repliesReachUs(config)) {
    await enqueueNotifications(visits.map(fallbackOf), config.pii, now);
    return new Map();
  }
  const recipients = await smsRecipientsOf(visits.map((visit) => visit.seniorId), config.pii);
  const serviceNames = new Map((await listServiceTypes()).map((type) => [type.code, type.name]));
  const providerNames = new Map<string, string>();
  for (const providerId of new Set(visits.map((visit) => visit.providerId))) providerNames.set(providerId, (await getProvider(providerId))?.name ?? '服务商');
  const inputs = visits.map((visit) => {
    const [, month, day] = businessDay(visit.visitAt, config.businessTimeZone).split('-').map(Number) as [number, number, number];
    return {
      key: visitQuestionKey(visit.orderId), subject: { type: 'service_order', id: visit.orderId }, communityId: visit.communityId,
      recipient: recipients.get(visit.seniorId) ?? null, template: VISIT_QUESTION_TEMPLATE,
      params: { month: String(month), day: String(day), provider: providerNames.get(visit.providerId) as string, service: serviceNames.get(visit.serviceTypeCode) ?? visit.serviceTypeCode },
      reason, fallback: fallbackOf(visit),
    };
  });
  const questions = await askQuestions(inputs, askContextOf(config, now));
  return new Map([...questions.values()].map((question) => [question.subject.id, question]));
}

/** The staff's task for an asked visit nobody answered: call the senior back (the console's 待回访核验 list has a completed one). */
const visitCallbackTask = (config: Config) => (visit: VisitToAsk): NotificationInput => ({
  dedupeKey: `visit-question:${visit.orderId}`, channel: 'callback_task', recipient: { kind: 'community_staff', communityId: visit.communityId },
  template: 'visit_question_unanswered', params: { orderId: visit.orderId, serviceTypeCode: visit.serviceTypeCode, day: businessDay(visit.visitAt, config.businessTimeZone) },
  subject: { type: 'service_order', id: visit.orderId },
});

/** Visits finished (completed or confirmed) within this long are looked at by each run; the runs are every 30 minutes. */
const RECENTLY_CHANGED_MS = 2 * 24 * 3_600_000;
/** A visit older than this is not asked about any more (a provider's upload of last month): memory fades; settlement's sample still calls back. */
const OLDEST_VISIT_MS = 31 * 24 * 3_600_000;
const BATCH = 200;

/**
 * The job's pass: the visits finished or uploaded in the last two days (completed, or confirmed at
 * the door — a PIN can be misused too), each asked once if drawn or flagged. The question's key
 * makes a second run, or a second instance, ask nothing twice.
 */
export async function askSeniorsAboutVisits(config: Config, now: Date = new Date(), signal?: AbortSignal): Promise<{ seen: number; drawn: number; flagged: number; asked: number }> {
  const counts = { seen: 0, drawn: 0, flagged: 0, asked: 0 };
  // Nobody could answer (no push secret for replies): the staff's 待回访核验 list has the completed visits as before.
  if (!repliesReachUs(config)) return counts;
  const orders = OrderModel.find(
    { status: { $in: ['completed', 'confirmed'] }, updatedAt: { $gte: new Date(now.getTime() - RECENTLY_CHANGED_MS) }, 'checkOut.at': { $gte: new Date(now.getTime() - OLDEST_VISIT_MS) } },
    { seniorId: 1, communityId: 1, providerId: 1, serviceTypeCode: 1, scheduledStart: 1, checkIn: 1, isFlagged: 1 },
  ).lean().cursor({ batchSize: 500 });
  let batch: { visit: VisitToAsk; reason: string }[] = [];
  const flush = async () => {
    const asked = await existingQuestionKeys(batch.map(({ visit }) => visitQuestionKey(visit.orderId)));
    for (const reason of ['flagged', 'share']) {
      const fresh = batch.filter((item) => item.reason === reason && !asked.has(visitQuestionKey(item.visit.orderId))).map((item) => item.visit);
      counts.asked += (await askAboutVisits(fresh, reason, visitCallbackTask(config), config, now)).size;
    }
    batch = [];
  };
  for await (const order of orders) {
    if (signal?.aborted) break;
    counts.seen += 1;
    const orderId = String(order._id);
    const isDrawn = isDrawnForSmsQuestion(config.settlement.sampleSeed, orderId, config.sms.askSharePct);
    if (!order.isFlagged && !isDrawn) continue;
    if (order.isFlagged) counts.flagged += 1;
    else counts.drawn += 1;
    batch.push({
      reason: order.isFlagged ? 'flagged' : 'share',
      visit: { orderId, seniorId: order.seniorId, communityId: order.communityId, providerId: order.providerId as string, serviceTypeCode: order.serviceTypeCode, visitAt: order.checkIn?.at ?? order.scheduledStart },
    });
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  return counts;
}

const SYSTEM: Actor = { id: SYSTEM_ACTOR_ID, role: 'admin', communityIds: [], streetId: null, providerId: null, caregiverId: null };

/**
 * The senior's answer acts on the visit as a callback would: "1" confirms a completed visit
 * (method sms_reply, the hold redeemed: confirmBySmsReply), "2" disputes it (disputeOrder, whose
 * hooks take it out of a draft statement). A visit confirmed at the door stays confirmed on a "1";
 * one already disputed or moved meanwhile is left as it is — a provider's retry of the push runs
 * this again and changes nothing.
 */
export async function applyVisitAnswer(answer: SmsAnswer, config: Config): Promise<void> {
  const orderId = answer.subject.id;
  const order = await OrderModel.findById(orderId, { status: 1 }).lean();
  if (!order) return;
  const call = { actor: SYSTEM, config, requestId: null, now: answer.at };
  try {
    if (answer.outcome === 'confirmed' && order.status === 'completed') await confirmBySmsReply(orderId, call);
    if (answer.outcome === 'disputed' && ['completed', 'confirmed', 'settled'].includes(order.status)) await disputeOrder(orderId, '老人回复短信：没有接受该服务', call);
  } catch (error) {
    if (!(error instanceof DomainError && error.code === 'INVALID_TRANSITION')) throw error;
  }
}

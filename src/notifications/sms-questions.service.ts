import type { Config } from '../config/env.ts';
import { insertDocs } from '../shared/insert-docs.ts';
import { hmacPii, type PiiKeys } from '../shared/pii.ts';
import { enqueueNotification, enqueueNotifications } from './notifications.service.ts';
import type { NotificationInput } from './notifications.schemas.ts';
import { nextSendableAt, type QuietHours } from './quiet-hours.ts';
import { QuestionModel, type QuestionDoc, type ReplyOutcome, type StaffReason } from './sms-question.model.ts';

/*
 * Asking someone a yes/no question by SMS (issue 20): the question is written first, then its SMS
 * goes to the outbox due after quiet hours; a reply answers it (sms-replies.service.ts) and the
 * capabilities that asked act on the answer through the handlers they register here. Without a yes
 * or a no — nobody to ask, the SMS failed, another reply, no answer within SMS_ANSWER_HOURS — the
 * question falls to the community staff once: each asker's fallback task is enqueued.
 */

export const QUESTION_SMS_PREFIX = 'sms-question:';

export interface AskInput {
  /** The question's key: one question per subject, however many ask (`visit:<orderId>`). */
  key: string;
  subject: { type: string; id: string };
  communityId: string;
  /** Who gets the SMS; null when nobody has a mobile on file (the question goes to the staff at once). */
  recipient: { kind: 'senior' | 'emergency_contact'; name?: string; phone: string } | null;
  template: string;
  params: Record<string, string | number>;
  reason: string;
  /** What the staff are given when the SMS path ends without a yes or a no: a callback task, under its own key. */
  fallback: NotificationInput;
}

export interface AskContext {
  keys: PiiKeys;
  now: Date;
  quiet: QuietHours;
  answerHours: number;
  /** Whether a reply can reach the service at all (a push secret is configured): else nobody is asked. */
  canHearReplies: boolean;
}

export const askContextOf = (config: Config, now: Date): AskContext => ({
  keys: config.pii, now, quiet: { ...config.sms.quietHours, timeZone: config.businessTimeZone }, answerHours: config.sms.answerHours,
  canHearReplies: repliesReachUs(config),
});

/**
 * Asking needs a way to hear the answer: the provider's push of replies, which the service takes only
 * with SMS_WEBHOOK_TOKEN set (required with a real provider). Without it nobody is asked, and what an
 * asker wants done by people is done at once (settlement's callback task goes out as before issue 20).
 */
export const repliesReachUs = (config: Config): boolean => config.sms.webhookToken !== null;

/** A yes or a no to a question, as the handlers of its subject type receive it. */
export interface SmsAnswer {
  questionId: string;
  subject: { type: string; id: string };
  outcome: Exclude<ReplyOutcome, 'other'>;
  at: Date;
  messageId: string;
}

type AnswerHandler = (answer: SmsAnswer, config: Config) => Promise<void>;
const handlers = new Map<string, AnswerHandler[]>();

/** Registered once at composition (capabilities.ts): run for every yes or no to a question about `subjectType`. */
export function onSmsAnswer(subjectType: string, handler: AnswerHandler): void {
  handlers.set(subjectType, [...(handlers.get(subjectType) ?? []), handler]);
}

/** The handlers run one after another; each must be idempotent (a provider's retry runs them again). */
export async function runAnswerHandlers(answer: SmsAnswer, config: Config): Promise<void> {
  for (const handler of handlers.get(answer.subject.type) ?? []) await handler(answer, config);
}

/**
 * Asks each subject's question, or joins the question already asked (its reason and fallback added;
 * a question that already went to the staff enqueues the new fallback at once). Answers the
 * questions as they stand, so an asker can act on an answer given before it asked.
 */
export async function askQuestions(inputs: AskInput[], ctx: AskContext): Promise<Map<string, QuestionDoc>> {
  if (inputs.length === 0) return new Map();
  if (!ctx.canHearReplies) {
    await enqueueNotifications(inputs.map((input) => input.fallback), ctx.keys, ctx.now);
    return new Map();
  }
  const existing = new Set((await QuestionModel.find({ _id: { $in: inputs.map((input) => input.key) } }, { _id: 1 }).lean()).map((doc) => doc._id));
  const fresh = inputs.filter((input) => !existing.has(input.key));
  const sendAt = nextSendableAt(ctx.now, ctx.quiet);
  const expiresAt = new Date(sendAt.getTime() + ctx.answerHours * 3_600_000);
  const docs = fresh.map((input) => questionDocOf(input, ctx, sendAt, expiresAt));
  const { taken } = await insertDocs(QuestionModel.collection, docs);
  const takenKeys = new Set(taken.map((doc) => doc._id));
  const asked = fresh.filter((input) => input.recipient && !takenKeys.has(input.key));
  await enqueueNotifications(asked.map((input) => questionSms(input, sendAt)), ctx.keys, ctx.now);
  await enqueueNotifications(fresh.filter((candidate) => !candidate.recipient && !takenKeys.has(candidate.key)).map((input) => input.fallback), ctx.keys, ctx.now);
  for (const input of inputs.filter((candidate) => existing.has(candidate.key) || takenKeys.has(candidate.key))) await joinQuestion(input, ctx);
  const current = await QuestionModel.find({ _id: { $in: inputs.map((input) => input.key) } }).lean();
  return new Map(current.map((doc) => [doc._id, doc as QuestionDoc]));
}

function questionDocOf(input: AskInput, ctx: AskContext, sendAt: Date, expiresAt: Date) {
  const reachable = input.recipient !== null;
  return {
    _id: input.key, subject: input.subject, communityId: input.communityId,
    phoneHmac: reachable ? hmacPii(ctx.keys, input.recipient!.phone) : null, recipientKind: input.recipient?.kind ?? null,
    notificationId: reachable ? `${QUESTION_SMS_PREFIX}${input.key}` : null, template: input.template, params: input.params, reasons: [input.reason],
    status: reachable ? 'open' : 'unreachable', sendAt, expiresAt, answer: null, fallbacks: [input.fallback],
    staffQueuedAt: reachable ? null : ctx.now, staffReason: reachable ? null : 'unreachable', createdAt: ctx.now, updatedAt: ctx.now,
  };
}

function questionSms(input: AskInput, sendAt: Date): NotificationInput {
  return {
    dedupeKey: `${QUESTION_SMS_PREFIX}${input.key}`, channel: 'sms', recipient: input.recipient!, template: input.template, params: input.params,
    subject: input.subject, notBefore: sendAt, quietHours: true,
  };
}

async function joinQuestion(input: AskInput, ctx: AskContext): Promise<void> {
  await QuestionModel.updateOne({ _id: input.key }, { $addToSet: { reasons: input.reason, fallbacks: input.fallback }, $set: { updatedAt: ctx.now } });
  const question = await QuestionModel.findById(input.key, { status: 1, staffQueuedAt: 1 }).lean();
  // Gone to the staff already (or answered with something else): this asker's task goes too.
  if (question?.staffQueuedAt) await enqueueNotification(input.fallback, ctx.keys, ctx.now);
}

/** How the staff are told why a question came to them (a parameter of their task). */
export const STAFF_REASON_ZH: Record<StaffReason, string> = {
  no_answer: '老人未在规定时间内回复短信', other_reply: '老人回复了其他内容', unreachable: '没有可接收短信的手机号', sms_failed: '短信未能送达',
};

type FallingQuestion = Pick<QuestionDoc, '_id' | 'fallbacks'>;

/**
 * The question goes to the staff: its fallbacks are enqueued (`extraParams`, the reply's text,
 * added), then it leaves `open` for `change.status` if it is still open (a reply and the expiry job
 * may race). Tasks first, so a crash between the two leaves the tasks, never an expired question
 * nobody was told of; once, because every fallback has its dedupe key. A fallback added by an asker
 * meanwhile is enqueued after the move.
 */
export async function fallToStaff(
  question: FallingQuestion,
  change: { status: 'expired' | 'unreachable' | 'answered'; reason: StaffReason; answer?: QuestionDoc['answer'] },
  ctx: { keys: PiiKeys; now: Date },
  extraParams: Record<string, string> = {},
): Promise<boolean> {
  const enqueue = async (fallbacks: unknown[]) => {
    for (const fallback of fallbacks as NotificationInput[]) {
      await enqueueNotification({ ...fallback, params: { ...(fallback.params ?? {}), ...extraParams, staffReason: STAFF_REASON_ZH[change.reason] } }, ctx.keys, ctx.now);
    }
  };
  await enqueue(question.fallbacks ?? []);
  const moved = await QuestionModel.findOneAndUpdate(
    { _id: question._id, status: 'open' },
    { $set: { status: change.status, staffQueuedAt: ctx.now, staffReason: change.reason, updatedAt: ctx.now, ...(change.answer ? { answer: change.answer } : {}) } },
    { returnDocument: 'after' },
  ).lean();
  if (!moved) return false;
  const known = new Set((question.fallbacks as NotificationInput[]).map((fallback) => fallback.dedupeKey));
  await enqueue((moved.fallbacks as NotificationInput[]).filter((fallback) => !known.has(fallback.dedupeKey)));
  return true;
}

/** Every open question whose answer window has closed goes to the staff (job sms-questions-expire). */
export async function expireQuestions(ctx: { keys: PiiKeys; now: Date; signal?: AbortSignal }): Promise<{ expired: number }> {
  let expired = 0;
  const due = QuestionModel.find({ status: 'open', expiresAt: { $lte: ctx.now } }, { _id: 1, fallbacks: 1 }).lean().cursor({ batchSize: 200 });
  for await (const question of due) {
    if (ctx.signal?.aborted) break;
    if (await fallToStaff(question as FallingQuestion, { status: 'expired', reason: 'no_answer' }, ctx)) expired += 1;
  }
  return { expired };
}

/** The outbox gave up on a question's SMS (its attempts, or the provider's receipt): nobody will answer it. */
export async function onQuestionSmsFailed(notificationId: string, keys: PiiKeys, now: Date): Promise<void> {
  if (!notificationId.startsWith(QUESTION_SMS_PREFIX)) return;
  const question = await QuestionModel.findOne({ _id: notificationId.slice(QUESTION_SMS_PREFIX.length), status: 'open' }, { _id: 1, fallbacks: 1 }).lean();
  if (question) await fallToStaff(question as FallingQuestion, { status: 'unreachable', reason: 'sms_failed' }, { keys, now });
}

/**
 * The open question a reply from this phone answers: the latest one already sent before the reply;
 * else the latest question to that phone at all (a late reply), else none.
 */
export async function questionsForReply(phoneHmac: string, at: Date): Promise<{ open: QuestionDoc | null; latest: QuestionDoc | null }> {
  const questions = (await QuestionModel.find({ phoneHmac }).lean() as QuestionDoc[]).sort((a, b) => b.sendAt.getTime() - a.sendAt.getTime() || (a._id < b._id ? 1 : -1));
  const open = questions.find((question) => question.status === 'open' && question.sendAt.getTime() <= at.getTime()) ?? null;
  return { open, latest: questions[0] ?? null };
}

/**
 * Records the reply as the question's answer if it is still open; answers 'resumed' when this same
 * message answered it before (the provider's retry of a push cut off half-way), 'taken' otherwise.
 */
export async function answerQuestion(id: string, answer: { outcome: ReplyOutcome; text: string; messageId: string; at: Date }): Promise<'answered' | 'resumed' | 'taken'> {
  const answered = await QuestionModel.updateOne({ _id: id, status: 'open' }, { $set: { status: 'answered', answer, updatedAt: answer.at } });
  if (answered.modifiedCount === 1) return 'answered';
  const question = await QuestionModel.findById(id, { answer: 1 }).lean();
  return question?.answer?.messageId === answer.messageId ? 'resumed' : 'taken';
}

/** Which of these questions have been asked already (one read by key). */
export async function existingQuestionKeys(keys: string[]): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  return new Set((await QuestionModel.find({ _id: { $in: [...new Set(keys)] } }, { _id: 1 }).lean()).map((doc) => doc._id));
}

import type { Config } from '../config/env.ts';
import { isDuplicateKeyError } from '../shared/mongo-errors.ts';
import { hmacPii, maskPhone } from '../shared/pii.ts';
import { enqueueNotification } from './notifications.service.ts';
import { InboundModel, type InboundDoc, type QuestionDoc, type ReplyOutcome } from './sms-question.model.ts';
import { answerQuestion, fallToStaff, questionsForReply, runAnswerHandlers } from './sms-questions.service.ts';

/** An SMS a senior or a family member sent us, as the provider's push delivers it. */
export interface InboundSms {
  provider: 'aliyun';
  /** The provider's id of the message (Alibaba Cloud SmsUp: sequence_id): a second push of it changes nothing. */
  messageId: string;
  phone: string;
  text: string;
  sentAt: Date | null;
}

export type ReplyResult = 'answered' | 'queued' | 'unmatched';

const YES = new Set(['1', '是', '是的', '确认', '有']);
const NO = new Set(['2', '否', '没有', '不是', '无']);

/**
 * 1 / 是 confirm, 2 / 否 / 没有 dispute (and the few plain variants in YES and NO); anything else is
 * for a person to read. Full-width digits and surrounding spaces and punctuation do not count.
 */
export function parseReply(text: string): ReplyOutcome {
  const bare = text.normalize('NFKC').trim().replace(/^[\s\p{P}]+|[\s\p{P}]+$/gu, '').toLowerCase();
  if (YES.has(bare)) return 'confirmed';
  if (NO.has(bare)) return 'disputed';
  return 'other';
}

/**
 * What of a reply may be stored and shown to staff: runs of 7 digits or more (a phone, an ID
 * number) masked, control characters dropped, at most 200 characters. It becomes an outbox
 * parameter, which must never carry a whole phone or ID number.
 */
export function maskReplyText(text: string): string {
  const cleaned = text.replace(/\p{Cc}/gu, ' ').trim();
  // ASCII and full-width digits alike; an ID number's last character may be X.
  const masked = cleaned.replace(/[0-9０-９][0-9０-９\s-]{5,}[0-9０-９XxＸｘ]/g, (run) => (run.replace(/[^0-9０-９]/g, '').length >= 7 ? '*'.repeat(run.length) : run));
  return [...masked].slice(0, 200).join('') || '（空白短信）';
}

/** Mainland mobiles arrive as 138…, 86138… or +86138…: the 11 digits are what was asked. */
export const normalisePhone = (phone: string) => phone.replace(/\D/g, '').replace(/^86(?=1\d{10}$)/, '');

/**
 * Takes one reply: stored first under the provider's message id (a second push of it finds the
 * row processed and changes nothing), then matched by the HMAC of its phone to the latest question
 * sent to that phone. A yes or a no to an open question answers it and the asker's handlers act on
 * it; other text answers it too, and the question goes to the community staff with the text; a
 * reply to a question no longer open (expired, answered) goes to the staff of its community with
 * the text, and one from a number never asked to the district's desk. Resumable: a push cut off
 * half-way is retried by the provider and finishes here.
 */
export async function receiveReply(sms: InboundSms, config: Config, now: Date = new Date()): Promise<{ result: ReplyResult; duplicate: boolean }> {
  const phone = normalisePhone(sms.phone);
  const inbound = await recordInbound(sms, phone, config, now);
  if (inbound.status === 'processed') return { result: inbound.result as ReplyResult, duplicate: true };
  const at = sms.sentAt && sms.sentAt.getTime() <= now.getTime() ? sms.sentAt : now;
  const { open, latest } = await questionsForReply(inbound.phoneHmac, at);
  const ctx = { keys: config.pii, now };
  let result: ReplyResult | null = null;
  let questionId: string | null = null;
  if (open) {
    const answer = { outcome: inbound.outcome as ReplyOutcome, text: inbound.text, messageId: inbound._id, at };
    if (answer.outcome === 'other') {
      // The question's tasks carry the text whether this reply or another closed it first.
      await fallToStaff(open, { status: 'answered', reason: 'other_reply', answer }, ctx, { replyText: inbound.text });
      result = 'queued';
    } else if ((await answerQuestion(open._id, answer)) !== 'taken') {
      await runAnswerHandlers({ questionId: open._id, subject: open.subject, outcome: answer.outcome, at, messageId: inbound._id }, config);
      result = 'answered';
    }
    if (result) questionId = open._id;
  }
  if (!result) {
    const about = open ?? latest;
    await queueReply(inbound, about, ctx);
    result = about ? 'queued' : 'unmatched';
    questionId = about?._id ?? null;
  }
  await InboundModel.updateOne({ _id: inbound._id }, { $set: { status: 'processed', result, questionId } });
  return { result, duplicate: false };
}

async function recordInbound(sms: InboundSms, phone: string, config: Config, now: Date): Promise<InboundDoc> {
  const doc = {
    _id: `${sms.provider}:${sms.messageId}`, phoneHmac: hmacPii(config.pii, phone), phoneMasked: maskPhone(phone), text: maskReplyText(sms.text),
    outcome: parseReply(sms.text), sentAt: sms.sentAt, receivedAt: now, status: 'received' as const, result: null, questionId: null,
  };
  try {
    await InboundModel.create(doc);
    return doc as InboundDoc;
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    return (await InboundModel.findById(doc._id).lean()) as InboundDoc;
  }
}

/** A reply no open question takes, with its text, to the staff of the question's community or, asked by nobody, to the district. */
async function queueReply(inbound: InboundDoc, question: QuestionDoc | null, ctx: { keys: Config['pii']; now: Date }): Promise<void> {
  await enqueueNotification({
    dedupeKey: `sms-reply:${inbound._id}`,
    channel: 'callback_task',
    recipient: question ? { kind: 'community_staff', communityId: question.communityId } : { kind: 'district_staff' },
    template: question ? 'sms_reply_late' : 'sms_reply_unmatched',
    params: { replyText: inbound.text, fromMasked: inbound.phoneMasked, ...(question ? { questionStatus: question.status } : {}) },
    subject: question ? question.subject : { type: 'sms_inbound', id: inbound._id },
  }, ctx.keys, ctx.now);
}

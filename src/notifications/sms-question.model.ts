import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const QUESTION_STATUSES = ['open', 'answered', 'expired', 'unreachable'] as const;
export type QuestionStatus = (typeof QUESTION_STATUSES)[number];
/** What a reply says: 1 / 是 (confirmed), 2 / 否 / 没有 (disputed), anything else (other). */
export const REPLY_OUTCOMES = ['confirmed', 'disputed', 'other'] as const;
export type ReplyOutcome = (typeof REPLY_OUTCOMES)[number];
/** Why a question went to the community staff. */
export const STAFF_REASONS = ['no_answer', 'other_reply', 'unreachable', 'sms_failed'] as const;
export type StaffReason = (typeof STAFF_REASONS)[number];

/*
 * A question asked by SMS (sms-questions.service.ts): `_id` is the asker's key, one question per
 * subject (`visit:<orderId>`: the visit's senior is asked once, whether the share, a flag or the
 * settlement sample asks). Replies find it by the HMAC of the phone it went to — the phone itself is
 * only in the outbox, encrypted. `fallbacks` are what each asker wants done by people when the SMS
 * path ends without a yes or a no (a callback task for the community staff); they are enqueued once,
 * under their own dedupe keys, when the question leaves `open` that way.
 */
const questionSchema = new Schema(
  {
    _id: { type: String, required: true },
    subject: { type: new Schema({ type: { type: String, required: true }, id: { type: String, required: true } }, { _id: false }), required: true },
    communityId: { type: String, required: true },
    /** hmacPii of the phone asked; null when nobody could be asked (no mobile on file). */
    phoneHmac: { type: String, default: null },
    recipientKind: { type: String, enum: ['senior', 'emergency_contact', null], default: null },
    /** The outbox SMS that asks it (`sms-question:<_id>`); null when nobody could be asked. */
    notificationId: { type: String, default: null },
    template: { type: String, required: true },
    params: { type: Schema.Types.Mixed, default: {} },
    /** Who asked and why: share, flagged, sample … (one SMS however many ask). */
    reasons: { type: [String], default: [] },
    status: { type: String, enum: QUESTION_STATUSES, required: true },
    /** When the SMS is due (after quiet hours); the answer window runs from here. */
    sendAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    answer: {
      type: new Schema({ outcome: { type: String, enum: REPLY_OUTCOMES }, text: String, messageId: String, at: Date }, { _id: false }),
      default: null,
    },
    fallbacks: { type: [Schema.Types.Mixed], default: [] },
    staffQueuedAt: { type: Date, default: null },
    staffReason: { type: String, enum: [...STAFF_REASONS, null], default: null },
  },
  { collection: 'sms_questions', versionKey: false, timestamps: true, minimize: false },
);
questionSchema.index({ phoneHmac: 1 });
questionSchema.index({ status: 1, expiresAt: 1 });
questionSchema.index({ communityId: 1, _id: 1 });

export type QuestionDoc = InferSchemaType<typeof questionSchema> & { _id: string; createdAt: Date; updatedAt: Date };
export const QuestionModel = mongoose.model('SmsQuestion', questionSchema);

/*
 * Every SMS received (a reply), under the provider's message id: the same push delivered twice
 * finds its row and changes nothing. Only the masked text and the phone's HMAC and mask are kept.
 */
const inboundSchema = new Schema(
  {
    _id: { type: String, required: true },
    phoneHmac: { type: String, required: true },
    phoneMasked: { type: String, required: true },
    text: { type: String, required: true },
    outcome: { type: String, enum: REPLY_OUTCOMES, required: true },
    sentAt: { type: Date, default: null },
    receivedAt: { type: Date, required: true },
    /** received → processed; a push cut off between the two is finished by the provider's retry. */
    status: { type: String, enum: ['received', 'processed'], required: true },
    /** answered (a yes or a no to an open question), queued (to the staff with its text), unmatched (no question ever went to that phone). */
    result: { type: String, enum: ['answered', 'queued', 'unmatched', null], default: null },
    questionId: { type: String, default: null },
  },
  { collection: 'sms_inbound', versionKey: false },
);

export type InboundDoc = InferSchemaType<typeof inboundSchema> & { _id: string };
export const InboundModel = mongoose.model('SmsInbound', inboundSchema);

import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const NOTIFICATION_CHANNELS = ['sms', 'callback_task', 'staff_message'] as const;
// district_staff: the bureau's own desk, for what belongs to no community (an SMS reply from a number never asked).
export const RECIPIENT_KINDS = ['emergency_contact', 'senior', 'community_staff', 'user', 'district_staff'] as const;
// delivered: the SMS provider's receipt says the handset got it (sent: the provider accepted it).
export const NOTIFICATION_STATUSES = ['pending', 'sent', 'delivered', 'failed'] as const;

export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];
export type RecipientKind = (typeof RECIPIENT_KINDS)[number];
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

// A recipient's phone exists here only encrypted (shared/pii.ts) and masked; the clear number is
// decrypted for the one moment the sender needs it.
const recipientSchema = new Schema(
  {
    kind: { type: String, enum: RECIPIENT_KINDS, required: true },
    name: { type: String, default: null },
    phoneEncrypted: { type: String, default: null },
    phoneMasked: { type: String, default: null },
    communityId: { type: String, default: null },
    userId: { type: String, default: null },
  },
  { _id: false },
);

// The outbox. `_id` is the caller's dedupe key (e.g. `emergency:<orderId>:<contactIndex>`): a second
// enqueue of the same notification hits the primary key and answers the first, and delivery claims a
// notification by `_id`, the one key the embedded FerretDB finds without scanning.
const notificationSchema = new Schema(
  {
    _id: { type: String, required: true },
    channel: { type: String, enum: NOTIFICATION_CHANNELS, required: true },
    recipient: { type: recipientSchema, required: true },
    template: { type: String, required: true },
    params: { type: Schema.Types.Mixed, default: {} },
    subject: {
      type: new Schema({ type: { type: String, required: true }, id: { type: String, required: true } }, { _id: false }),
      required: true,
    },
    /**
     * subject.id again, at the top level: the engine pushes only top-level equalities down to an index
     * (DATABASE.md), so a senior's notifications (their data-subject export, the retention erase) are
     * found by this field's index instead of reading the whole outbox. Written with every
     * notification; older ones get it from backfillNotificationSubjectIds.
     */
    subjectId: { type: String },
    status: { type: String, enum: NOTIFICATION_STATUSES, required: true },
    /** Delivery attempts started; also the fencing token of a claim (see notification.delivery.ts). */
    attempts: { type: Number, required: true },
    /** When a pending notification is next due; while claimed, when the claim lapses. Null once final. */
    nextAttemptAt: { type: Date, default: null },
    lastError: { type: String, default: null },
    createdAt: { type: Date, required: true },
    sentAt: { type: Date, default: null },
    /**
     * Kept back outside quiet hours (no SMS to a senior or a family at night): when due, or retried,
     * in quiet hours it waits until they end. Emergency alerts are not: they go at once.
     */
    quietHours: { type: Boolean, default: false },
    /** The provider's id of the accepted message (Alibaba Cloud: BizId); its receipt names it. */
    providerMessageId: { type: String, default: null },
    /** The provider's delivery receipt: its code (DELIVERED, or why not) and when it reported. */
    receipt: { type: new Schema({ code: String, success: Boolean, at: Date }, { _id: false }), default: null },
  },
  { collection: 'notifications', versionKey: false, minimize: false },
);

notificationSchema.index({ status: 1, nextAttemptAt: 1 });
// The outbox's pages, whole or by status or channel, each walked from its cursor on an index.
notificationSchema.index({ status: 1, _id: 1 });
notificationSchema.index({ channel: 1, _id: 1 });
// A receipt that carries no OutId is matched by the provider's message id.
notificationSchema.index({ providerMessageId: 1 });
// A senior's notifications by their own, their orders' and their alerts' ids (subject-export.ts).
notificationSchema.index({ subjectId: 1 });

export type NotificationDoc = InferSchemaType<typeof notificationSchema>;

export const NotificationModel = mongoose.model('Notification', notificationSchema);

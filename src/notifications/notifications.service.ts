import { z } from 'zod';
import { findPage, type Page } from '../shared/http/pagination.ts';
import { insertDocs } from '../shared/insert-docs.ts';
import { isDuplicateKeyError } from '../shared/mongo-errors.ts';
import { encryptPii, maskPhone, type PiiKeys } from '../shared/pii.ts';
import { NotificationModel, type NotificationChannel, type NotificationDoc, type NotificationStatus, type RecipientKind } from './notification.model.ts';
import { notificationInputSchema, type NotificationInput } from './notifications.schemas.ts';

/** A notification as it leaves the capability: the phone masked, never encrypted or clear. */
export interface NotificationView {
  id: string;
  dedupeKey: string;
  channel: NotificationChannel;
  recipient: { kind: RecipientKind; name: string | null; phoneMasked: string | null; communityId: string | null; userId: string | null };
  template: string;
  params: Record<string, string | number>;
  subject: { type: string; id: string };
  status: NotificationStatus;
  attempts: number;
  nextAttemptAt: Date | null;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
  providerMessageId: string | null;
  receipt: { code: string; success: boolean; at: Date | null } | null;
}

/**
 * Puts a notification in the outbox, due at once; the delivery job sends it. Idempotent by
 * `dedupeKey`: a second call with the same key changes nothing and answers the notification already
 * there (as it is now, possibly sent). A malformed input is the caller's bug, so it throws a plain
 * Error, not a client error; the message names paths, never values.
 */
export async function enqueueNotification(input: NotificationInput, keys: PiiKeys, now: Date = new Date()): Promise<NotificationView> {
  const doc = outboxDoc(input, keys, now);
  try {
    const created = await NotificationModel.create(doc);
    return toNotificationView(created.toObject());
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
    const existing = await NotificationModel.findById(doc._id).lean();
    if (!existing) throw error;
    return toNotificationView(existing);
  }
}

/**
 * enqueueNotification for many at once (a job's batch): one insert command; a key already in the
 * outbox is left as it is. Answers how many were new.
 */
export async function enqueueNotifications(inputs: NotificationInput[], keys: PiiKeys, now: Date = new Date()): Promise<number> {
  const docs = inputs.map((input) => new NotificationModel(outboxDoc(input, keys, now)).toObject() as NotificationDoc & { _id: string });
  const { taken } = await insertDocs(NotificationModel.collection, docs);
  return docs.length - taken.length;
}

function outboxDoc(input: NotificationInput, keys: PiiKeys, now: Date) {
  const parsed = notificationInputSchema.safeParse(input);
  if (!parsed.success) throw new Error(`invalid notification: ${z.prettifyError(parsed.error)}`);
  const { dedupeKey, recipient, notBefore, quietHours, ...rest } = parsed.data;
  return {
    _id: dedupeKey,
    ...rest,
    subjectId: rest.subject.id,
    quietHours: quietHours ?? false,
    recipient: {
      kind: recipient.kind,
      name: recipient.name ?? null,
      phoneEncrypted: recipient.phone ? encryptPii(keys, recipient.phone) : null,
      phoneMasked: recipient.phone ? maskPhone(recipient.phone) : null,
      communityId: recipient.communityId ?? null,
      userId: recipient.userId ?? null,
    },
    status: 'pending' as const,
    attempts: 0,
    nextAttemptAt: notBefore && notBefore > now ? notBefore : now,
    lastError: null,
    createdAt: now,
    sentAt: null,
    providerMessageId: null,
    receipt: null,
  };
}

/**
 * The outbox by key, descending, a page at a time from its index. Not by creation time, though the
 * key ('emergency:…', 'settlement-sample:…') says nothing of when a notification was written: the
 * engine streams a page only in `_id` order (FerretDB patch 8), and sorted by createdAt every page
 * sorted the whole outbox — 77 ms at district size, ~570 ms at 60,000 notifications, growing with
 * every order the district makes (BENCHMARKS.md, 2026-12-04). Newest first needs a time-ordered
 * `_id` with the dedupe key as a field of its own (its own unique index): not done yet.
 */
export async function listNotifications(filter: { status?: NotificationStatus; channel?: NotificationChannel; page: number; pageSize: number; cursor?: string }): Promise<Page<NotificationView>> {
  const query: Record<string, unknown> = {};
  if (filter.status) query.status = filter.status;
  if (filter.channel) query.channel = filter.channel;
  return findPage(NotificationModel, query, { _id: -1 }, filter, toNotificationView);
}

export function toNotificationView(doc: NotificationDoc): NotificationView {
  return {
    id: doc._id,
    dedupeKey: doc._id,
    channel: doc.channel,
    recipient: {
      kind: doc.recipient.kind,
      name: doc.recipient.name ?? null,
      phoneMasked: doc.recipient.phoneMasked ?? null,
      communityId: doc.recipient.communityId ?? null,
      userId: doc.recipient.userId ?? null,
    },
    template: doc.template,
    params: (doc.params ?? {}) as Record<string, string | number>,
    subject: { type: doc.subject.type, id: doc.subject.id },
    status: doc.status,
    attempts: doc.attempts,
    nextAttemptAt: doc.nextAttemptAt ?? null,
    lastError: doc.lastError ?? null,
    createdAt: doc.createdAt,
    sentAt: doc.sentAt ?? null,
    providerMessageId: doc.providerMessageId ?? null,
    receipt: doc.receipt ? { code: doc.receipt.code ?? '', success: doc.receipt.success === true, at: doc.receipt.at ?? null } : null,
  };
}

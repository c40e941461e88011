import { decryptPii, ERASED, maskName, type PiiKeys } from '../shared/pii.ts';
import { NotificationModel, type NotificationDoc } from './notification.model.ts';

/** Recipients who are the senior or stand for them: their phone is part of the senior's own data. */
const SENIOR_SIDE = new Set(['senior', 'emergency_contact']);

/** Ids per query: the engine pushes an `$in` of at most 1,000 strings down to the index (DATABASE.md). */
const IDS_PER_QUERY = 500;

/**
 * The notifications about a senior (subject: the senior, their orders and alerts), oldest first, for
 * their data-subject export. Phones are decrypted only for the senior and their emergency contacts;
 * staff recipients keep their mask (their numbers are not the senior's data). Found through the
 * subjectId index, a few hundred ids a query: the cost is the senior's notifications, not the outbox's.
 */
export async function notificationsAbout(subjectIds: string[], keys: PiiKeys) {
  const docs = await notificationsOfSubjects(subjectIds);
  docs.sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a._id < b._id ? -1 : a._id > b._id ? 1 : 0));
  return docs.map((doc) => {
    const { phoneEncrypted, ...recipient } = doc.recipient;
    const phone = phoneEncrypted && SENIOR_SIDE.has(recipient.kind) ? readable(keys, phoneEncrypted) : null;
    return {
      id: doc._id, channel: doc.channel, template: doc.template, params: doc.params, subject: doc.subject, status: doc.status,
      recipient: { ...recipient, phone }, createdAt: doc.createdAt, sentAt: doc.sentAt ?? null,
    };
  });
}

/** The outbox's documents whose subject is one of `subjectIds`, through the subjectId index. */
export async function notificationsOfSubjects(subjectIds: string[]): Promise<(NotificationDoc & { _id: string })[]> {
  const unique = [...new Set(subjectIds)];
  const docs: (NotificationDoc & { _id: string })[] = [];
  for (let at = 0; at < unique.length; at += IDS_PER_QUERY) {
    docs.push(...await NotificationModel.find({ subjectId: { $in: unique.slice(at, at + IDS_PER_QUERY) } }).lean<(NotificationDoc & { _id: string })[]>());
  }
  return docs;
}

/**
 * Gives every notification written before subjectId existed its subjectId (subject.id), so the
 * index finds it. Idempotent; reads only what lacks the field (a scan of the outbox on the embedded
 * database, which pushes no `$exists` down: at the first start of a development database —
 * db/run-once.ts — and on every `db:sync-indexes` in production). Answers how many it updated.
 */
export async function backfillNotificationSubjectIds(): Promise<number> {
  let updated = 0;
  let batch: { updateOne: { filter: { _id: string }; update: { $set: { subjectId: string } } } }[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await NotificationModel.bulkWrite(batch);
    updated += batch.length;
    batch = [];
  };
  for await (const doc of NotificationModel.find({ subjectId: { $exists: false } }, { subject: 1 }).lean<{ _id: string; subject: { id: string } }[]>().cursor({ batchSize: 1000 })) {
    batch.push({ updateOne: { filter: { _id: doc._id }, update: { $set: { subjectId: doc.subject.id } } } });
    if (batch.length >= 500) await flush();
  }
  await flush();
  return updated;
}

function readable(keys: PiiKeys, stored: string): string | null {
  try {
    return decryptPii(keys, stored);
  } catch {
    return null;
  }
}

/**
 * The retention erase of the outbox: every notification about the given subjects (a senior, their
 * orders and alerts) addressed to the senior or an emergency contact loses the phone (ciphertext
 * gone, mask 已删除) and keeps the recipient's name masked as the senior's own record does. One
 * might still be waiting: it is closed as failed, never sent without its phone. Staff recipients are
 * not the senior's data and stay. Conditional on the phone as read and idempotent (an erased one is
 * not matched again); answers how many notifications it changed.
 */
export async function eraseSeniorSidePhones(subjectIds: string[]): Promise<number> {
  let erased = 0;
  for (const doc of await notificationsOfSubjects(subjectIds)) {
    if (!SENIOR_SIDE.has(doc.recipient.kind) || doc.recipient.phoneMasked === ERASED) continue;
    const set: Record<string, unknown> = { 'recipient.phoneEncrypted': null, 'recipient.phoneMasked': ERASED, 'recipient.name': doc.recipient.name ? maskName(doc.recipient.name) : null };
    if (doc.status === 'pending') Object.assign(set, { status: 'failed', nextAttemptAt: null, lastError: '个人信息已按保存期限删除，不再发送' });
    const updated = await NotificationModel.updateOne({ _id: doc._id, 'recipient.phoneEncrypted': doc.recipient.phoneEncrypted ?? null, status: doc.status }, { $set: set });
    erased += updated.modifiedCount;
  }
  return erased;
}

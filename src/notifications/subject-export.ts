import { decryptPii, type PiiKeys } from '../shared/pii.ts';
import { NotificationModel } from './notification.model.ts';

/** Recipients who are the senior or stand for them: their phone is part of the senior's own data. */
const SENIOR_SIDE = new Set(['senior', 'emergency_contact']);

/**
 * The notifications about a senior (subject: the senior, their orders and alerts), oldest first, for
 * their data-subject export. Phones are decrypted only for the senior and their emergency contacts;
 * staff recipients keep their mask (their numbers are not the senior's data). A nested `$in` is not
 * pushed down, so this reads the outbox: an export is rare and rate-limited.
 */
export async function notificationsAbout(subjectIds: string[], keys: PiiKeys) {
  const docs = await NotificationModel.find({ 'subject.id': { $in: subjectIds } }).sort({ createdAt: 1, _id: 1 }).lean();
  return docs.map((doc) => {
    const { phoneEncrypted, ...recipient } = doc.recipient;
    const phone = phoneEncrypted && SENIOR_SIDE.has(recipient.kind) ? readable(keys, phoneEncrypted) : null;
    return {
      id: doc._id, channel: doc.channel, template: doc.template, params: doc.params, subject: doc.subject, status: doc.status,
      recipient: { ...recipient, phone }, createdAt: doc.createdAt, sentAt: doc.sentAt ?? null,
    };
  });
}

function readable(keys: PiiKeys, stored: string): string | null {
  try {
    return decryptPii(keys, stored);
  } catch {
    return null;
  }
}

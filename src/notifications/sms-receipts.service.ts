import type { PiiKeys } from '../shared/pii.ts';
import { NotificationModel } from './notification.model.ts';
import { onQuestionSmsFailed } from './sms-questions.service.ts';

/** A provider's delivery receipt (Alibaba Cloud SmsReport), reduced to what the outbox keeps. */
export interface DeliveryReceipt {
  /** The OutId the message was sent with: the outbox key. */
  outId: string | null;
  providerMessageId: string | null;
  success: boolean;
  /** DELIVERED, or the carrier's reason (MK:0001, UNDELIV …). */
  code: string;
  message: string;
  reportedAt: Date | null;
}

/**
 * A receipt moves a sent SMS to `delivered` or `failed` with the provider's code (a receipt that
 * overtakes the outbox's own record of the send finds it still pending, and wins). One that comes
 * again, or after the outcome was recorded, changes nothing. A question whose SMS never arrived
 * goes to the staff at once rather than after its answer window.
 */
export async function applyReceipts(receipts: DeliveryReceipt[], keys: PiiKeys, now: Date = new Date()): Promise<{ updated: number; unknown: number }> {
  let updated = 0;
  let unknown = 0;
  for (const receipt of receipts) {
    const id = receipt.outId ?? (receipt.providerMessageId ? (await NotificationModel.findOne({ providerMessageId: receipt.providerMessageId }, { _id: 1 }).lean())?._id : null);
    if (!id) {
      unknown += 1;
      continue;
    }
    const stored = { code: receipt.code.slice(0, 64), success: receipt.success, at: receipt.reportedAt ?? now };
    const set = receipt.success
      ? { status: 'delivered', receipt: stored, nextAttemptAt: null }
      : { status: 'failed', receipt: stored, nextAttemptAt: null, lastError: `回执：${stored.code} ${receipt.message}`.slice(0, 500) };
    const moved = await NotificationModel.updateOne({ _id: id, channel: 'sms', status: { $in: ['pending', 'sent'] }, attempts: { $gte: 1 } }, { $set: set });
    if (moved.modifiedCount === 1) updated += 1;
    else if (!(await NotificationModel.exists({ _id: id }))) unknown += 1;
    if (moved.modifiedCount === 1 && !receipt.success) await onQuestionSmsFailed(String(id), keys, now);
  }
  return { updated, unknown };
}

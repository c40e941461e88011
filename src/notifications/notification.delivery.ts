import { logger as appLogger, type Logger } from '../shared/logger.ts';
import { decryptPii, maskPhone, type PiiKeys } from '../shared/pii.ts';
import { NotificationModel, type NotificationDoc } from './notification.model.ts';
import { notificationSender, type NotificationSender } from './notification.sender.ts';
import { toNotificationView } from './notifications.service.ts';
import { DEFAULT_QUIET_HOURS, isQuiet, nextSendableAt, type QuietHours } from './quiet-hours.ts';
import { onQuestionSmsFailed } from './sms-questions.service.ts';

export const MAX_ATTEMPTS = 8;
const BATCH_SIZE = 20;
const MINUTE_MS = 60_000;
/** How long a claimed notification is reserved for its sender before another run may take it. */
export const CLAIM_LEASE_MS = 5 * MINUTE_MS;

/** Minutes to wait after failed attempt number `attempt` (1-based): 1, 2, 4, 8 … capped at 60. */
export const retryDelayMinutes = (attempt: number): number => Math.min(2 ** (attempt - 1), 60);

export interface DeliveryOptions {
  keys: PiiKeys;
  /** The clock of the run; tests pass it to drive retries without waiting. Real time by default. */
  now?: Date;
  signal?: AbortSignal;
  logger?: Logger;
  /** Who sends (senderFor(config.sms) in the job); the active sender by default. */
  sender?: NotificationSender;
  /** When notifications marked `quietHours` may not go out; 21:00–08:00 Asia/Shanghai by default. */
  quietHours?: QuietHours;
}

export interface DeliveryCounts {
  sent: number;
  retried: number;
  failed: number;
}

type Outcome = keyof DeliveryCounts | 'skipped';

/**
 * Sends every pending notification that is due, one at a time from a stream. Several runs may
 * overlap (two instances, or a manual run beside the scheduled one): each notification is claimed
 * first by a conditional update on its `attempts`, so exactly one run sends a given attempt.
 */
export async function deliverDueNotifications(options: DeliveryOptions): Promise<DeliveryCounts> {
  const clock = () => options.now ?? new Date();
  const log = options.logger ?? appLogger;
  const counts: DeliveryCounts = { sent: 0, retried: 0, failed: 0 };
  const due = NotificationModel.find({ status: 'pending', nextAttemptAt: { $lte: clock() } })
    .sort({ nextAttemptAt: 1, _id: 1 })
    .lean()
    .cursor({ batchSize: BATCH_SIZE });
  const run: Run = { keys: options.keys, clock, log, sender: options.sender ?? notificationSender(), quiet: options.quietHours ?? DEFAULT_QUIET_HOURS };
  for await (const doc of due) {
    if (options.signal?.aborted) break;
    const outcome = await deliverOne(doc as NotificationDoc, run);
    if (outcome !== 'skipped') counts[outcome] += 1;
  }
  return counts;
}

interface Run {
  keys: PiiKeys;
  clock: () => Date;
  log: Logger;
  sender: NotificationSender;
  quiet: QuietHours;
}

async function deliverOne(doc: NotificationDoc, run: Run): Promise<Outcome> {
  if (doc.quietHours && isQuiet(run.clock(), run.quiet)) return postpone(doc, run);
  const attempt = doc.attempts + 1;
  if (!(await claim(doc, run.clock()))) return 'skipped';
  const view = toNotificationView(doc);
  let phone: string | null = null;
  let providerMessageId: string | null;
  try {
    phone = doc.recipient.phoneEncrypted ? decryptPii(run.keys, doc.recipient.phoneEncrypted) : null;
    const accepted = await run.sender.send({ ...view, attempts: attempt, recipient: { ...view.recipient, phone } });
    providerMessageId = accepted?.providerMessageId ?? null;
  } catch (error) {
    return recordFailure(doc, attempt, scrub(error, phone), run);
  }
  // Fenced by the attempt: if our claim lapsed and another run took the notification, that run
  // records its own outcome (the message has then gone out twice — at least once, not exactly).
  await NotificationModel.updateOne(
    { _id: doc._id, status: 'pending', attempts: attempt },
    { $set: { status: 'sent', sentAt: run.clock(), nextAttemptAt: null, lastError: null, providerMessageId } },
  );
  return 'sent';
}

/** Due in quiet hours (a backlog, a retry, the clock moved on): it waits for their end, no attempt spent. */
async function postpone(doc: NotificationDoc, run: Run): Promise<Outcome> {
  await NotificationModel.updateOne(
    { _id: doc._id, status: 'pending', attempts: doc.attempts, nextAttemptAt: doc.nextAttemptAt },
    { $set: { nextAttemptAt: nextSendableAt(run.clock(), run.quiet) } },
  );
  return 'skipped';
}

/** attempts n → n+1 and the due time pushed past the lease, only if nobody moved it since we read it. */
async function claim(doc: NotificationDoc, now: Date): Promise<boolean> {
  const result = await NotificationModel.updateOne(
    { _id: doc._id, status: 'pending', attempts: doc.attempts, nextAttemptAt: { $lte: now } },
    { $set: { attempts: doc.attempts + 1, nextAttemptAt: new Date(now.getTime() + CLAIM_LEASE_MS) } },
  );
  return result.modifiedCount === 1;
}

async function recordFailure(doc: NotificationDoc, attempt: number, message: string, run: Run): Promise<Outcome> {
  const isFinal = attempt >= MAX_ATTEMPTS;
  const retryAt = new Date(run.clock().getTime() + retryDelayMinutes(attempt) * MINUTE_MS);
  const nextAttemptAt = isFinal ? null : doc.quietHours ? nextSendableAt(retryAt, run.quiet) : retryAt;
  const recorded = await NotificationModel.updateOne(
    { _id: doc._id, status: 'pending', attempts: attempt },
    { $set: { status: isFinal ? 'failed' : 'pending', nextAttemptAt, lastError: message } },
  );
  run.log.warn({ notificationId: doc._id, template: doc.template, attempt, isFinal, error: message }, isFinal ? 'notification failed for good' : 'notification send failed; will retry');
  if (isFinal && recorded.modifiedCount === 1) await onQuestionSmsFailed(doc._id, run.keys, run.clock());
  return isFinal ? 'failed' : 'retried';
}

// A gateway's error may echo the number it was given; the stored and logged error must not.
function scrub(error: unknown, phone: string | null): string {
  let message = error instanceof Error ? error.message : String(error);
  if (phone) message = message.split(phone).join(maskPhone(phone));
  return message.replace(/(?<!\d)1[3-9]\d{9}(?!\d)/g, (mobile) => maskPhone(mobile)).slice(0, 500);
}

import { createHash, randomUUID } from 'node:crypto';
import type { Config } from '../config/env.ts';
import { createOrder } from '../dispatch/index.ts';
import { DomainError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import { isDuplicateKeyError } from '../shared/mongo-errors.ts';
import type { Actor } from '../shared/roles.ts';
import { SYSTEM_ACTOR_ID } from '../shared/roles.ts';
import { businessDay } from '../shared/time.ts';
import { CarePlanModel, OccurrenceModel, type CarePlanDoc } from './care-plan.model.ts';
import { occurrenceDays, zonedInstant } from './care-plan.schedule.ts';

export interface GenerationCounts {
  plans: number;
  created: number;
  skipped: number;
  existing: number;
  failed: number;
}

/** A claim without an order this old is a run that died between its two writes: take it over. */
export const STALE_CLAIM_MS = 10 * 60_000;

const SYSTEM_ACTOR: Actor = { id: SYSTEM_ACTOR_ID, role: 'admin', communityIds: [], streetId: null, providerId: null, caregiverId: null };

/** Reasons that belong to the day, not to the run: the day is skipped and tried again next run. */
const SKIP_CODES = new Set(['NOT_ELIGIBLE', 'NOT_FOUND', 'VALIDATION_FAILED']);

type Outcome = 'created' | 'skipped' | 'existing' | 'failed';

/**
 * Creates the orders of every active plan for the days [today, today + horizonDays) that fall on
 * its weekdays and within its dates, at the plan's time in the business time zone. Occurrences
 * already past are left alone. Idempotent per (plan, day) through the claim documents.
 */
export async function generateCarePlanOrders(
  config: Config,
  logger: Logger,
  today: string = businessDay(new Date(), config.businessTimeZone),
  horizonDays = 7,
  options: { now?: Date; signal?: AbortSignal } = {},
): Promise<GenerationCounts> {
  const now = options.now ?? new Date();
  const counts: GenerationCounts = { plans: 0, created: 0, skipped: 0, existing: 0, failed: 0 };
  for await (const plan of CarePlanModel.find({ status: 'active' }).lean().cursor({ batchSize: 500 })) {
    if (options.signal?.aborted) break;
    counts.plans += 1;
    for (const day of occurrenceDays(plan, today, horizonDays)) {
      const scheduledStart = zonedInstant(day, plan.time, config.businessTimeZone);
      if (scheduledStart.getTime() <= now.getTime()) continue;
      counts[await generateOccurrence(plan as CarePlanDoc, day, scheduledStart, { config, logger, now })] += 1;
    }
  }
  logger.info({ ...counts, today, horizonDays }, 'care-plan orders generated');
  return counts;
}

/** A deterministic 24-hex order id for one (plan, day). */
export function occurrenceOrderId(claimId: string): string {
  return createHash('sha256').update(`care-plan-order:${claimId}`).digest('hex').slice(0, 24);
}

async function generateOccurrence(plan: CarePlanDoc, day: string, scheduledStart: Date, ctx: { config: Config; logger: Logger; now: Date }): Promise<Outcome> {
  const claimId = `${String(plan._id)}:${day}`;
  const token = randomUUID();
  if (!(await claimOccurrence(claimId, String(plan._id), day, token, ctx.now))) return 'existing';
  try {
    const { order } = await createOrder(
      { seniorId: plan.seniorId, serviceTypeCode: plan.serviceTypeCode, quantity: plan.quantity, scheduledStart: scheduledStart.toISOString(), source: 'care_plan' },
      { actor: SYSTEM_ACTOR, config: ctx.config, requestId: null, now: ctx.now },
      // The same id for the same (plan, day): a run that takes over a claim whose first run died
      // after creating the order finds that order instead of making a second one.
      { orderId: occurrenceOrderId(claimId) },
    );
    await OccurrenceModel.updateOne({ _id: claimId, claimToken: token }, { $set: { status: 'created', orderId: String(order._id), reason: null } });
    return 'created';
  } catch (error) {
    if (error instanceof DomainError && SKIP_CODES.has(error.code)) {
      const reason = [error.code, ...error.details.map((detail) => detail.message)].join(': ');
      await OccurrenceModel.updateOne({ _id: claimId, claimToken: token }, { $set: { status: 'skipped', reason } });
      return 'skipped';
    }
    // The claim stays without an order; the first run after it goes stale tries the day again.
    ctx.logger.error({ err: error, planId: String(plan._id), day }, 'care-plan occurrence failed');
    return 'failed';
  }
}

/**
 * True when this run owns the (plan, day): it inserted the claim, or took over a skipped one or
 * one left stale by a crash. The conditional update lets exactly one of two racing runs win.
 */
async function claimOccurrence(claimId: string, planId: string, day: string, token: string, now: Date): Promise<boolean> {
  try {
    await OccurrenceModel.create({ _id: claimId, planId, day, status: 'claimed', claimToken: token, claimedAt: now, orderId: null, reason: null });
    return true;
  } catch (error) {
    if (!isDuplicateKeyError(error)) throw error;
  }
  const takenOver = await OccurrenceModel.findOneAndUpdate(
    { _id: claimId, orderId: null, $or: [{ status: 'skipped' }, { status: 'claimed', claimedAt: { $lt: new Date(now.getTime() - STALE_CLAIM_MS) } }] },
    { $set: { status: 'claimed', claimToken: token, claimedAt: now, reason: null } },
    { returnDocument: 'after' },
  ).lean();
  return takenOver !== null;
}

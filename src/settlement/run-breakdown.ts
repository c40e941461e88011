import { HELD_BACK_REASONS, type HeldBackReason } from './settlement.model.ts';

/*
 * Where every order a settlement run saw went (issue 17: "已处理 8 个工单" beside statements
 * holding 7, with nothing held back, could not be reconciled). Each order of the run's scan falls
 * in exactly one bucket, so the buckets add up to `ordersSeen`:
 * - newLines: a new service line of a visit confirmed in the period;
 * - carriedOver: a new service line of a visit confirmed in an earlier month (carried over);
 * - unchanged: the visit has its line already (an earlier run of the period, or an earlier
 *   period's draft), nothing to do;
 * - heldBack: a check refused it (per reason below), it waits in the draft's held-back list;
 * - alreadySettled: its line is in an approved or paid statement (marked settled if it was not);
 * - deferred: the provider's statement of this period is approved already, the visit goes to the next;
 * - disputed: disputed or rejected (its line taken out of a draft, or its subsidy recovered);
 * - notBillable: cancelled (a provider's penalty, if any, is a charge line, not a visit) or without a provider.
 * The same figures are kept twice: in the run's counts (the job run record: this run alone) and on
 * the period's progress record, added per batch in the update that records the batch, so a run
 * resumed after a crash still reports the whole period's scan (a batch redone after a crash counts
 * again, with its orders then `unchanged`: the sum still equals `ordersSeen`, kept by the same update).
 */
export const BREAKDOWN_BUCKETS = ['newLines', 'carriedOver', 'unchanged', 'heldBack', 'alreadySettled', 'deferred', 'disputed', 'notBillable'] as const;
export type BreakdownBucket = (typeof BREAKDOWN_BUCKETS)[number];

/** One batch's (or one run's) breakdown: orders per bucket, and the held-back ones per reason. */
export interface RunTally {
  buckets: Record<BreakdownBucket, number>;
  heldBackByReason: Record<HeldBackReason, number>;
}

export function emptyTally(): RunTally {
  return {
    buckets: Object.fromEntries(BREAKDOWN_BUCKETS.map((bucket) => [bucket, 0])) as Record<BreakdownBucket, number>,
    heldBackByReason: Object.fromEntries(HELD_BACK_REASONS.map((reason) => [reason, 0])) as Record<HeldBackReason, number>,
  };
}

/** The breakdown a new run of the period starts its progress record with (every figure present, at 0). */
export function storedZeroTally(): Record<string, unknown> {
  const zero = emptyTally();
  return { ...zero.buckets, heldBackByReason: zero.heldBackByReason };
}

/** The $inc of a batch's tally on the progress record (nothing for a bucket the batch left empty). */
export function tallyIncrement(tally: RunTally): Record<string, number> {
  const inc: Record<string, number> = {};
  for (const [bucket, count] of Object.entries(tally.buckets)) if (count > 0) inc[`breakdown.${bucket}`] = count;
  for (const [reason, count] of Object.entries(tally.heldBackByReason)) if (count > 0) inc[`breakdown.heldBackByReason.${reason}`] = count;
  return inc;
}

/** The breakdown as the API answers it, from a progress record; null for a run recorded before breakdowns. */
export function breakdownView(ordersSeen: number, stored: unknown) {
  if (!stored || typeof stored !== 'object') return null;
  const raw = stored as { heldBackByReason?: Record<string, number> } & Record<string, unknown>;
  const count = (value: unknown) => (typeof value === 'number' ? value : 0);
  const buckets = Object.fromEntries(BREAKDOWN_BUCKETS.map((bucket) => [bucket, count(raw[bucket])])) as Record<BreakdownBucket, number>;
  return {
    ordersSeen,
    ...buckets,
    heldBackByReason: HELD_BACK_REASONS.map((reasonCode) => ({ reasonCode, count: count(raw.heldBackByReason?.[reasonCode]) })).filter((row) => row.count > 0),
  };
}
export type RunBreakdownView = NonNullable<ReturnType<typeof breakdownView>>;

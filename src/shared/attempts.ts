import type { Model } from 'mongoose';

/**
 * Limited tries at a secret (a visit code, a senior's PIN), counted on the document that holds it.
 *
 * A try is claimed before the answer is compared: one conditional increment whose filter requires
 * a try to be left. Reading the count first and incrementing after a wrong answer would let
 * concurrent guesses all see "4 wrong so far" and all be compared — a brute force by parallel
 * requests. Claimed first, the sixth of six simultaneous guesses finds no try left and is never
 * compared. A crash after the claim costs the caller one try, never the other way round.
 */

/**
 * Claims one try of `field` on the document `_id` (`filter` adds conditions, e.g. a PIN being
 * set). Answers the tries used including this one and the document as it is after the claim, or
 * null when no try is left or the document does not match.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any model: the counter field is named by the caller
export async function claimTry<D>(model: Model<any>, id: unknown, field: string, maxTries: number, filter: Record<string, unknown> = {}): Promise<{ used: number; document: D } | null> {
  const claimed = await model.findOneAndUpdate({ _id: id, ...filter, [field]: { $lt: maxTries } }, { $inc: { [field]: 1 } }, { returnDocument: 'after' }).lean<Record<string, unknown>>();
  return claimed ? { used: Number(claimed[field]), document: claimed as D } : null;
}

/**
 * A right answer: its own claim is given back, and the earlier wrong tries are forgiven when no
 * other try was claimed meanwhile (the count is still the one this try left). When one was, only
 * this try is given back, so a guess running beside the right answer still counts.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export async function forgiveTries(model: Model<any>, id: unknown, field: string, usedWithThisTry: number): Promise<void> {
  const reset = await model.updateOne({ _id: id, [field]: usedWithThisTry }, { $set: { [field]: 0 } });
  if (reset.matchedCount === 0) await model.updateOne({ _id: id, [field]: { $gt: 0 } }, { $inc: { [field]: -1 } });
}

/** "还可尝试3次": the detail of a wrong answer (the caregiver reads it on the phone). */
export function triesLeftMessage(maxTries: number, usedWithThisTry: number): string {
  const left = Math.max(0, maxTries - usedWithThisTry);
  return left === 0 ? '已无尝试机会，已锁定' : `还可尝试${left}次`;
}

import { getServiceType } from '../organisation/index.ts';
import { DomainError } from '../shared/errors.ts';
import { CapUsageModel, type CountedHold } from './cap-usage.model.ts';

/** The caps that apply to one service in one month; null where the policy sets none. */
export interface ServiceCaps {
  monthlyFen: number | null;
  maxSubsidySharePct: number | null;
  monthlyVisits: number | null;
}

export interface CapUsage {
  subsidyFen: number;
  visits: Record<string, number>;
}

/** The senior's use of the month's caps: one read by key. */
export async function capUsageOf(seniorId: string, month: string): Promise<CapUsage> {
  const usage = await CapUsageModel.findById(`${seniorId}:${month}`).lean();
  return { subsidyFen: usage?.subsidyFen ?? 0, visits: { ...((usage?.visits ?? {}) as Record<string, number>) } };
}

const yuan = (fen: number) => (fen / 100).toFixed(2);

/**
 * Refuses with CAP_EXCEEDED what finds no room under the month's caps: the service's visit quota
 * used up (the Nth visit passes, the N+1th does not), or the monthly subsidy — with `wholeFen`, one
 * that would take the month past the cap (used + wholeFen ≤ cap passes, one fen more does not);
 * without, a month already at its cap (the fen below it still lets an order through, its subsidy
 * lowered to that fen). Named in `details` with the cap, its amount and what is used, in Chinese.
 */
export async function assertCapRoom(caps: ServiceCaps, usage: CapUsage, serviceTypeCode: string, month: string, wholeFen?: number): Promise<void> {
  const visitsUsed = usage.visits[serviceTypeCode] ?? 0;
  if (caps.monthlyVisits !== null && visitsUsed >= caps.monthlyVisits) {
    // The service by the name people know it by (read only on a refusal); its code stays in meta.
    const serviceName = (await getServiceType(serviceTypeCode))?.name ?? serviceTypeCode;
    throw new DomainError('CAP_EXCEEDED', [{ path: 'caps.perService.monthlyVisits', message: `服务“${serviceName}”每月补贴限 ${caps.monthlyVisits} 次，${month} 已用 ${visitsUsed} 次` }], undefined,
      { cap: 'monthlyVisits', serviceTypeCode, limit: caps.monthlyVisits, used: visitsUsed, month });
  }
  if (caps.monthlyFen !== null && usage.subsidyFen + Math.max(wholeFen ?? 1, 1) > caps.monthlyFen) {
    const asked = wholeFen === undefined ? '' : `，本次补贴 ${yuan(wholeFen)} 元将超出上限`;
    throw new DomainError('CAP_EXCEEDED', [{ path: 'caps.monthlyFen', message: `每月补贴上限 ${yuan(caps.monthlyFen)} 元，${month} 已用 ${yuan(usage.subsidyFen)} 元${asked}` }], undefined,
      { cap: 'monthlyFen', limit: caps.monthlyFen, used: usage.subsidyFen, month, ...(wholeFen === undefined ? {} : { askedFen: wholeFen }) });
  }
}

/**
 * Counts `holdRef` in the month's usage, lowered to the cap's room (`whole`: the whole amount or
 * CAP_EXCEEDED); answers the fen counted.
 */
export async function reserveCapRoom(input: { holdRef: string; seniorId: string; month: string; serviceTypeCode: string }, caps: ServiceCaps, wantedFen: number, whole = false): Promise<number> {
  const _id = `${input.seniorId}:${input.month}`;
  await CapUsageModel.updateOne({ _id }, { $setOnInsert: { seniorId: input.seniorId, month: input.month, subsidyFen: 0, visits: {}, holds: {}, seq: 0 } }, { upsert: true });
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const usage = await CapUsageModel.findById(_id).lean();
    if (!usage) continue;
    const counted = (usage.holds as Record<string, CountedHold>)[input.holdRef];
    if (counted) return counted.fen;
    const visits = usage.visits as Record<string, number>;
    await assertCapRoom(caps, { subsidyFen: usage.subsidyFen, visits }, input.serviceTypeCode, input.month, whole ? wantedFen : undefined);
    const fen = caps.monthlyFen === null ? wantedFen : Math.min(wantedFen, caps.monthlyFen - usage.subsidyFen);
    const moved = await CapUsageModel.updateOne({ _id, seq: usage.seq }, {
      $inc: { subsidyFen: fen, [`visits.${input.serviceTypeCode}`]: 1, seq: 1 },
      $set: { [`holds.${input.holdRef}`]: { fen, serviceTypeCode: input.serviceTypeCode, at: new Date() } },
    });
    if (moved.modifiedCount === 1) return fen;
  }
  throw new Error(`cap usage ${_id} kept moving; retry`);
}

/** Takes a released (or never made) hold out of its month's usage; nothing counted, nothing to do. */
export async function releaseCapRoom(seniorId: string, holdRef: string): Promise<void> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const usage = await CapUsageModel.findOne({ seniorId, [`holds.${holdRef}`]: { $exists: true } }).lean();
    if (!usage) return;
    const counted = (usage.holds as Record<string, CountedHold>)[holdRef] as CountedHold;
    const moved = await CapUsageModel.updateOne({ _id: usage._id, seq: usage.seq }, {
      $inc: { subsidyFen: -counted.fen, [`visits.${counted.serviceTypeCode}`]: -1, seq: 1 },
      $unset: { [`holds.${holdRef}`]: '' },
    });
    if (moved.modifiedCount === 1) return;
  }
  throw new Error(`cap usage of ${seniorId} kept moving; retry`);
}

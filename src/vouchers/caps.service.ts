import { accountOf, holdForOrder } from './account.service.ts';
import { assertCapRoom, capUsageOf, releaseCapRoom, reserveCapRoom, type ServiceCaps } from './cap-room.ts';
import { subsidyFor } from './entitlement.ts';
import { policyForMonth, type PolicyCaps } from './policy.service.ts';

export function capsForService(caps: PolicyCaps | undefined, serviceTypeCode: string): ServiceCaps {
  const service = caps?.perService.find((entry) => entry.serviceTypeCode === serviceTypeCode);
  return { monthlyFen: caps?.monthlyFen ?? null, maxSubsidySharePct: service?.maxSubsidySharePct ?? null, monthlyVisits: service?.monthlyVisits ?? null };
}

/** The order's subsidy rate under the service's share cap: the lower of the two. */
export const cappedRatePct = (subsidyRatePct: number, caps: ServiceCaps): number =>
  caps.maxSubsidySharePct === null ? subsidyRatePct : Math.min(subsidyRatePct, caps.maxSubsidySharePct);

export interface SubsidyRequest {
  holdRef: string;
  seniorId: string;
  /** The service month ('YYYY-MM' of the visit's day): its policy and its caps. */
  month: string;
  serviceTypeCode: string;
  priceFen: number;
  subsidyRatePct: number;
  by: string;
}

/** Before anything is stored: refuses (CAP_EXCEEDED) a senior with no room left for the service this month. */
export async function assertRoomForOrder(input: Pick<SubsidyRequest, 'seniorId' | 'month' | 'serviceTypeCode'>): Promise<void> {
  const [policy, usage] = await Promise.all([policyForMonth(input.month), capUsageOf(input.seniorId, input.month)]);
  await assertCapRoom(capsForService(policy?.caps, input.serviceTypeCode), usage, input.serviceTypeCode, input.month);
}

/**
 * The subsidy of an order at a price, held on the senior's vouchers under `holdRef`:
 * min(price × min(rate, the service's share cap), available, the month's cap room). The room is
 * reserved on the month's usage document first (conditional on what was read, so two orders never
 * both take the last of it), then held; a hold the balance can no longer cover gives the room back
 * and reads again. CAP_EXCEEDED when the month has no room left. Retried with the same ref, it
 * answers the hold it made.
 */
export async function holdSubsidy(input: SubsidyRequest): Promise<{ subsidyFen: number; holdRef: string | null }> {
  const policy = await policyForMonth(input.month);
  const caps = capsForService(policy?.caps, input.serviceTypeCode);
  const wantedFen = subsidyFor(input.priceFen, cappedRatePct(input.subsidyRatePct, caps));
  for (let attempt = 0; attempt < 3 && wantedFen > 0; attempt += 1) {
    const { availableFen } = await accountOf(input.seniorId);
    if (availableFen === 0) break;
    const reservedFen = await reserveCapRoom(input, caps, Math.min(wantedFen, availableFen));
    try {
      const held = await holdForOrder({ orderId: input.holdRef, seniorId: input.seniorId, amountFen: reservedFen, by: input.by });
      return { subsidyFen: held.entry.heldDeltaFen, holdRef: input.holdRef };
    } catch (error) {
      await releaseCapRoom(input.seniorId, input.holdRef);
      // Another order took the balance between reading it and holding: read it again.
      if ((error as { code?: string }).code !== 'INSUFFICIENT_BALANCE') throw error;
    }
  }
  return { subsidyFen: 0, holdRef: null };
}


export interface CapsView {
  month: string;
  monthlyFen: number | null;
  usedFen: number;
  perService: { serviceTypeCode: string; maxSubsidySharePct: number | null; monthlyVisits: number | null; visitsUsed: number }[];
}

/** The month's caps and what the senior has used of them (held or redeemed), for the voucher panel. */
export async function capsViewOf(seniorId: string, month: string): Promise<CapsView> {
  const [policy, usage] = await Promise.all([policyForMonth(month), capUsageOf(seniorId, month)]);
  return {
    month,
    monthlyFen: policy?.caps.monthlyFen ?? null,
    usedFen: usage.subsidyFen,
    perService: (policy?.caps.perService ?? []).map((entry) => ({
      serviceTypeCode: entry.serviceTypeCode, maxSubsidySharePct: entry.maxSubsidySharePct ?? null, monthlyVisits: entry.monthlyVisits ?? null,
      visitsUsed: usage.visits[entry.serviceTypeCode] ?? 0,
    })),
  };
}

/**
 * A provider's uploaded visit comes with its subsidy: it is held whole or not at all. Checks the
 * caps before the order is stored (CAP_EXCEEDED), the amount already shrunk by the share cap.
 */
export async function assertRoomForVisit(input: Pick<SubsidyRequest, 'seniorId' | 'month' | 'serviceTypeCode'> & { amountFen: number }): Promise<void> {
  const [policy, usage] = await Promise.all([policyForMonth(input.month), capUsageOf(input.seniorId, input.month)]);
  await assertCapRoom(capsForService(policy?.caps, input.serviceTypeCode), usage, input.serviceTypeCode, input.month, input.amountFen);
}

/** Holds an uploaded visit's whole subsidy within the month's caps (CAP_EXCEEDED, INSUFFICIENT_BALANCE). */
export async function holdWholeSubsidy(input: Pick<SubsidyRequest, 'holdRef' | 'seniorId' | 'month' | 'serviceTypeCode' | 'by'> & { amountFen: number }) {
  const policy = await policyForMonth(input.month);
  await reserveCapRoom(input, capsForService(policy?.caps, input.serviceTypeCode), input.amountFen, true);
  try {
    return await holdForOrder({ orderId: input.holdRef, seniorId: input.seniorId, amountFen: input.amountFen, by: input.by });
  } catch (error) {
    await releaseCapRoom(input.seniorId, input.holdRef);
    throw error;
  }
}

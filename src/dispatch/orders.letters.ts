import { OrderModel } from './order.model.ts';
import type { OrderStatus } from './order.state-machine.ts';

/** A visit as the senior's monthly letter lists it: nothing beyond what the senior was billed for. */
export interface VisitForLetter {
  orderId: string;
  seniorId: string;
  /** When the caregiver arrived (else the scheduled start). */
  at: Date;
  serviceTypeCode: string;
  providerId: string | null;
  subsidyFen: number;
  selfPayFen: number;
  /** Disputed after confirmation, not resolved yet: the letter says so. */
  isDisputed: boolean;
}

/** Confirmed in the month (settlement's period key), whatever happened since — settled or disputed. */
const LETTER_STATUSES: OrderStatus[] = ['confirmed', 'settled', 'disputed'];

/**
 * The visits confirmed in `month` (Asia/Shanghai, `confirmedMonth`) for a batch of seniors, in
 * time order: one find by `seniorId $in` and `confirmedMonth` equality. Both are top-level string
 * equalities the embedded FerretDB pushes down to SQLite, which walks the (seniorId,
 * scheduledStart) index for the batch's seniors and checks the month there, so the read costs the
 * batch's orders, not the district's.
 */
export async function visitsForLetters(seniorIds: string[], month: string): Promise<VisitForLetter[]> {
  if (seniorIds.length === 0) return [];
  const orders = await OrderModel.find(
    { seniorId: { $in: seniorIds }, confirmedMonth: month, status: { $in: LETTER_STATUSES } },
    { seniorId: 1, scheduledStart: 1, checkIn: 1, serviceTypeCode: 1, providerId: 1, subsidyFen: 1, selfPayFen: 1, status: 1 },
  ).lean();
  return orders
    .map((order) => ({
      orderId: String(order._id), seniorId: order.seniorId, at: order.checkIn?.at ?? order.scheduledStart, serviceTypeCode: order.serviceTypeCode,
      providerId: order.providerId ?? null, subsidyFen: order.subsidyFen, selfPayFen: order.selfPayFen, isDisputed: order.status === 'disputed',
    }))
    .sort((a, b) => a.at.getTime() - b.at.getTime() || a.orderId.localeCompare(b.orderId));
}

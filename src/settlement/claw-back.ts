import type { Config } from '../config/env.ts';
import { visitsOfSeniorForSettlement, type OrderForSettlement } from '../dispatch/index.ts';
import { isDuplicateKeyError } from '../shared/mongo-errors.ts';
import { businessDay, businessMonth } from '../shared/time.ts';
import { refundForOrder } from '../vouchers/index.ts';
import { ClawBackModel, type ClawBackReason } from './claw-back.model.ts';
import { LineModel, StatementModel } from './settlement.model.ts';
import { takeLineOut } from './statement-lines.ts';

export interface ClawBackRequest {
  seniorId: string;
  /** The first day (Asia/Shanghai) whose visits could not have been for the senior. */
  fromDay: string;
  /** The day the span ends, not included (a discharge: the senior is home that day); null: no end. */
  toDay: string | null;
  reason: ClawBackReason;
  /** What happened, in Chinese, for the adjustment lines (老人于 2026-10-15 去世 …). */
  note: string;
  /** What asks for it, kept on each request: `life_event:<proposalId>`. */
  source: string;
  by: string;
  /**
   * Give the senior back the vouchers the recovered visits spent. The caller decides: a senior in a
   * hospital stay is still on the register and did not get the service (as with a visit rejected
   * after payment); a senior who died or moved away has a closed account whose balance has lapsed,
   * so a refund would only be lapsed again.
   */
  refundSenior: boolean;
  config: Config;
  now?: Date;
}

export interface ClawBackOutcome {
  /** Visits paid in approved or paid statements: recovered on the provider's next statement by the next run. */
  recovering: number;
  /** Visits on a draft's line: the line came out; the next run holds them back. */
  takenOutOfDrafts: number;
  /** Visits on no statement yet: the next run holds them back. */
  notYetSettled: number;
  /** Vouchers given back to the senior for the visits recovered (fen). */
  refundedFen: number;
}

/**
 * A confirmed life event found visits of the senior that could not have been for them (on or after
 * the day of a death or a move away, inside a hospital stay). Each is put where a visit rejected
 * after its statement was approved goes (PRODUCT.md §8: an approved statement never changes):
 * - paid in an approved or paid statement: a claw-back request keyed by the order, which the next
 *   settlement run turns into an adjustment line of minus its subsidy, `adjust:<order>`, on the
 *   provider's draft of the run's period (the current or next statement) — the line a rejection's
 *   recovery has, so one visit is never recovered twice whichever asks first;
 * - on a draft's line: the line comes out as a dispute's does, and the next run checks the visit
 *   again and holds it back (SENIOR_DECEASED / SENIOR_INACTIVE, from the senior's status log);
 * - on no statement yet: the next run holds it back.
 * Every step is keyed or conditional, so a retry (a confirmation cut by a crash) repeats nothing.
 */
export async function clawBackVisits(request: ClawBackRequest): Promise<ClawBackOutcome> {
  const outcome: ClawBackOutcome = { recovering: 0, takenOutOfDrafts: 0, notYetSettled: 0, refundedFen: 0 };
  const tz = request.config.businessTimeZone;
  const visits = (await visitsOfSeniorForSettlement(request.seniorId)).filter((visit) => {
    const day = businessDay(visit.checkInAt ?? visit.scheduledStart, tz);
    return day >= request.fromDay && (request.toDay === null || day < request.toDay);
  });
  if (visits.length === 0) return outcome;
  const lineOf = new Map((await LineModel.find({ _id: { $in: visits.map((visit) => visit.orderId) } }, { statementId: 1 }).lean()).map((line) => [line._id, line.statementId]));
  const statementIds = [...new Set(lineOf.values())];
  const statusOf = new Map((await StatementModel.find({ _id: { $in: statementIds } }, { status: 1 }).lean()).map((statement) => [statement._id, statement.status]));
  for (const visit of visits) {
    const statementId = lineOf.get(visit.orderId);
    if (!statementId) outcome.notYetSettled += 1;
    else if (statusOf.get(statementId) === 'draft') {
      if (await takeLineOut(visit.orderId, statementId)) outcome.takenOutOfDrafts += 1;
    } else {
      await requestRecovery(visit, statementId, request);
      outcome.recovering += 1;
      outcome.refundedFen += request.refundSenior ? await refundVisit(visit, request) : 0;
    }
  }
  return outcome;
}

async function requestRecovery(visit: OrderForSettlement, paidStatementId: string, request: ClawBackRequest): Promise<void> {
  const tz = request.config.businessTimeZone;
  try {
    await ClawBackModel.updateOne({ _id: visit.orderId }, {
      $setOnInsert: {
        seniorId: request.seniorId, providerId: visit.providerId ?? paidStatementId.slice(8), paidStatementId, visitDay: businessDay(visit.checkInAt ?? visit.scheduledStart, tz),
        reason: request.reason, note: request.note, source: request.source, requestedBy: request.by, requestedAt: request.now ?? new Date(), status: 'pending', statementId: null, recoveredAt: null,
      },
    }, { upsert: true });
  } catch (error) {
    // Two confirmations at once asked for the same visit: one request stands.
    if (!isDuplicateKeyError(error)) throw error;
  }
}

/** The visit's vouchers back to the senior, keyed by its hold as a rejected visit's refund is: once. */
async function refundVisit(visit: OrderForSettlement, request: ClawBackRequest): Promise<number> {
  if (!visit.holdRef || visit.subsidyFen === 0) return 0;
  const month = businessMonth(request.now ?? new Date(), request.config.businessTimeZone);
  const refund = await refundForOrder({ orderId: visit.holdRef, by: request.by, month, reason: request.note });
  return refund.isNew ? refund.entry.balanceDeltaFen : 0;
}

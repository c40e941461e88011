import { createHmac } from 'node:crypto';
import { attachOrderToStatement, detachOrderFromStatement } from '../dispatch/index.ts';
import { businessDay } from '../shared/time.ts';
import { refreshStatement } from './statement-totals.ts';
import { LineModel, SampleCheckModel, StatementModel } from './settlement.model.ts';

/** The statement of one provider for one period. */
export const statementIdOf = (period: string, providerId: string) => `${period}-${providerId}`;
export const STATEMENT_ID_PATTERN = /^\d{4}-(0[1-9]|1[0-2])-[0-9a-f]{24}$/;

export const lateLineId = (orderId: string) => `penalty:late:${orderId}`;
export const cancellationLineId = (orderId: string) => `penalty:cancel:${orderId}`;
export const carriedPenaltyLineId = (fromStatementId: string) => `penalty:carry:${fromStatementId}`;
export const adjustmentLineId = (orderId: string) => `adjust:${orderId}`;

/** The seeded rank that decides which lines are sampled for review (lowest first). */
export function sampleRankOf(secret: string, orderId: string): number {
  // Keyed: without the secret nobody can tell which visits will be called back.
  return Number.parseInt(createHmac('sha256', secret).update(orderId).digest('hex').slice(0, 12), 16);
}

/** A visit's time span for the duplicate check: what was recorded, else what was planned. */
export function visitSpan(visit: { checkInAt: Date | null; checkOutAt: Date | null; scheduledStart: Date; expectedMinutes: number }): [number, number] {
  const start = (visit.checkInAt ?? visit.scheduledStart).getTime();
  const end = visit.checkOutAt ? visit.checkOutAt.getTime() : start + visit.expectedMinutes * 60_000;
  return [start, Math.max(end, start + 60_000)];
}

export function visitClaimKey(seniorId: string, serviceTypeCode: string, startMs: number, timeZone: string): string {
  return `${seniorId}:${serviceTypeCode}:${businessDay(new Date(startMs), timeZone)}`;
}

/**
 * A disputed (or rejected) visit's line, wherever it is: the statement the order names (set when
 * that statement was approved), else the one its line is in — a draft, as a run does not write
 * orders. A draft's line comes out; an approved statement's stays, and an order not naming it yet
 * names it from now on, so a rejection is recovered from the statement that paid it. The dispute
 * hook and every run both come through here. Answers that statement (null: no line) and whether
 * the line came out.
 */
export async function followDisputedLine(orderId: string, namedStatementId: string | null): Promise<{ statementId: string | null; takenOut: boolean }> {
  const statementId = namedStatementId ?? (await LineModel.findById(orderId, { statementId: 1 }).lean())?.statementId ?? null;
  if (!statementId) return { statementId: null, takenOut: false };
  if (await takeLineOut(orderId, statementId)) return { statementId, takenOut: true };
  if (!namedStatementId) await attachOrderToStatement(orderId, 'statementId', statementId);
  return { statementId, takenOut: false };
}

/**
 * Takes a visit's line (and its late-arrival penalty) out of a DRAFT statement — a dispute, or a
 * line whose order is no longer confirmed — and recomputes the totals. An approved statement never
 * changes: false, the line stays, and a rejected visit is recovered in a later statement instead.
 * Each step can be repeated; a crash part-way is finished by the next run or approval.
 */
export async function takeLineOut(orderId: string, statementId: string): Promise<boolean> {
  const bumped = await StatementModel.updateOne({ _id: statementId, status: 'draft' }, { $inc: { linesVersion: 1 } });
  if (bumped.matchedCount === 0) return false;
  // The order lets go first: a crash after this leaves a line without its order, which the next run
  // (it reads the batch's lines by key) or approval (the order is no longer confirmed) settles;
  // the other way round an order could point at a line that no longer exists.
  await detachOrderFromStatement(orderId, 'statementId', statementId);
  // The line is the visit's claim for the duplicate check too: it goes with it.
  await LineModel.deleteOne({ _id: orderId, statementId });
  await LineModel.deleteOne({ _id: lateLineId(orderId), statementId });
  await SampleCheckModel.updateOne({ _id: orderId, statementId, status: 'open' }, { $set: { status: 'cancelled', note: '该服务明细已移出结算单' } });
  await refreshStatement(statementId);
  return true;
}


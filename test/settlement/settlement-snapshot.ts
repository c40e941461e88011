import { HeldBackModel, LineModel, SampleCheckModel, StatementModel, completeLine, type LineDoc } from '../../src/settlement/settlement.model.ts';

/**
 * Everything a run decides, without the clocks and run ids: statements (status, totals, counts),
 * every line with its amounts, held-back visits with their reasons, and the review sample. Two runs
 * that decided the same things have equal snapshots.
 */
export async function settlementSnapshot() {
  const statements = (await StatementModel.find({}).sort({ _id: 1 }).lean()).map((s) => ({
    id: s._id, period: s.period, providerId: s.providerId, status: s.status, totals: s.totals,
    lineCount: s.lineCount, penaltyCount: s.penaltyCount, adjustmentCount: s.adjustmentCount, heldBackCount: s.heldBackCount,
  }));
  const lines = (await LineModel.find({}).sort({ _id: 1 }).lean()).map((stored) => completeLine(stored as LineDoc)).map((l) => ({
    id: l._id, kind: l.kind, statementId: l.statementId, priceFen: l.priceFen, subsidyFen: l.subsidyFen, selfPayFen: l.selfPayFen,
    amountFen: l.amountFen, reason: l.reason, carriedOver: l.carriedOver, category: l.category, sampleRank: l.sampleRank,
  }));
  const heldBack = (await HeldBackModel.find({}).sort({ _id: 1 }).lean()).map((h) => ({ id: h._id, reasonCode: h.reasonCode }));
  const sampleChecks = (await SampleCheckModel.find({}).sort({ _id: 1 }).lean()).map((c) => ({ id: c._id, statementId: c.statementId, status: c.status }));
  return { statements, lines, heldBack, sampleChecks };
}

import { HeldBackModel, LineModel, StatementModel, ZERO_TOTALS, type LineDoc, type StatementTotals } from './settlement.model.ts';

/** What a statement's lines add up to, before the payable and the split are worked out. */
export interface LineSums {
  grossFen: number;
  subsidyFen: number;
  selfPayFen: number;
  penaltyFen: number;
  adjustmentFen: number;
  /** The city's part of the adjustments that carry their own split (by the month each corrects). */
  adjustmentCityFen: number;
  /** Adjustments without a split of their own (written before lines had one): the statement's split. */
  unsplitAdjustmentFen: number;
  lineCount: number;
  penaltyCount: number;
  adjustmentCount: number;
}

export const emptySums = (): LineSums => ({
  grossFen: 0, subsidyFen: 0, selfPayFen: 0, penaltyFen: 0, adjustmentFen: 0, adjustmentCityFen: 0, unsplitAdjustmentFen: 0, lineCount: 0, penaltyCount: 0, adjustmentCount: 0,
});

/** The fields of a line its statement's totals read. */
export const LINE_SUM_FIELDS = { kind: 1, priceFen: 1, subsidyFen: 1, selfPayFen: 1, amountFen: 1, cityFen: 1, adjustmentStatus: 1 } as const;

type SummedLine = Pick<LineDoc, 'kind' | 'priceFen' | 'subsidyFen' | 'selfPayFen' | 'amountFen'> & { cityFen?: number | null; adjustmentStatus?: string | null };

/** An adjustment counts unless it is a finance officer's own still waiting for, or refused, a second officer. */
export const adjustmentCounts = (line: { adjustmentStatus?: string | null }) => line.adjustmentStatus == null || line.adjustmentStatus === 'approved';

/**
 * The city's part of a signed amount at `cityPct`: rounded toward zero, so the rounding fen falls to
 * the district whichever way the money goes (the rule totalsOf applies to a payable).
 */
export function cityPartOf(amountFen: number, cityPct: number): number {
  const part = Math.floor((Math.abs(amountFen) * cityPct) / 100);
  return amountFen < 0 ? -part : part;
}

export function addLine(sums: LineSums, line: SummedLine): void {
  if (line.kind === 'service') {
    sums.grossFen += line.priceFen;
    sums.subsidyFen += line.subsidyFen;
    sums.selfPayFen += line.selfPayFen;
    sums.lineCount += 1;
  } else if (line.kind === 'penalty') {
    sums.penaltyFen += line.amountFen;
    sums.penaltyCount += 1;
  } else if (adjustmentCounts(line)) {
    sums.adjustmentFen += line.amountFen;
    if (line.cityFen == null) sums.unsplitAdjustmentFen += line.amountFen;
    else sums.adjustmentCityFen += line.cityFen;
    sums.adjustmentCount += 1;
  }
}

/**
 * payable = subsidy + adjustments − penalties, never below zero: what it would go below is carried
 * to the provider's next statement as a penalty line. The split: the city pays its percentage of
 * the payable rounded DOWN to the fen, the district pays the rest — so city + district = payable
 * exactly, and the rounding fen (at most one) always falls to the district, the buyer of the service.
 * An adjustment correcting an earlier month brings that month's split with it (its `cityFen`), so
 * the city's part is its share of the month's own net plus each adjustment's city part — held
 * between 0 and the payable: an adjustment recovering more from the city than the city owes this
 * month cannot make its part negative (the district's part takes the rest; rare, and visible in
 * the statement's adjustment lines, each with its own split).
 */
export function totalsOf(sums: LineSums, split: { cityPct: number; districtPct: number }): StatementTotals {
  const net = sums.subsidyFen + sums.adjustmentFen - sums.penaltyFen;
  const payableFen = Math.max(0, net);
  const ownNet = net - (sums.adjustmentFen - sums.unsplitAdjustmentFen);
  const cityFen = payableFen === 0 ? 0 : Math.min(payableFen, Math.max(0, cityPartOf(ownNet, split.cityPct) + sums.adjustmentCityFen));
  return {
    ...ZERO_TOTALS,
    grossFen: sums.grossFen,
    subsidyFen: sums.subsidyFen,
    selfPayFen: sums.selfPayFen,
    penaltyFen: sums.penaltyFen,
    adjustmentFen: sums.adjustmentFen,
    payableFen,
    cityFen,
    districtFen: payableFen - cityFen,
    carryForwardFen: Math.max(0, -net),
  };
}

/**
 * Writes a draft's totals from `sums`, provided its lines are still at `linesVersion` (nothing
 * took a line out meanwhile). False when they moved: the caller recomputes.
 */
export async function writeTotals(statementId: string, linesVersion: number, sums: LineSums, heldBackCount: number, split: { cityPct: number; districtPct: number }): Promise<boolean> {
  const written = await StatementModel.updateOne(
    { _id: statementId, status: 'draft', linesVersion },
    { $set: { totals: totalsOf(sums, split), lineCount: sums.lineCount, penaltyCount: sums.penaltyCount, adjustmentCount: sums.adjustmentCount, heldBackCount } },
  );
  return written.matchedCount === 1;
}

/** Recomputes one draft's totals from its own lines (after a line left it, or before approval). */
export async function refreshStatement(statementId: string): Promise<{ linesVersion: number } | null> {
  for (let attempt = 0; attempt < 20; attempt += 1) {
    const statement = await StatementModel.findById(statementId).lean();
    if (!statement || statement.status !== 'draft') return null;
    const sums = emptySums();
    for await (const line of LineModel.find({ statementId }, LINE_SUM_FIELDS).lean().cursor({ batchSize: 1000 })) addLine(sums, line);
    const heldBackCount = await HeldBackModel.countDocuments({ statementId });
    const split = { cityPct: statement.fundingSplit.cityPct as number, districtPct: statement.fundingSplit.districtPct as number };
    if (await writeTotals(statementId, statement.linesVersion, sums, heldBackCount, split)) return { linesVersion: statement.linesVersion };
  }
  throw new Error(`statement ${statementId} kept changing while its totals were computed`);
}

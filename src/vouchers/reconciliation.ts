import mongoose, { Schema } from 'mongoose';
import type { Logger } from '../shared/logger.ts';
import { repairCapUsage } from './cap-repair.ts';
import { completePending } from './ledger.ts';
import { AccountModel, EntryModel } from './ledger.model.ts';

// What a reconciliation run found wrong, one row per account: recorded for people to look at,
// never corrected by the job.
const findingSchema = new Schema(
  {
    _id: { type: String, required: true },
    runId: { type: String, required: true },
    seniorId: { type: String, required: true },
    account: { balanceFen: Number, heldFen: Number, availableFen: Number },
    entries: { balanceFen: Number, heldFen: Number },
    foundAt: { type: Date, required: true },
  },
  { collection: 'voucher_reconciliation_findings', versionKey: false },
);
export const ReconciliationFindingModel = mongoose.model('VoucherReconciliationFinding', findingSchema);

export interface ReconciliationCounts {
  accounts: number;
  mismatches: number;
  /** Movements a crash had left half-done, finished by this run (a protocol step, not a fix). */
  pendingCompleted: number;
  entries: number;
  /** Months of cap usage rebuilt from the ledger (cap-repair.ts). */
  capUsageRepaired: number;
}

/**
 * Proves account figures = Σ entries for every account (PRODUCT.md §6). First finishes movements
 * left pending by a crash — that is step 2 and 3 of the ledger protocol, which anyone may run —
 * then sums all entries in one streaming pass and compares account by account. Last, the cap
 * usage kept beside holds is rebuilt from the entries where it drifted (a repair: it is derived).
 */
export async function reconcileLedger(runId: string, logger: Logger, signal?: AbortSignal): Promise<ReconciliationCounts> {
  const counts: ReconciliationCounts = { accounts: 0, mismatches: 0, pendingCompleted: 0, entries: 0, capUsageRepaired: 0 };
  for await (const account of AccountModel.find({ pending: { $ne: null } }).lean().cursor()) {
    await completePending(account);
    counts.pendingCompleted += 1;
  }
  const sums = new Map<string, { balanceFen: number; heldFen: number }>();
  for await (const entry of EntryModel.find({}, { seniorId: 1, balanceDeltaFen: 1, heldDeltaFen: 1 }).lean().cursor({ batchSize: 2000 })) {
    const sum = sums.get(entry.seniorId) ?? { balanceFen: 0, heldFen: 0 };
    sum.balanceFen += entry.balanceDeltaFen;
    sum.heldFen += entry.heldDeltaFen;
    sums.set(entry.seniorId, sum);
    counts.entries += 1;
  }
  for await (const account of AccountModel.find({}).lean().cursor({ batchSize: 1000 })) {
    if (signal?.aborted) break;
    counts.accounts += 1;
    if (isConsistent(account, sums.get(String(account._id)))) continue;
    // The account may have moved while the entries were summed: look again at this one alone.
    const fresh = await AccountModel.findById(account._id).lean();
    if (!fresh || fresh.pending) continue;
    const entries = await EntryModel.find({ seniorId: String(account._id) }, { balanceDeltaFen: 1, heldDeltaFen: 1 }).lean();
    const sum = { balanceFen: entries.reduce((t, e) => t + e.balanceDeltaFen, 0), heldFen: entries.reduce((t, e) => t + e.heldDeltaFen, 0) };
    if (isConsistent(fresh, sum)) continue;
    counts.mismatches += 1;
    await ReconciliationFindingModel.updateOne(
      { _id: `${runId}:${String(account._id)}` },
      { $set: { runId, seniorId: String(account._id), account: { balanceFen: fresh.balanceFen, heldFen: fresh.heldFen, availableFen: fresh.availableFen }, entries: sum, foundAt: new Date() } },
      { upsert: true },
    );
    logger.error({ seniorId: String(account._id), account: { balanceFen: fresh.balanceFen, heldFen: fresh.heldFen }, entries: sum }, 'voucher account does not match its entries');
  }
  if (!signal?.aborted) counts.capUsageRepaired = await repairCapUsage(new Date(), signal);
  return counts;
}

function isConsistent(account: { balanceFen: number; heldFen: number; availableFen: number }, sum = { balanceFen: 0, heldFen: 0 }): boolean {
  return sum.balanceFen === account.balanceFen && sum.heldFen === account.heldFen && account.availableFen === account.balanceFen - account.heldFen && account.availableFen >= 0;
}

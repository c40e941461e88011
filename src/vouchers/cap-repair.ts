import { byKeys } from '../shared/by-keys.ts';
import { CapUsageModel, type CountedHold } from './cap-usage.model.ts';
import { EntryModel } from './ledger.model.ts';

/** A reservation this young may still be on its way to its hold (caps.service.ts): left alone. */
const IN_FLIGHT_MS = 10 * 60_000;

/**
 * Rebuilds each month's cap usage from the ledger: a counted hold that was released, or whose
 * hold never came (a crash between the reservation and the hold), is taken out; the amount of one
 * that was held is the hold's. Sums and visit counts are then recomputed from what is left, in
 * an update conditional on the document as read (a moving one is left to the next run). Answers
 * how many documents were corrected.
 */
export async function repairCapUsage(now: Date, signal?: AbortSignal): Promise<number> {
  let repaired = 0;
  for await (const usage of CapUsageModel.find({}).lean().cursor({ batchSize: 500 })) {
    if (signal?.aborted) break;
    const holds = usage.holds as Record<string, CountedHold>;
    const refs = Object.keys(holds);
    const keys = refs.flatMap((ref) => [`hold:${ref}`, `release:${ref}`]);
    const entries = keys.length === 0 ? [] : await EntryModel.find({ _id: { $in: keys } }, { heldDeltaFen: 1 }).setOptions(byKeys(keys.length)).lean();
    const found = new Map(entries.map((entry) => [String(entry._id), entry.heldDeltaFen]));
    const kept: Record<string, CountedHold> = {};
    for (const ref of refs) {
      const counted = holds[ref] as CountedHold;
      const heldFen = found.get(`hold:${ref}`);
      if (found.has(`release:${ref}`)) continue;
      if (heldFen === undefined && now.getTime() - new Date(counted.at).getTime() > IN_FLIGHT_MS) continue;
      kept[ref] = { ...counted, fen: heldFen ?? counted.fen };
    }
    const subsidyFen = Object.values(kept).reduce((sum, hold) => sum + hold.fen, 0);
    const visits: Record<string, number> = {};
    for (const hold of Object.values(kept)) visits[hold.serviceTypeCode] = (visits[hold.serviceTypeCode] ?? 0) + 1;
    const storedVisits = Object.fromEntries(Object.entries(usage.visits as Record<string, number>).filter(([, count]) => count !== 0));
    if (subsidyFen === usage.subsidyFen && Object.keys(kept).length === refs.length && JSON.stringify(sorted(visits)) === JSON.stringify(sorted(storedVisits))) continue;
    const moved = await CapUsageModel.updateOne({ _id: usage._id, seq: usage.seq }, { $set: { subsidyFen, visits, holds: kept }, $inc: { seq: 1 } });
    repaired += moved.modifiedCount;
  }
  return repaired;
}

const sorted = (record: Record<string, number>) => Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));

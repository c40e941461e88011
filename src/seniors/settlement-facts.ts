import { byKeys } from '../shared/by-keys.ts';
import { maskName } from '../shared/pii.ts';
import { businessDay } from '../shared/time.ts';
import { SeniorModel, type SeniorDoc, type SeniorStatus } from './senior.model.ts';
import { voucherBasisFor } from './voucher-basis.ts';

/** What settlement checks and reports about the senior of a line; no PII. */
export interface SeniorSettlementFacts {
  seniorId: string;
  /** The voucher categories of the line's month (the first, by need, is the line's category). */
  categories: string[];
  statusLog: { status: SeniorStatus; at: Date; effectiveDate: string | null }[];
  currentStatus: SeniorStatus;
  deactivationEffectiveDate: string | null;
  /** Why the senior was deactivated (deceased, moved_out, other); null while they are not. */
  deactivationReason: string | null;
}

/** One read by primary key; null when there is no such senior. */
export async function seniorSettlementFacts(seniorId: string, month: string): Promise<SeniorSettlementFacts | null> {
  if (!/^[0-9a-f]{24}$/.test(seniorId)) return null;
  const senior = await SeniorModel.findById(seniorId, FACTS_PROJECTION).lean();
  return senior ? factsOf(senior as SeniorDoc, month) : null;
}

/** seniorSettlementFacts of many seniors in one read; ids with no senior are absent. */
export async function seniorsSettlementFacts(seniorIds: string[], month: string): Promise<Map<string, SeniorSettlementFacts>> {
  const ids = seniorIds.filter((id) => /^[0-9a-f]{24}$/.test(id));
  if (ids.length === 0) return new Map();
  const seniors = await SeniorModel.find({ _id: { $in: ids } }, FACTS_PROJECTION).setOptions(byKeys(ids.length)).lean();
  return new Map(seniors.map((senior) => [String(senior._id), factsOf(senior as SeniorDoc, month)]));
}

/** The masked names (maskName) of many seniors in one read by key, for statement files; unknown ids are absent. */
export async function seniorsMaskedNames(seniorIds: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(seniorIds.filter((id) => /^[0-9a-f]{24}$/.test(id)))];
  if (ids.length === 0) return new Map();
  const seniors = await SeniorModel.find({ _id: { $in: ids } }, { name: 1 }).setOptions(byKeys(ids.length)).lean();
  return new Map(seniors.map((senior) => [String(senior._id), maskName(senior.name)]));
}

export const FACTS_PROJECTION = { categories: 1, careLevel: 1, assessedAt: 1, voucherBasis: 1, voucherBasisNext: 1, status: 1, statusLog: 1, deactivation: 1 } as const;

/** The facts of a senior document read with at least FACTS_PROJECTION. */
export function factsOf(senior: SeniorDoc, month: string): SeniorSettlementFacts {
  return {
    seniorId: String(senior._id),
    categories: voucherBasisFor(senior, month).categories,
    statusLog: (senior.statusLog ?? []).map((entry) => ({ status: entry.status as SeniorStatus, at: entry.at as Date, effectiveDate: entry.effectiveDate ?? null })),
    currentStatus: senior.status as SeniorStatus,
    deactivationEffectiveDate: senior.deactivation?.effectiveDate ?? null,
    deactivationReason: senior.deactivation?.reason ?? null,
  };
}

/**
 * The senior's status at the instant of a visit. Deactivation counts from its effective day (it is
 * often reported after the fact: a visit after a death or a move is not payable even if the record
 * was closed later); every other change counts from the moment it was made. Records written before
 * the log existed answer their current status, with the deactivation day still honoured.
 */
export function seniorStatusAt(facts: SeniorSettlementFacts, instant: Date, timeZone: string): SeniorStatus {
  const day = businessDay(instant, timeZone);
  if (facts.deactivationEffectiveDate && facts.currentStatus === 'deactivated' && day >= facts.deactivationEffectiveDate) return 'deactivated';
  if (facts.statusLog.length === 0) return facts.currentStatus === 'deactivated' ? 'active' : facts.currentStatus;
  let status: SeniorStatus = 'pending_review';
  for (const entry of facts.statusLog) {
    if (entry.status === 'deactivated') continue; // decided above by its effective day
    if (entry.at.getTime() <= instant.getTime()) status = entry.status;
  }
  return status;
}

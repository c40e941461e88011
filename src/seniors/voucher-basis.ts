import { businessMonth } from '../shared/time.ts';
import { SeniorModel, type SeniorDoc } from './senior.model.ts';

export interface VoucherBasis {
  categories: string[];
  careLevel: number;
  assessedAt: string;
}

/** The senior's categories, care level and assessment date as they count for vouchers of `month`. */
export function voucherBasisFor(senior: Pick<SeniorDoc, 'categories' | 'careLevel' | 'assessedAt' | 'voucherBasis' | 'voucherBasisNext'>, month: string): VoucherBasis {
  const next = senior.voucherBasisNext;
  if (next?.fromMonth && next.fromMonth <= month) return { categories: [...(next.categories ?? [])], careLevel: next.careLevel as number, assessedAt: next.assessedAt as string };
  const basis = senior.voucherBasis;
  // Records enrolled before the basis existed count with their current values.
  if (!basis) return { categories: [...senior.categories], careLevel: senior.careLevel, assessedAt: senior.assessedAt };
  return { categories: [...(basis.categories ?? [])], careLevel: basis.careLevel as number, assessedAt: basis.assessedAt as string };
}

/** The update that records an edit of the basis: effective from the month after `now`. */
export function basisChangeFor(senior: SeniorDoc, changed: VoucherBasis, now: Date, timeZone: string): Record<string, unknown> {
  const thisMonth = businessMonth(now, timeZone);
  const [year, month] = thisMonth.split('-').map(Number) as [number, number];
  const fromMonth = month === 12 ? `${year + 1}-01` : `${year}-${String(month + 1).padStart(2, '0')}`;
  return { voucherBasis: voucherBasisFor(senior, thisMonth), voucherBasisNext: { ...changed, fromMonth } };
}

export interface SeniorForIssuance {
  seniorId: string;
  communityId: string;
  birthDate: string;
  basis: VoucherBasis;
}

/**
 * Seniors who receive vouchers for `month` — active or suspended (suspension does not stop
 * issuance) — streamed in batches, never the whole registry in memory.
 */
export async function* seniorsForIssuance(month: string): AsyncGenerator<SeniorForIssuance> {
  // Only what the credit needs: the registry's encrypted fields and history stay in the database.
  const projection = { communityId: 1, birthDate: 1, categories: 1, careLevel: 1, assessedAt: 1, voucherBasis: 1, voucherBasisNext: 1 };
  const cursor = SeniorModel.find({ status: { $in: ['active', 'suspended'] } }, projection).sort({ _id: 1 }).lean().cursor({ batchSize: 500 });
  for await (const senior of cursor) {
    yield { seniorId: String(senior._id), communityId: senior.communityId, birthDate: senior.birthDate, basis: voucherBasisFor(senior, month) };
  }
}

/** One senior's voucher facts for `month`, or null when there is no such senior. */
export async function seniorForIssuance(seniorId: string, month: string): Promise<SeniorForIssuance | null> {
  const senior = /^[0-9a-f]{24}$/.test(seniorId) ? await SeniorModel.findById(seniorId).lean() : null;
  return senior ? { seniorId, communityId: senior.communityId, birthDate: senior.birthDate, basis: voucherBasisFor(senior, month) } : null;
}

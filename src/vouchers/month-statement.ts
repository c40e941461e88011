import { byKeys } from '../shared/by-keys.ts';
import { addMonths, businessMonth, businessMonthBounds } from '../shared/time.ts';
import { expiryCutoff } from './issuance.service.ts';
import { AccountModel, EntryModel, type AccountDoc, type EntryDoc } from './ledger.model.ts';
import { policyForMonth } from './policy.service.ts';

/**
 * A senior's vouchers over one month as the monthly letter prints them, from the ledger entries:
 * opening + issued + adjusted + refunded − used − lapsed = closing. `heldFen` is the part of the
 * closing balance set aside for visits booked and not yet confirmed.
 */
export interface VoucherMonthStatement {
  seniorId: string;
  month: string;
  openingFen: number;
  issuedFen: number;
  usedFen: number;
  /** Manual corrections of the month, signed. */
  adjustedFen: number;
  /** Redeemed amounts given back (a dispute upheld after settlement). */
  refundedFen: number;
  /** Credits that lapsed at the month's end (the policy's expiry) or at a deactivation during it. */
  lapsedFen: number;
  closingFen: number;
  closingHeldFen: number;
}

type Entry = Pick<EntryDoc, 'type' | 'balanceDeltaFen' | 'heldDeltaFen' | 'month' | 'createdAt'> & { _id: string };

/**
 * The statements of month M for a batch of seniors (a page of a community's register), in three
 * reads whatever the senior's history:
 *   - the accounts, by `_id $in` (primary key);
 *   - the entries created since M began, by `seniorId $in` and a createdAt range — on MongoDB the
 *     (seniorId, createdAt) index; on FerretDB the $in goes through that index and the range is
 *     checked over those seniors' entries (a few per month of their history);
 *   - the month's issue entries by key (`issue:<senior>:<M>`), in case one was written before M began.
 * The closing balance is the account's balance less everything that counts after M, so the
 * entries before M are never read; the opening balance is the closing less the month's movements.
 *
 * Which month an entry counts in: an issue, the month it was issued for; the lapse at a month's
 * end (`expire:<senior>:<cutoff>`, written by the next month's expiry or issuance run in its first
 * minutes), the month whose end it is — found by the cutoff of M's policy, so end_of_month and
 * rollover policies both work; everything else (holds, redemptions, adjustments, refunds, the
 * lapse at a deactivation), the business month it was written in.
 */
export async function voucherMonthStatements(seniorIds: string[], month: string, timeZone: string): Promise<Map<string, VoucherMonthStatement>> {
  const result = new Map<string, VoucherMonthStatement>();
  if (seniorIds.length === 0) return result;
  const { start } = businessMonthBounds(month, timeZone);
  const [accounts, recent, issued, cutoffs] = await Promise.all([
    AccountModel.find({ _id: { $in: seniorIds } }, { balanceFen: 1, heldFen: 1, pending: 1 }).setOptions(byKeys(seniorIds.length)).lean(),
    EntryModel.find({ seniorId: { $in: seniorIds }, createdAt: { $gte: start } }, ENTRY_FIELDS).lean(),
    EntryModel.find({ _id: { $in: seniorIds.map((id) => `issue:${id}:${month}`) } }, ENTRY_FIELDS).setOptions(byKeys(seniorIds.length)).lean(),
    monthEndCutoffs(month),
  ]);
  const bySenior = new Map<string, Map<string, Entry>>();
  for (const entry of [...recent, ...issued]) {
    const entries = bySenior.get(entry.seniorId) ?? new Map<string, Entry>();
    entries.set(String(entry._id), { ...entry, _id: String(entry._id) });
    bySenior.set(entry.seniorId, entries);
  }
  const accountById = new Map(accounts.map((account) => [String(account._id), account]));
  for (const seniorId of seniorIds) {
    const entries = bySenior.get(seniorId) ?? new Map<string, Entry>();
    const account = accountById.get(seniorId);
    // A movement parked on the account (ledger.ts, step 1 done) is in its figures already: count it too.
    if (account?.pending && !entries.has(account.pending.key)) entries.set(account.pending.key, pendingEntry(account.pending));
    result.set(seniorId, statementOf(seniorId, month, [...entries.values()], account ?? null, (entry) => countsIn(entry, month, cutoffs, timeZone)));
  }
  return result;
}

const ENTRY_FIELDS = { seniorId: 1, type: 1, balanceDeltaFen: 1, heldDeltaFen: 1, month: 1, createdAt: 1 };
const MONTH_END_LAPSE = /^expire:[^:]+:(\d{4}-\d{2})$/;

/** The cutoffs of the lapses at the end of M and at the end of the month before (expiryCutoff of their policies). */
async function monthEndCutoffs(month: string): Promise<{ current: string | null; previous: string | null }> {
  const [policy, previousPolicy] = await Promise.all([policyForMonth(month), policyForMonth(addMonths(month, -1))]);
  return {
    current: policy ? expiryCutoff(policy, addMonths(month, 1)) : null,
    previous: previousPolicy ? expiryCutoff(previousPolicy, month) : null,
  };
}

/** -1: before M, 0: in M, 1: after M. */
function countsIn(entry: Entry, month: string, cutoffs: { current: string | null; previous: string | null }, timeZone: string): -1 | 0 | 1 {
  const lapse = MONTH_END_LAPSE.exec(entry._id);
  const entryMonth = entry.type === 'issue' && entry.month ? entry.month : null;
  if (entryMonth) return entryMonth < month ? -1 : entryMonth > month ? 1 : 0;
  if (entry.type === 'expire' && lapse) {
    const cutoff = lapse[1] as string;
    if (cutoff === cutoffs.current) return 0;
    if (cutoffs.previous !== null && cutoff <= cutoffs.previous) return -1;
    return cutoffs.current !== null && cutoff > cutoffs.current ? 1 : 0;
  }
  const written = businessMonth(entry.createdAt, timeZone);
  return written < month ? -1 : written > month ? 1 : 0;
}

function statementOf(seniorId: string, month: string, entries: Entry[], account: Pick<AccountDoc, 'balanceFen' | 'heldFen'> | null, place: (entry: Entry) => -1 | 0 | 1): VoucherMonthStatement {
  const statement: VoucherMonthStatement = {
    seniorId, month, openingFen: 0, issuedFen: 0, usedFen: 0, adjustedFen: 0, refundedFen: 0, lapsedFen: 0,
    closingFen: account?.balanceFen ?? 0, closingHeldFen: account?.heldFen ?? 0,
  };
  for (const entry of entries) {
    const where = place(entry);
    if (where === 1) {
      statement.closingFen -= entry.balanceDeltaFen;
      statement.closingHeldFen -= entry.heldDeltaFen;
    }
    if (where !== 0) continue;
    if (entry.type === 'issue') statement.issuedFen += entry.balanceDeltaFen;
    else if (entry.type === 'redeem') statement.usedFen -= entry.balanceDeltaFen;
    else if (entry.type === 'adjust') statement.adjustedFen += entry.balanceDeltaFen;
    else if (entry.type === 'refund') statement.refundedFen += entry.balanceDeltaFen;
    else if (entry.type === 'expire') statement.lapsedFen -= entry.balanceDeltaFen;
  }
  statement.openingFen = statement.closingFen - statement.issuedFen + statement.usedFen - statement.adjustedFen - statement.refundedFen + statement.lapsedFen;
  return statement;
}

function pendingEntry(pending: NonNullable<AccountDoc['pending']>): Entry {
  return { _id: pending.key, type: pending.type as Entry['type'], balanceDeltaFen: pending.balanceDeltaFen, heldDeltaFen: pending.heldDeltaFen, month: pending.month ?? null, createdAt: pending.createdAt };
}

import { accountOf, toEntryView, type EntryView } from './account.service.ts';
import { EntryModel } from './ledger.model.ts';

/** The senior's voucher account and every ledger entry, oldest first, for their data-subject export. */
export async function voucherRecordsOfSenior(seniorId: string): Promise<{ account: Awaited<ReturnType<typeof accountOf>>; entries: EntryView[] }> {
  const entries = await EntryModel.find({ seniorId }).sort({ createdAt: 1, _id: 1 }).lean();
  return { account: await accountOf(seniorId), entries: entries.map(toEntryView) };
}

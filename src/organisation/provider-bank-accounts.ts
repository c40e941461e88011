import type { PiiKeys } from '../shared/pii.ts';
import { revealBankAccount, type StoredBankAccount } from './bank-account.ts';
import { ProviderModel } from './providers.model.ts';

export interface PayeeAccount {
  accountName: string;
  accountNo: string;
  accountNoMasked: string;
  bankName: string;
  bankBranchCode: string | null;
}

/**
 * The bank accounts of the given providers, numbers in full, for the batch payment file only
 * (its caller audits the export); a provider without an account is absent from the map.
 */
export async function providerBankAccounts(keys: PiiKeys, providerIds: readonly string[]): Promise<Map<string, PayeeAccount>> {
  const providers = await ProviderModel.find({ _id: { $in: [...new Set(providerIds)] } }, { bankAccount: 1 }).lean();
  const accounts = new Map<string, PayeeAccount>();
  for (const provider of providers) {
    const stored = provider.bankAccount as StoredBankAccount | null | undefined;
    if (stored?.accountNoEncrypted) accounts.set(String(provider._id), revealBankAccount(keys, stored));
  }
  return accounts;
}

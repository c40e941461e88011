import { z } from 'zod';
// The .openapi() extension must be installed before these schemas are built, whoever imports first.
import '../shared/openapi/registry.ts';
import { bilingual } from '../shared/i18n.ts';
import { decryptPii, encryptPii, type PiiKeys } from '../shared/pii.ts';

/**
 * A provider's bank account for the batch payment file (issue 21). The account number is treated
 * like personal data: stored only encrypted (with the PII keys, so the pii-rekey job re-encrypts it)
 * and masked in every answer and audit entry; it leaves in full only in the payment file.
 */
export const accountNoField = z
  .string()
  .transform((accountNo) => accountNo.replace(/[\s-]/g, ''))
  .pipe(z.string().regex(/^\d{8,30}$/, bilingual('银行账号应为 8 至 30 位数字', 'An account number is 8 to 30 digits')))
  .openapi({ example: '6222020200112233445' });

export const bankAccountBody = z
  .object({
    accountName: z.string().trim().min(1, bilingual('请填写账户名称', 'Enter the account name')).max(100),
    accountNo: accountNoField,
    bankName: z.string().trim().min(1, bilingual('请填写开户银行', 'Enter the bank')).max(100),
    bankBranchCode: z.string().trim().regex(/^\d{12}$/, bilingual('联行号应为 12 位数字', 'A branch code (CNAPS) is 12 digits')).optional(),
  })
  .strict()
  .openapi('BankAccountInput');

export const bankAccountOut = z
  .object({
    accountName: z.string(),
    accountNoMasked: z.string().openapi({ example: '***************3445' }),
    bankName: z.string(),
    bankBranchCode: z.string().nullable(),
  })
  .openapi('BankAccount');

export type BankAccountInput = z.output<typeof bankAccountBody>;
export type BankAccountView = z.output<typeof bankAccountOut>;

/** How a bank account is stored on the provider: the number only as ciphertext and masked. */
export interface StoredBankAccount {
  accountName: string;
  accountNoEncrypted: string;
  accountNoMasked: string;
  bankName: string;
  bankBranchCode?: string | null;
}

/** ************3445: only the last four digits stay readable. */
export const maskAccountNo = (accountNo: string): string => `${'*'.repeat(Math.max(0, accountNo.length - 4))}${accountNo.slice(-4)}`;

export function storedBankAccount(keys: PiiKeys, input: BankAccountInput): StoredBankAccount {
  return {
    accountName: input.accountName,
    accountNoEncrypted: encryptPii(keys, input.accountNo),
    accountNoMasked: maskAccountNo(input.accountNo),
    bankName: input.bankName,
    bankBranchCode: input.bankBranchCode ?? null,
  };
}

export function toBankAccountView(stored: StoredBankAccount | null | undefined): BankAccountView | null {
  if (!stored?.accountNoEncrypted) return null;
  return { accountName: stored.accountName, accountNoMasked: stored.accountNoMasked, bankName: stored.bankName, bankBranchCode: stored.bankBranchCode ?? null };
}

/** The account with its number in full: for the payment file only. */
export function revealBankAccount(keys: PiiKeys, stored: StoredBankAccount): BankAccountView & { accountNo: string } {
  return { ...(toBankAccountView(stored) as BankAccountView), accountNo: decryptPii(keys, stored.accountNoEncrypted) };
}

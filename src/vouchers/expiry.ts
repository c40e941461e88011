import { StaleAccountError, applyMovement, completePending, type Applied } from './ledger.ts';
import { AccountModel, type AccountDoc } from './ledger.model.ts';

/**
 * What may expire when every credit up to `cutoffMonth` (inclusive) lapses: spending is taken from
 * the oldest credits first (FIFO), so the unspent part of those credits is
 * max(0, Σ credits ≤ cutoff − Σ debits); never more than what is available — held amounts do not
 * expire while their order is open.
 */
export function expirableFen(account: Pick<AccountDoc, 'creditsByMonth' | 'debitedFen' | 'availableFen'>, cutoffMonth: string): number {
  const credits = (account.creditsByMonth ?? {}) as Record<string, number>;
  const oldCredits = Object.entries(credits).filter(([month]) => month <= cutoffMonth).reduce((sum, [, fen]) => sum + fen, 0);
  return Math.max(0, Math.min(oldCredits - account.debitedFen, account.availableFen));
}

/**
 * Expires the senior's credits up to `cutoffMonth` under `key` (idempotent). The amount is
 * computed from the account and applied only if the account has not moved meanwhile.
 */
export async function expireThrough(input: { seniorId: string; cutoffMonth: string; key: string; month: string; by: string; reason: string }): Promise<Applied | null> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    let account = await AccountModel.findById(input.seniorId).lean();
    if (!account) return null;
    if (account.pending) {
      await completePending(account);
      account = await AccountModel.findById(input.seniorId).lean();
      if (!account || account.pending) continue;
    }
    const amountFen = expirableFen(account, input.cutoffMonth);
    if (amountFen === 0) return null;
    try {
      return await applyMovement({
        key: input.key, seniorId: input.seniorId, type: 'expire', balanceDeltaFen: -amountFen, heldDeltaFen: 0,
        month: input.month, reason: input.reason, createdBy: input.by, expect: { balanceFen: account.balanceFen, heldFen: account.heldFen },
      });
    } catch (error) {
      if (!(error instanceof StaleAccountError)) throw error;
    }
  }
  throw new Error(`voucher account ${input.seniorId} kept moving during expiry; retry`);
}

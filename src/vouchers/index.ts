import { onSeniorLifecycle, recordConsequences } from '../seniors/index.ts';
import { logger } from '../shared/logger.ts';
import { businessMonth } from '../shared/time.ts';
import { expireThrough } from './expiry.ts';
import { creditOnApproval } from './issuance.service.ts';

export { vouchersRouter } from './vouchers.routes.ts';
export { voucherPolicyRouter } from './policy.routes.ts';
export { voucherIssuanceJob, voucherExpiryJob, voucherReconciliationJob } from './vouchers.jobs.ts';
export { holdForOrder, releaseForOrder, redeemForOrder, redeemedAmountFor, redeemedAmountsFor, refundForOrder, accountOf } from './account.service.ts';
export { createVoucherPolicy, policyForMonth, type VoucherPolicy } from './policy.service.ts';
export { assertRoomForOrder, assertRoomForVisit, capsForService, cappedRatePct, holdSubsidy, holdWholeSubsidy } from './caps.service.ts';
export { createVoucherPolicyBody } from './policy.schemas.ts';
export { computeEntitlement, subsidyFor } from './entitlement.ts';
export { issueMonth } from './issuance.service.ts';
export { isIssuanceComplete } from './issued-months.ts';
export { voucherMonthStatements, type VoucherMonthStatement } from './month-statement.ts';

/**
 * Vouchers follow the senior's lifecycle: approval credits the current month at once (the same
 * key as the monthly run, so it is never credited twice); deactivation lapses the whole available
 * balance (held amounts stay until their orders close). Both are idempotent; the monthly jobs and
 * the reconciliation catch whatever a crash between the transition and the hook left undone.
 */
export function registerVoucherHooks(): void {
  onSeniorLifecycle('approved', async ({ senior, ctx }) => {
    const fen = await creditOnApproval(senior.id, businessMonth(ctx.now ?? new Date(), ctx.config.businessTimeZone), ctx.actor.id);
    logger.info({ seniorId: senior.id, fen }, 'vouchers credited at approval');
  });
  // Registered after dispatch's hook (capabilities.ts): the holds of the orders it closed are free by now.
  onSeniorLifecycle('deactivated', async ({ senior, ctx }) => {
    const lapsed = await expireThrough({ seniorId: senior.id, cutoffMonth: '9999-12', key: `expire:${senior.id}:deactivation`, month: businessMonth(ctx.now ?? new Date(), ctx.config.businessTimeZone), by: ctx.actor.id, reason: 'deactivated' });
    const fen = lapsed ? -lapsed.entry.balanceDeltaFen : 0;
    if (lapsed?.isNew) await recordConsequences(senior.id, 'deactivated', [{ kind: 'voucher_account', id: senior.id, label: '服务券账户', change: `可用余额 ${(fen / 100).toFixed(2)} 元已失效` }], ctx);
  });
}
export { voucherRecordsOfSenior } from './subject-export.ts';

import { createHmac, randomInt } from 'node:crypto';
import { recordAudit } from '../audit/index.ts';
import type { Config } from '../config/env.ts';
import { claimTry, forgiveTries, triesLeftMessage } from '../shared/attempts.ts';
import { DomainError } from '../shared/errors.ts';
import { findInScope } from '../shared/scope.ts';
import { SeniorHistoryModel, SeniorModel, type SeniorDoc } from './senior.model.ts';
import { seniorScope } from './senior.scope.ts';
import type { SeniorContext } from './seniors.context.ts';

/**
 * The senior's personal confirmation PIN (PRODUCT.md §12, "the senior's own word"): six digits
 * given once at enrolment or at a staff reset and printed on the senior's card, with which the
 * senior confirms any visit — care-plan and emergency orders too, whose per-order code nobody
 * keeps. Stored only as a keyed hash bound to the senior, never logged, never in a GET answer.
 */
export const CONFIRMATION_PIN_MAX_FAILURES = 5;

/** Six random digits, never one a stranger would try first (one digit repeated, a run up or down). */
export function newConfirmationPin(): string {
  for (;;) {
    const pin = String(randomInt(0, 1_000_000)).padStart(6, '0');
    if (!isGuessable(pin)) return pin;
  }
}

function isGuessable(pin: string): boolean {
  const steps = new Set([...pin].slice(1).map((digit, i) => (Number(digit) - Number(pin[i]) + 10) % 10));
  return steps.size === 1 && [0, 1, 9].includes([...steps][0]!);
}

/** HMAC with the PII key over the senior's id and the PIN: a leaked table reveals no PIN. */
export function hashConfirmationPin(config: Config, seniorId: string, pin: string): string {
  return createHmac('sha256', config.pii.hmacKey).update(`senior-pin:${seniorId}:${pin}`).digest('hex');
}

/**
 * A new PIN for the senior (lost card, PIN locked after wrong tries, or a senior imported without
 * one): the old one stops working and the wrong tries are cleared. Answered once, here only.
 */
export async function resetConfirmationPin(id: string, ctx: SeniorContext): Promise<{ confirmationPin: string }> {
  const now = ctx.now ?? new Date();
  const senior = await findInScope<SeniorDoc>(SeniorModel, id, seniorScope, ctx.actor);
  if (senior.status === 'rejected' || senior.status === 'deactivated') {
    throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: '已注销或未通过登记的老人不能设置个人确认码' }]);
  }
  const confirmationPin = newConfirmationPin();
  await SeniorModel.updateOne({ _id: id }, { $set: { confirmationPinHash: hashConfirmationPin(ctx.config, id, confirmationPin), confirmationPinFailures: 0 } });
  // Who issued a PIN and when, never the PIN. A crash before these leaves a PIN nobody was shown:
  // the worker resets again.
  await SeniorHistoryModel.create({ seniorId: id, at: now, actorId: ctx.actor.id, action: 'confirmation_pin_reset' });
  await recordAudit({ actor: ctx.actor, action: 'senior.confirmation_pin_reset', entityType: 'senior', entityId: id, requestId: ctx.requestId });
  return { confirmationPin };
}

/**
 * Checks a PIN the senior gave at a visit (dispatch's check-out). Wrong tries count for the senior,
 * whatever the order: five and the PIN is locked until a staff reset. A right PIN forgives the
 * earlier wrong tries. 422 VISIT_CODE_MISMATCH / VISIT_CODE_LOCKED; NOT_ELIGIBLE without a PIN.
 */
export async function verifyConfirmationPin(seniorId: string, pin: string, config: Config): Promise<void> {
  const claimed = await claimTry<SeniorDoc>(SeniorModel, seniorId, 'confirmationPinFailures', CONFIRMATION_PIN_MAX_FAILURES, { confirmationPinHash: { $ne: null } });
  if (!claimed) {
    const senior = await SeniorModel.findById(seniorId, { confirmationPinHash: 1 }).lean();
    if (!senior?.confirmationPinHash) throw new DomainError('NOT_ELIGIBLE', [{ path: 'seniorPin', message: '老人还没有个人确认码，请社区工作者在老人档案中生成' }]);
    throw new DomainError('VISIT_CODE_LOCKED', [{ path: 'seniorPin', message: '个人确认码错误次数过多，已锁定，请联系社区工作者重置' }]);
  }
  if (hashConfirmationPin(config, seniorId, pin) === claimed.document.confirmationPinHash) {
    await forgiveTries(SeniorModel, seniorId, 'confirmationPinFailures', claimed.used);
    return;
  }
  throw new DomainError('VISIT_CODE_MISMATCH', [{ path: 'seniorPin', message: `个人确认码不正确，${triesLeftMessage(CONFIRMATION_PIN_MAX_FAILURES, claimed.used)}` }]);
}

import { recordAudit } from '../audit/index.ts';
import { DomainError } from '../shared/errors.ts';
import { findInScope } from '../shared/scope.ts';
import { businessDay } from '../shared/time.ts';
import { runSeniorHooks, type SeniorHookEvent } from './lifecycle-hooks.ts';
import { SeniorHistoryModel, SeniorModel, type SeniorDoc, type SeniorStatus } from './senior.model.ts';
import { seniorScope } from './senior.scope.ts';
import { assertSeniorTransition, type SeniorAction } from './senior.state-machine.ts';
import { toSeniorView, type SeniorView } from './senior.view.ts';
import type { SeniorContext } from './seniors.context.ts';
import { bilingual } from '../shared/i18n.ts';

const HOOK_OF: Partial<Record<SeniorAction, SeniorHookEvent>> = { approve: 'approved', deactivate: 'deactivated', suspend: 'suspended', resume: 'resumed' };

export interface TransitionRequest {
  action: SeniorAction;
  reason?: string;
  effectiveDate?: string;
}

/**
 * Applies one lifecycle action: checks scope (404), the four-eyes rule, the transition table
 * (409), then moves the status with a conditional update on the status it was read in, so two
 * concurrent actions cannot both apply. History, audit and hooks follow.
 */
export async function transitionSenior(id: string, request: TransitionRequest, ctx: SeniorContext): Promise<SeniorView> {
  const now = ctx.now ?? new Date();
  const senior = await findInScope<SeniorDoc>(SeniorModel, id, seniorScope, ctx.actor);
  const from = senior.status as SeniorStatus;
  if (request.action === 'approve' && senior.enrolledBy === ctx.actor.id) throw new DomainError('SELF_APPROVAL');
  const to = assertSeniorTransition(from, request.action);
  if (request.action === 'deactivate' && request.effectiveDate && request.effectiveDate > businessDay(now, ctx.config.businessTimeZone)) {
    throw new DomainError('VALIDATION_FAILED', [{ path: 'effectiveDate', message: ctx.lang === 'zh' ? '生效日期不能晚于今天' : 'cannot be in the future' }]);
  }

  const set: Record<string, unknown> = { status: to, statusReason: request.reason ?? null };
  if (request.action === 'approve') Object.assign(set, { approvedBy: ctx.actor.id, approvedAt: now });
  if (request.action === 'deactivate') set.deactivation = { reason: request.reason, effectiveDate: request.effectiveDate };
  const logged = { status: to, at: now, effectiveDate: request.action === 'deactivate' ? (request.effectiveDate ?? null) : null };
  const updated = await SeniorModel.findOneAndUpdate({ _id: id, status: from }, { $set: set, $push: { statusLog: logged } }, { returnDocument: 'after' }).lean();
  if (!updated) throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: bilingual('该老人信息刚被他人修改，请刷新后重试', 'the senior changed meanwhile; reload and retry') }]);

  const view = toSeniorView(updated, ctx.config.businessTimeZone, now);
  await SeniorHistoryModel.create({ seniorId: id, at: now, actorId: ctx.actor.id, action: request.action, fromStatus: from, toStatus: to, reason: request.reason ?? null });
  await recordAudit({
    actor: ctx.actor, action: `senior.${request.action}`, entityType: 'senior', entityId: id, requestId: ctx.requestId,
    before: { status: from }, after: { status: to, reason: request.reason ?? null, effectiveDate: request.effectiveDate ?? null },
  });
  const hook = HOOK_OF[request.action];
  if (hook) await runSeniorHooks(hook, { senior: view, ctx, effectiveDate: request.effectiveDate });
  return view;
}

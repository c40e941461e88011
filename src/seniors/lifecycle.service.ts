import { recordAudit } from '../audit/index.ts';
import { DomainError } from '../shared/errors.ts';
import { findInScope } from '../shared/scope.ts';
import { businessDay, startOfBusinessDay } from '../shared/time.ts';
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
  const tz = ctx.config.businessTimeZone;
  const senior = await findInScope<SeniorDoc>(SeniorModel, id, seniorScope, ctx.actor);
  const from = senior.status as SeniorStatus;
  if (request.action === 'approve' && senior.enrolledBy === ctx.actor.id) throw new DomainError('SELF_APPROVAL');
  const to = assertSeniorTransition(from, request.action);
  if (request.effectiveDate && request.effectiveDate > businessDay(now, tz)) {
    throw new DomainError('VALIDATION_FAILED', [{ path: 'effectiveDate', message: ctx.lang === 'zh' ? '生效日期不能晚于今天' : 'cannot be in the future' }]);
  }
  // A suspension or resumption reported after the fact (a hospital stay from the insurance feed)
  // counts from the start of its day: the log must stay in time order for seniorStatusAt, so it
  // may not reach back before the senior's last change.
  const backDated = request.effectiveDate && (request.action === 'suspend' || request.action === 'resume') ? startOfBusinessDay(request.effectiveDate, tz) : null;
  const lastChange = (senior.statusLog ?? []).at(-1)?.at as Date | undefined;
  if (backDated && lastChange && backDated.getTime() < lastChange.getTime()) {
    throw new DomainError('VALIDATION_FAILED', [{ path: 'effectiveDate', message: bilingual(`生效日期不能早于老人上次状态变更（${businessDay(lastChange, tz)}）`, `cannot be before the senior's last status change (${businessDay(lastChange, tz)})`) }]);
  }

  const hook = HOOK_OF[request.action];
  const set: Record<string, unknown> = { status: to, statusReason: request.reason ?? null };
  if (request.action === 'approve') Object.assign(set, { approvedBy: ctx.actor.id, approvedAt: now });
  if (request.action === 'deactivate') set.deactivation = { reason: request.reason, effectiveDate: request.effectiveDate };
  // Approval's only consequence (the month's vouchers) has its own catch-up in issuance.
  if (hook && hook !== 'approved') set.consequencesPending = hook;
  const logged = { status: to, at: backDated ?? now, effectiveDate: request.action === 'approve' ? null : (request.effectiveDate ?? null) };
  const updated = await SeniorModel.findOneAndUpdate({ _id: id, status: from }, { $set: set, $push: { statusLog: logged } }, { returnDocument: 'after' }).lean();
  if (!updated) throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: bilingual('该老人信息刚被他人修改，请刷新后重试', 'the senior changed meanwhile; reload and retry') }]);

  const view = toSeniorView(updated, tz, now);
  await SeniorHistoryModel.create({ seniorId: id, at: now, actorId: ctx.actor.id, action: request.action, fromStatus: from, toStatus: to, reason: request.reason ?? null, changes: request.effectiveDate ? { effectiveDate: { before: null, after: request.effectiveDate } } : {} });
  await recordAudit({
    actor: ctx.actor, action: `senior.${request.action}`, entityType: 'senior', entityId: id, requestId: ctx.requestId,
    before: { status: from }, after: { status: to, reason: request.reason ?? null, effectiveDate: request.effectiveDate ?? null },
  });
  if (hook) await carryThrough(hook, view, ctx, request.effectiveDate);
  return view;
}

/**
 * Runs the hooks of a status change (other capabilities' consequences: orders, holds, care plans,
 * vouchers) and clears the senior's pending mark once every one has succeeded. A hook that fails,
 * or a crash before the mark is cleared, leaves it set for the senior-consequences job.
 */
async function carryThrough(hook: SeniorHookEvent, senior: SeniorView, ctx: SeniorContext, effectiveDate: string | undefined): Promise<boolean> {
  const allDone = await runSeniorHooks(hook, { senior, ctx, effectiveDate });
  if (allDone && hook !== 'approved') await SeniorModel.updateOne({ _id: senior.id, consequencesPending: hook }, { $set: { consequencesPending: null } });
  return allDone;
}

/**
 * The senior-consequences job: every senior whose status change was not carried through (the
 * process died between the change and its hooks, or a hook failed) gets its hooks again, as the
 * system. Each hook is idempotent, so what was done before the crash is not done twice.
 */
export async function resumeSeniorConsequences(config: SeniorContext['config'], now = new Date()): Promise<{ pending: number; completed: number }> {
  const pending = await SeniorModel.find({ consequencesPending: { $in: ['suspended', 'resumed', 'deactivated'] } }).limit(500).lean();
  const system = { id: 'system', role: 'admin' as const, communityIds: [], streetId: null, providerId: null, caregiverId: null };
  let completed = 0;
  for (const senior of pending) {
    const hook = senior.consequencesPending as SeniorHookEvent;
    const ctx: SeniorContext = { actor: system, config, requestId: null, lang: 'zh', now };
    if (await carryThrough(hook, toSeniorView(senior as SeniorDoc, config.businessTimeZone, now), ctx, senior.deactivation?.effectiveDate ?? undefined)) completed += 1;
  }
  return { pending: pending.length, completed };
}

/** One thing a status change touched in another capability, for the senior's history. */
export interface TouchedByChange {
  kind: 'order' | 'care_plan' | 'voucher_account';
  id: string;
  /** How people name it: the order's number, the plan's service and days. */
  label: string;
  /** What happened to it, in Chinese: 已取消, 冻结已解除, 已暂停, 余额已失效 … */
  change: string;
}

/**
 * Writes into the senior's history what a capability's hook did for a status change (nothing when
 * it touched nothing, so a hook run again after a crash adds no empty entry).
 */
export async function recordConsequences(seniorId: string, event: SeniorHookEvent, touched: TouchedByChange[], ctx: SeniorContext): Promise<void> {
  if (touched.length === 0) return;
  await SeniorHistoryModel.create({ seniorId, at: ctx.now ?? new Date(), actorId: ctx.actor.id, action: `consequence.${event}`, fromStatus: null, toStatus: null, touched });
}

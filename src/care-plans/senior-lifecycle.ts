import { onSeniorLifecycle, recordConsequences, type SeniorLifecycleEvent, type TouchedByChange } from '../seniors/index.ts';
import { CarePlanModel, type CarePlanDoc } from './care-plan.model.ts';

/**
 * What a senior's status change does to their care plans (issue 19): suspension pauses the active
 * ones (no orders are generated while the senior is away), resumption makes the paused ones active
 * again, deactivation stops every plan that is not stopped. Each move is conditional on the plan's
 * status, so the hook run again after a crash moves only what is left. The orders the plans made
 * are the dispatch hook's (cancelled with the senior's other open orders).
 */
export function registerCarePlanSeniorHooks(): void {
  onSeniorLifecycle('suspended', (event) => movePlans(event, ['active'], { status: 'paused', pausedAt: event.ctx.now ?? new Date() }, '已暂停（老人暂停服务）'));
  onSeniorLifecycle('resumed', (event) => movePlans(event, ['paused'], { status: 'active', pausedAt: null }, '已恢复'));
  onSeniorLifecycle('deactivated', (event) => movePlans(event, ['active', 'paused'], { status: 'stopped', stoppedAt: event.ctx.now ?? new Date(), stoppedBy: event.ctx.actor.id, pausedAt: null }, '已停止（老人已注销）'));
}

async function movePlans(event: SeniorLifecycleEvent, from: CarePlanDoc['status'][], set: Record<string, unknown>, change: string): Promise<void> {
  const plans = await CarePlanModel.find({ seniorId: event.senior.id, status: { $in: from } }).lean();
  const touched: TouchedByChange[] = [];
  for (const plan of plans) {
    const moved = await CarePlanModel.updateOne({ _id: plan._id, status: plan.status }, { $set: set });
    if (moved.modifiedCount === 1) touched.push({ kind: 'care_plan', id: String(plan._id), label: `${plan.serviceTypeCode} 每周${plan.weekdays.join('、')} ${plan.time}`, change });
  }
  await recordConsequences(event.senior.id, event.senior.status === 'suspended' ? 'suspended' : event.senior.status === 'active' ? 'resumed' : 'deactivated', touched, event.ctx);
}

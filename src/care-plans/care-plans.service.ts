import { recordAudit } from '../audit/index.ts';
import type { Config } from '../config/env.ts';
import { cancelOrder, orderState } from '../dispatch/index.ts';
import { getServiceType } from '../organisation/index.ts';
import { seniorForOrder } from '../seniors/index.ts';
import { DomainError } from '../shared/errors.ts';
import { findPage, type Page } from '../shared/http/pagination.ts';
import type { Actor } from '../shared/roles.ts';
import { findInScope, withinScope } from '../shared/scope.ts';
import { businessDay, businessMonth } from '../shared/time.ts';
import { CarePlanModel, OccurrenceModel, carePlanScope, type CarePlanDoc } from './care-plan.model.ts';
import type { CarePlanView, CreateCarePlanInput } from './care-plans.schemas.ts';
import { bilingual } from '../shared/i18n.ts';
import { SENIOR_STATUS_ZH } from '../seniors/index.ts';

export interface CarePlanCall {
  actor: Actor;
  config: Config;
  requestId: string | null;
  now?: Date;
}

/** Orders of a stopped plan that are cancelled: not yet accepted by a provider (PRODUCT.md §7). */
const CANCELLABLE_STATUSES = new Set(['pending_dispatch', 'offered', 'unassigned']);

export function toCarePlanView(plan: CarePlanDoc): CarePlanView {
  return {
    id: String(plan._id), seniorId: plan.seniorId, communityId: plan.communityId, serviceTypeCode: plan.serviceTypeCode, quantity: plan.quantity,
    weekdays: [...plan.weekdays], time: plan.time, startDate: plan.startDate, endDate: plan.endDate ?? null, status: plan.status as CarePlanView['status'],
    createdBy: plan.createdBy, createdAt: plan.createdAt,
  };
}

/** A recurring service for an active senior in the caller's scope (out of scope: 404). */
export async function createCarePlan(input: CreateCarePlanInput, call: CarePlanCall): Promise<CarePlanView> {
  const now = call.now ?? new Date();
  const senior = await seniorForOrder(input.seniorId, call.actor, businessMonth(now, call.config.businessTimeZone));
  if (senior.status !== 'active') throw new DomainError('NOT_ELIGIBLE', [{ path: 'seniorId', message: bilingual(`该老人${SENIOR_STATUS_ZH[senior.status]}，只有在册老人才能接受服务`, `the senior is ${senior.status}; only active seniors receive services`) }]);
  if (!(await getServiceType(input.serviceTypeCode))) throw new DomainError('VALIDATION_FAILED', [{ path: 'serviceTypeCode', message: bilingual('服务目录中没有该服务项目', 'no such service in the catalogue') }]);
  const created = await CarePlanModel.create({
    seniorId: senior.seniorId, communityId: senior.communityId, streetId: senior.streetId, serviceTypeCode: input.serviceTypeCode, quantity: input.quantity,
    weekdays: [...input.weekdays].sort((a, b) => a - b), time: input.time, startDate: input.startDate, endDate: input.endDate ?? null,
    status: 'active', createdBy: call.actor.id,
  });
  const plan = created.toObject() as CarePlanDoc;
  await recordAudit({
    actor: call.actor, action: 'care_plan.create', entityType: 'care_plan', entityId: String(plan._id), requestId: call.requestId,
    after: { seniorId: plan.seniorId, serviceTypeCode: plan.serviceTypeCode, quantity: plan.quantity, weekdays: plan.weekdays, time: plan.time, startDate: plan.startDate, endDate: plan.endDate },
  });
  return toCarePlanView(plan);
}

export function listCarePlans(filter: { seniorId?: string; status?: CarePlanDoc['status']; page: number; pageSize: number }, actor: Actor): Promise<Page<CarePlanView>> {
  const query: Record<string, unknown> = {};
  if (filter.seniorId) query.seniorId = filter.seniorId;
  if (filter.status) query.status = filter.status;
  return findPage(CarePlanModel, withinScope(carePlanScope, actor, query), { createdAt: -1, _id: 1 }, filter, (plan: CarePlanDoc) => toCarePlanView(plan));
}

/**
 * Stops the plan (once: a second stop is 409), then cancels its generated orders that lie ahead
 * and that no provider has accepted yet; cancellation releases their voucher holds.
 */
export async function stopCarePlan(id: string, call: CarePlanCall): Promise<CarePlanView> {
  const plan = await findInScope<CarePlanDoc>(CarePlanModel, id, carePlanScope, call.actor);
  const now = call.now ?? new Date();
  const stopped = await CarePlanModel.findOneAndUpdate({ _id: plan._id, status: { $in: ['active', 'paused'] } }, { $set: { status: 'stopped', stoppedAt: now, stoppedBy: call.actor.id } }, { returnDocument: 'after' }).lean();
  if (!stopped) throw new DomainError('INVALID_TRANSITION', [{ path: 'status', message: bilingual('该照护计划已停止', 'the plan is already stopped') }]);
  const cancelledOrderIds = await cancelFutureOrders(id, call, now);
  await recordAudit({ actor: call.actor, action: 'care_plan.stop', entityType: 'care_plan', entityId: id, requestId: call.requestId, before: { status: plan.status }, after: { status: 'stopped', cancelledOrders: cancelledOrderIds.length } });
  return toCarePlanView(stopped as CarePlanDoc);
}

async function cancelFutureOrders(planId: string, call: CarePlanCall, now: Date): Promise<string[]> {
  const occurrences = await OccurrenceModel.find({ planId, day: { $gte: businessDay(now, call.config.businessTimeZone) } }).lean();
  const cancelled: string[] = [];
  for (const occurrence of occurrences) {
    if (!occurrence.orderId) continue;
    const order = await orderState(occurrence.orderId);
    if (!order || !CANCELLABLE_STATUSES.has(order.status) || order.scheduledStart.getTime() <= now.getTime()) continue;
    try {
      await cancelOrder(occurrence.orderId, '护理计划已停止 (care plan stopped)', { ...call, now });
      cancelled.push(occurrence.orderId);
    } catch (error) {
      // Accepted or cancelled meanwhile, or no longer in the caller's scope: that order stays as it is.
      if (!(error instanceof DomainError) || !['INVALID_TRANSITION', 'NOT_FOUND'].includes(error.code)) throw error;
    }
  }
  return cancelled;
}

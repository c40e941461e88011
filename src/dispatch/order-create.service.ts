import { createHmac, randomInt } from 'node:crypto';
import mongoose from 'mongoose';
import { recordAudit } from '../audit/index.ts';
import type { Config } from '../config/env.ts';
import { getCommunity, getServiceType } from '../organisation/index.ts';
import { seniorForOrder } from '../seniors/index.ts';
import { DomainError } from '../shared/errors.ts';
import type { Actor } from '../shared/roles.ts';
import { businessDay, businessMonth } from '../shared/time.ts';
import { assertRoomForOrder, computeEntitlement, policyForMonth } from '../vouchers/index.ts';
import { dispatchOrder } from './order-dispatch.service.ts';
import { countOrderChange } from './order-counts.ts';
import { nextOrderNumber } from './order-number.ts';
import { OrderHistoryModel, OrderModel, type OrderDoc } from './order.model.ts';

export interface CreateOrderInput {
  seniorId: string;
  serviceTypeCode: string;
  quantity: number;
  scheduledStart: string;
  notes?: string;
  source: 'hotline' | 'staff' | 'care_plan' | 'emergency';
}

export interface OrderContext {
  actor: Actor;
  config: Config;
  requestId: string | null;
  now?: Date;
}

/**
 * Creates an order for an active senior in the caller's scope and dispatches it at once. The
 * 6-digit visit code is answered here only; the order keeps an HMAC of it bound to the order id.
 */
export async function createOrder(input: CreateOrderInput, ctx: OrderContext, options: { orderId?: string } = {}): Promise<{ order: OrderDoc; visitCode: string }> {
  const now = ctx.now ?? new Date();
  // A caller that must create an order at most once (a care-plan day) names its id: a retry then
  // finds the order instead of making a second one, and finishes its dispatch if a crash cut it.
  if (options.orderId) {
    const existing = await OrderModel.findById(options.orderId).lean();
    // The visit code was answered when the order was first created and is not kept: none here.
    if (existing) return { order: await resumeDispatch(existing as OrderDoc, ctx, now), visitCode: '' };
  }
  const scheduledStart = new Date(input.scheduledStart);
  const tz = ctx.config.businessTimeZone;
  // Independent reads together (the senior's refusal still comes first: the others do not throw).
  const [senior, serviceType, policy] = await Promise.all([
    seniorForOrder(input.seniorId, ctx.actor, businessMonth(scheduledStart, tz)),
    getServiceType(input.serviceTypeCode),
    policyForMonth(businessMonth(scheduledStart, tz)),
  ]);
  if (senior.status !== 'active') throw new DomainError('NOT_ELIGIBLE', [{ path: 'seniorId', message: `老人当前状态为 ${senior.status}，只有在册（active）的老人可以下单` }]);
  if (senior.dispatchHold) throw new DomainError('NOT_ELIGIBLE', [{ path: 'seniorId', message: `暂停为该老人派单：${senior.dispatchHold}` }]);
  if (!serviceType) throw new DomainError('VALIDATION_FAILED', [{ path: 'serviceTypeCode', message: '服务目录中没有这项服务' }]);
  if (scheduledStart.getTime() < now.getTime() - 60 * 60_000) throw new DomainError('VALIDATION_FAILED', [{ path: 'scheduledStart', message: '预约时间早于一小时前' }]);

  const location = senior.location ?? (await getCommunity(senior.communityId))?.location;
  if (!location) throw new DomainError('NOT_ELIGIBLE', [{ path: 'seniorId', message: '老人和所在社区都没有位置，无法派单' }]);
  const subsidyRatePct = policy ? computeEntitlement(policy, { ...senior.basis, birthDate: senior.birthDate }, businessMonth(scheduledStart, tz)).subsidyRatePct : 0;
  // A subsidised order whose month has no room under the policy's caps (the service's visit quota
  // or the monthly subsidy used up) is refused before anything is stored (README, Vouchers: caps).
  if (subsidyRatePct > 0) await assertRoomForOrder({ seniorId: senior.seniorId, month: businessMonth(scheduledStart, tz), serviceTypeCode: serviceType.code });

  const id = new mongoose.Types.ObjectId(options.orderId);
  const visitCode = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const isEmergency = input.source === 'emergency' || serviceType.emergency;
  // Taken just before the insert: a crash between the two leaves a gap in the day's numbers (order-number.ts).
  const number = await nextOrderNumber(now, tz);
  const created = await OrderModel.create({
    _id: id,
    number,
    seniorId: senior.seniorId,
    communityId: senior.communityId,
    streetId: senior.streetId,
    seniorLocation: location,
    preferredProviderId: senior.preferredProviderId,
    serviceTypeCode: serviceType.code,
    quantity: input.quantity,
    expectedMinutes: serviceType.minutesPerUnit * input.quantity,
    scheduledStart,
    scheduledDay: businessDay(scheduledStart, tz),
    notes: input.notes ?? null,
    source: input.source,
    priority: isEmergency ? 'emergency' : 'normal',
    status: 'pending_dispatch',
    priceFen: 0,
    subsidyFen: 0,
    selfPayFen: 0,
    subsidyRatePct,
    visitCodeHash: hashVisitCode(ctx.config, String(id), visitCode),
    createdBy: ctx.actor.id,
  });
  const orderId = String(id);
  // As after every move of an order (order-transition.ts): the three together.
  await Promise.all([
    countOrderChange(null, created),
    OrderHistoryModel.create({ orderId, at: now, actorId: ctx.actor.id, action: 'create', fromStatus: 'pending_dispatch', toStatus: 'pending_dispatch' }),
    recordAudit({ actor: ctx.actor, action: 'order.create', entityType: 'service_order', entityId: orderId, requestId: ctx.requestId, after: { number, seniorId: senior.seniorId, serviceTypeCode: serviceType.code, quantity: input.quantity, source: input.source } }),
  ]);
  const dispatched = await dispatchOrder(created.toObject() as OrderDoc, { actorId: ctx.actor.id, actorRole: ctx.actor.role, requestId: ctx.requestId, now }, { config: ctx.config, serviceType });
  return { order: dispatched, visitCode };
}

async function resumeDispatch(order: OrderDoc, ctx: OrderContext, now: Date): Promise<OrderDoc> {
  if (order.status !== 'pending_dispatch') return order;
  return dispatchOrder(order, { actorId: ctx.actor.id, actorRole: ctx.actor.role, requestId: ctx.requestId, now }, { config: ctx.config });
}

/** The visit code is kept only as a keyed hash bound to its order: a leaked table reveals nothing. */
export function hashVisitCode(config: Config, orderId: string, code: string): string {
  return createHmac('sha256', config.pii.hmacKey).update(`visit:${orderId}:${code}`).digest('hex');
}

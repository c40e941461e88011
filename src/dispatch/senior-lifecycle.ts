import { onSeniorLifecycle, recordConsequences, type SeniorLifecycleEvent, type TouchedByChange } from '../seniors/index.ts';
import { businessDay } from '../shared/time.ts';
import { releaseForOrder } from '../vouchers/index.ts';
import { orderLabel } from './order-number.ts';
import { contextOf, transitionOrder } from './order-transition.ts';
import { OrderModel, type OrderDoc } from './order.model.ts';
import type { OrderStatus } from './order.state-machine.ts';

/** Orders whose visit has not begun: a senior who is suspended or gone cannot receive them. */
const NOT_STARTED: readonly OrderStatus[] = ['pending_dispatch', 'offered', 'unassigned', 'accepted', 'assigned'];
/** Visits begun or done but not yet confirmed: kept or voided by the visit's day against the deactivation's. */
const UNCONFIRMED_VISITS: readonly OrderStatus[] = ['in_service', 'completed'];

/**
 * What a senior's status change does to their orders (PRODUCT.md §5, issue 19):
 * - suspension (a hospital stay): every order not yet begun is cancelled and its hold released —
 *   cancelled rather than kept waiting, since nobody knows how long the stay will last and a kept
 *   order would hold vouchers and a provider's day; the community books again after the return.
 *   A visit already begun or done stays: settlement judges it by the day it happened.
 * - deactivation (death, moving away): every order not yet begun is cancelled; a visit begun or
 *   done but unconfirmed whose day is on or after the effective day is voided (it cannot have been
 *   for this senior) and its hold released; one before the effective day stays, with its hold, and
 *   settles as usual. Confirmed visits are settlement's: held back (SENIOR_DECEASED/SENIOR_INACTIVE)
 *   when dated on or after the effective day.
 * Each order moves with a conditional transition and its release is keyed by the order, so the
 * hook run again after a crash (the senior-consequences job) finishes what is left and repeats
 * nothing. Everything moved is written into the senior's history.
 */
export function registerDispatchSeniorHooks(): void {
  onSeniorLifecycle('suspended', (event) => closeOrdersOf(event, null));
  onSeniorLifecycle('deactivated', (event) => closeOrdersOf(event, event.effectiveDate ?? businessDay(event.ctx.now ?? new Date(), event.ctx.config.businessTimeZone)));
}

async function closeOrdersOf(event: SeniorLifecycleEvent, effectiveDay: string | null): Promise<void> {
  const { senior, ctx } = event;
  const tz = ctx.config.businessTimeZone;
  const statuses = effectiveDay ? [...NOT_STARTED, ...UNCONFIRMED_VISITS] : NOT_STARTED;
  const orders = (await OrderModel.find({ seniorId: senior.id, status: { $in: statuses } }).lean()) as OrderDoc[];
  // Holds of orders closed before a crash that cut their release: released again (keyed, so once).
  const closedEarlier = (await OrderModel.find({ seniorId: senior.id, status: 'cancelled', holdRef: { $ne: null } }, { holdRef: 1, number: 1 }).lean()) as OrderDoc[];
  const touched: TouchedByChange[] = [];
  const reason = effectiveDay ? '老人已注销' : '老人暂停服务';
  for (const order of orders) {
    const visitDay = businessDay(order.checkIn?.at ?? order.scheduledStart, tz);
    const begun = UNCONFIRMED_VISITS.includes(order.status as OrderStatus);
    if (begun && effectiveDay && visitDay < effectiveDay) continue;
    const closed = await transitionOrder(order, begun ? 'void' : 'cancel', contextOf({ actor: ctx.actor, config: ctx.config, requestId: ctx.requestId, now: ctx.now }), {
      set: { offer: null }, reason, details: { seniorStatus: senior.status },
    }).catch(() => null); // moved by someone else meanwhile: the next run sees it as it is now
    if (!closed) continue;
    touched.push({ kind: 'order', id: String(order._id), label: orderLabel({ id: String(order._id), number: order.number ?? null }), change: begun ? `已作废（服务日 ${visitDay}）` : '已取消' });
    if (closed.holdRef && (await releaseForOrder({ orderId: closed.holdRef, by: ctx.actor.id, reason }))) {
      touched.push({ kind: 'voucher_account', id: String(order._id), label: orderLabel({ id: String(order._id), number: order.number ?? null }), change: `冻结的服务券已解除（${(closed.subsidyFen / 100).toFixed(2)} 元）` });
    }
  }
  for (const order of closedEarlier) await releaseForOrder({ orderId: order.holdRef as string, by: ctx.actor.id, reason });
  await recordConsequences(senior.id, senior.status === 'suspended' ? 'suspended' : 'deactivated', touched, ctx);
}

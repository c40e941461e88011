import { recordAudit } from '../audit/index.ts';
import { enqueueNotification } from '../notifications/index.ts';
import { listServiceTypes } from '../organisation/index.ts';
import { emergencyContactsOf } from '../seniors/index.ts';
import { DomainError } from '../shared/errors.ts';
import { findPage } from '../shared/http/pagination.ts';
import type { Actor } from '../shared/roles.ts';
import { withinScope } from '../shared/scope.ts';
import { AlertModel, type AlertDoc } from './alert.model.ts';
import { createOrder, type OrderContext } from './order-create.service.ts';
import type { OrderDoc } from './order.model.ts';
import { orderScope } from './order.scope.ts';
import { bilingual } from '../shared/i18n.ts';

export const toAlertView = (alert: AlertDoc) => ({
  id: String(alert._id), seniorId: alert.seniorId, communityId: alert.communityId, source: alert.source, note: alert.note ?? null,
  orderId: alert.orderId, contactsNotified: alert.contactsNotified, createdBy: alert.createdBy, createdAt: alert.createdAt,
});

/**
 * An emergency call: an emergency order for now, dispatched at once to the nearest able provider
 * with the short offer time, and a message queued to each of the senior's emergency contacts.
 */
export async function raiseAlert(input: { seniorId: string; source: 'call_button' | 'hotline'; note?: string }, ctx: OrderContext): Promise<{ alert: ReturnType<typeof toAlertView>; order: OrderDoc }> {
  const emergencyService = (await listServiceTypes()).find((type) => type.emergency);
  if (!emergencyService) throw new DomainError('RULE_VIOLATION', [{ path: 'serviceTypeCode', message: bilingual('服务目录中没有紧急救助服务', 'the catalogue has no emergency service') }]);
  const now = ctx.now ?? new Date();
  const { order } = await createOrder(
    { seniorId: input.seniorId, serviceTypeCode: emergencyService.code, quantity: 1, scheduledStart: now.toISOString(), notes: input.note, source: 'emergency' },
    { ...ctx, now },
  );
  const orderId = String(order._id);
  const contacts = await emergencyContactsOf(input.seniorId, ctx.config.pii);
  for (const [index, contact] of contacts.entries()) {
    await enqueueNotification({
      dedupeKey: `emergency:${orderId}:${index}`,
      channel: 'sms',
      recipient: { kind: 'emergency_contact', name: contact.name, phone: contact.phone },
      template: 'emergency_alert',
      params: { relation: contact.relation, orderId },
      subject: { type: 'order', id: orderId },
    }, ctx.config.pii, now);
  }
  const alert = await AlertModel.create({
    seniorId: input.seniorId, communityId: order.communityId, streetId: order.streetId, source: input.source, note: input.note ?? null,
    orderId, contactsNotified: contacts.length, createdBy: ctx.actor.id,
  });
  await recordAudit({ actor: ctx.actor, action: 'alert.raise', entityType: 'emergency_alert', entityId: String(alert._id), requestId: ctx.requestId, after: { orderId, source: input.source, contactsNotified: contacts.length } });
  return { alert: toAlertView(alert.toObject() as AlertDoc), order };
}

/** Alerts are scoped like orders (community staff: their communities). */
export function listAlerts(paging: { page: number; pageSize: number }, actor: Actor) {
  return findPage(AlertModel, withinScope(orderScope, actor), { createdAt: -1, _id: 1 }, paging, (alert: AlertDoc) => toAlertView(alert));
}

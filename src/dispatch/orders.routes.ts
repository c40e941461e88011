import { createRouteGroup } from '../shared/http/route.ts';
import { createOrder } from './order-create.service.ts';
import { acceptOffer, declineOffer, dispatchManually } from './order-offers.service.ts';
import { cancelOrder, disputeOrder, resolveDispute } from './order-close.service.ts';
import { assignCaregiver, checkIn, checkOut, confirmByCallback } from './order-visit.service.ts';
import { orderView } from './order.view.ts';
import { getOrder, listOrders, orderHistory } from './orders.query.ts';
import { assignBody, checkInBody, checkOutBody, confirmBody, reasonBody, resolveBody, seniorPhoneSchema } from './orders.schemas.ts';
import { withOfferFacts } from './offer-facts.ts';
import { revealVisitSeniorPhone, withVisitSenior, withVisitSeniors } from './visit-senior.ts';
import { createOrderBody, createdOrderSchema, declineBody, historyQuery, manualDispatchBody, orderHistorySchema, orderPageSchema, orderParams, orderSchema, ordersQuery } from './orders.schemas.ts';

const { router, route } = createRouteGroup('/api/v1');

const READERS = ['admin', 'auditor', 'finance_officer', 'street_officer', 'community_staff', 'provider_admin', 'caregiver'] as const;

route({
  method: 'post', path: '/service-orders', summary: 'Create an order for an active senior and dispatch it', tags: ['service orders'],
  access: ['admin', 'community_staff'], body: createOrderBody,
  errors: ['NOT_ELIGIBLE', 'CAP_EXCEEDED'],
  success: { status: 201, schema: createdOrderSchema, description: 'The order and its visit code (shown only here)' },
  handler: async ({ body, actor, config, requestId }) => {
    const { order, visitCode } = await createOrder(body, { actor, config, requestId });
    return { order: await orderView(order), visitCode };
  },
});

route({
  method: 'get', path: '/service-orders', summary: 'Orders in your scope', tags: ['service orders'],
  access: READERS, query: ordersQuery,
  success: { status: 200, schema: orderPageSchema, description: 'A page of orders, newest first; items leave out dispatch.ranking (GET /service-orders/:id has it)' },
  handler: async ({ query, ...call }) => {
    const page = await listOrders(query, call.actor);
    return { ...page, items: await withOfferFacts(await withVisitSeniors(page.items, call), call) };
  },
});

route({
  method: 'get', path: '/service-orders/:id', summary: 'One order', tags: ['service orders'],
  access: READERS, params: orderParams,
  success: { status: 200, schema: orderSchema, description: 'The order' },
  handler: async ({ params, ...call }) => (await withOfferFacts([await withVisitSenior(await getOrder(params.id, call.actor), call)], call))[0]!,
});

route({
  method: 'get', path: '/service-orders/:id/history', summary: 'Every transition of the order, with actor, time and reason', tags: ['service orders'],
  access: READERS, params: orderParams, query: historyQuery,
  success: { status: 200, schema: orderHistorySchema, description: 'A page of history entries' },
  handler: ({ params, query, actor }) => orderHistory(params.id, query, actor),
});

route({
  method: 'post', path: '/service-orders/:id/accept', summary: 'Accept the live offer (the offered provider only)', tags: ['service orders'],
  access: ['provider_admin'], params: orderParams,
  errors: ['OFFER_NOT_ACTIVE'],
  success: { status: 200, schema: orderSchema, description: 'The accepted order' },
  handler: async ({ params, actor, requestId }) => orderView(await acceptOffer(params.id, actor, { requestId })),
});

route({
  method: 'post', path: '/service-orders/:id/decline', summary: 'Decline the live offer; the order goes to the next provider at once', tags: ['service orders'],
  access: ['provider_admin'], params: orderParams, body: declineBody,
  errors: ['OFFER_NOT_ACTIVE'],
  success: { status: 200, schema: orderSchema, description: 'The order as re-dispatched' },
  handler: async ({ params, body, actor, config, requestId }) => orderView(await declineOffer(params.id, body.reason, actor, { config, requestId })),
});

route({
  method: 'post', path: '/service-orders/:id/dispatch', summary: 'Dispatch an unassigned order by hand', tags: ['service orders'],
  access: ['admin', 'community_staff'], params: orderParams, body: manualDispatchBody,
  errors: ['INVALID_TRANSITION', 'NOT_ELIGIBLE'],
  success: { status: 200, schema: orderSchema, description: 'The order, offered (or still unassigned)' },
  handler: async ({ params, body, actor, config, requestId }) => orderView(await dispatchManually(params.id, body.providerId, actor, { config, requestId })),
});

route({
  method: 'post', path: '/service-orders/:id/assign', summary: 'Give the accepted order to a caregiver with the skill', tags: ['service orders'],
  access: ['provider_admin'], params: orderParams, body: assignBody,
  errors: ['INVALID_TRANSITION', 'NOT_ELIGIBLE'],
  success: { status: 200, schema: orderSchema, description: 'The assigned order' },
  handler: async ({ params, body, ...call }) => orderView(await assignCaregiver(params.id, body.caregiverId, call)),
});

route({
  method: 'post', path: '/service-orders/:id/check-in', summary: 'The caregiver arrives (GPS)', tags: ['service orders'],
  access: ['caregiver'], params: orderParams, body: checkInBody,
  errors: ['INVALID_TRANSITION'],
  success: { status: 200, schema: orderSchema, description: 'The order, in service' },
  handler: async ({ params, body, ...call }) => withVisitSenior(await orderView(await checkIn(params.id, body, call)), call),
});

route({
  method: 'post', path: '/service-orders/:id/check-out', summary: 'The caregiver leaves (GPS): with the order\'s visit code or the senior\'s PIN the visit is confirmed at once; with a reason why the senior could give neither it waits for a callback', tags: ['service orders'],
  access: ['caregiver'], params: orderParams, body: checkOutBody,
  errors: ['INVALID_TRANSITION', 'VISIT_CODE_MISMATCH', 'VISIT_CODE_LOCKED', 'NOT_ELIGIBLE'],
  success: { status: 200, schema: orderSchema, description: 'The order, confirmed (code or PIN) or completed (noCodeReason)' },
  handler: async ({ params, body, ...call }) => withVisitSenior(await orderView(await checkOut(params.id, body, call)), call),
});

route({
  method: 'post', path: '/service-orders/:id/senior-phone', summary: 'The senior\'s full phone for the assigned caregiver, today or tomorrow before the visit ends (audited)', tags: ['service orders'],
  access: ['caregiver'], params: orderParams,
  errors: ['RULE_VIOLATION'],
  success: { status: 200, schema: seniorPhoneSchema, description: 'The phone in clear, to call' },
  handler: ({ params, ...call }) => revealVisitSeniorPhone(params.id, call),
});

route({
  method: 'post', path: '/service-orders/:id/confirm', summary: 'Confirm a completed visit by calling the senior back', tags: ['service orders'],
  access: ['community_staff'], params: orderParams, body: confirmBody,
  errors: ['INVALID_TRANSITION'],
  success: { status: 200, schema: orderSchema, description: 'The confirmed order' },
  handler: async ({ params, body, ...call }) => orderView(await confirmByCallback(params.id, body, call)),
});

route({
  method: 'post', path: '/service-orders/:id/cancel', summary: 'Cancel before the visit starts (the hold is released)', tags: ['service orders'],
  access: ['community_staff', 'admin', 'provider_admin'], params: orderParams, body: reasonBody,
  errors: ['INVALID_TRANSITION'],
  success: { status: 200, schema: orderSchema, description: 'The cancelled order' },
  handler: async ({ params, body, ...call }) => orderView(await cancelOrder(params.id, body.reason, call)),
});

route({
  method: 'post', path: '/service-orders/:id/dispute', summary: 'Dispute a visit', tags: ['service orders'],
  access: ['community_staff', 'finance_officer', 'admin'], params: orderParams, body: reasonBody,
  errors: ['INVALID_TRANSITION'],
  success: { status: 200, schema: orderSchema, description: 'The disputed order' },
  handler: async ({ params, body, ...call }) => orderView(await disputeOrder(params.id, body.reason, call)),
});

route({
  method: 'post', path: '/service-orders/:id/resolve-dispute', summary: 'Decide a dispute: valid (confirmed) or invalid (rejected, voucher amount back)', tags: ['service orders'],
  access: ['finance_officer', 'admin'], params: orderParams, body: resolveBody,
  errors: ['INVALID_TRANSITION'],
  success: { status: 200, schema: orderSchema, description: 'The order, confirmed or rejected' },
  handler: async ({ params, body, ...call }) => orderView(await resolveDispute(params.id, body.outcome, body.note, call)),
});

export const ordersRouter = router;

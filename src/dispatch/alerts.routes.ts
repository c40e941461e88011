import { z } from 'zod';
import { pageOf, pageQuery } from '../shared/http/pagination.ts';
import { createRouteGroup } from '../shared/http/route.ts';
import { dateTimeOut, objectIdParam } from '../shared/http/schemas.ts';
import { listAlerts, raiseAlert } from './alerts.service.ts';
import { orderView } from './order.view.ts';
import { orderSchema } from './orders.schemas.ts';

const alertSchema = z
  .object({ id: z.string(), seniorId: z.string(), communityId: z.string(), source: z.enum(['call_button', 'hotline']), note: z.string().nullable(), orderId: z.string(), contactsNotified: z.number().int(), createdBy: z.string(), createdAt: dateTimeOut })
  .openapi('EmergencyAlert');

const { router, route } = createRouteGroup('/api/v1');

route({
  method: 'post', path: '/alerts', summary: 'Raise an emergency alert: an emergency order dispatched at once, emergency contacts notified', tags: ['alerts'],
  access: ['community_staff', 'admin'],
  body: z.object({ seniorId: objectIdParam, source: z.enum(['call_button', 'hotline']), note: z.string().max(500).trim().optional() }).strict().openapi('RaiseAlertRequest'),
  errors: ['NOT_ELIGIBLE', 'RULE_VIOLATION'],
  success: { status: 201, schema: z.object({ alert: alertSchema, order: orderSchema }), description: 'The alert and its order' },
  handler: async ({ body, actor, config, requestId }) => {
    const { alert, order } = await raiseAlert(body, { actor, config, requestId });
    return { alert, order: await orderView(order) };
  },
});

route({
  method: 'get', path: '/alerts', summary: 'Emergency alerts, newest first', tags: ['alerts'],
  access: ['community_staff', 'admin'],
  query: z.object({ ...pageQuery }).strict(),
  success: { status: 200, schema: pageOf(alertSchema), description: 'A page of alerts' },
  handler: ({ query, actor }) => listAlerts(query, actor),
});

export const alertsRouter = router;

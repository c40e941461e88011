import { createRouteGroup } from '../shared/http/route.ts';
import { notificationsPageSchema, notificationsQuerySchema } from './notifications.schemas.ts';
import { listNotifications } from './notifications.service.ts';

const { router, route } = createRouteGroup('/api/v1');

route({
  method: 'get',
  path: '/notifications',
  summary: 'List the notification outbox, newest first (phones masked)',
  tags: ['notifications'],
  access: ['admin'],
  query: notificationsQuerySchema,
  success: { status: 200, schema: notificationsPageSchema, description: 'A page of notifications' },
  handler: ({ query }) => listNotifications(query),
});

export const notificationsRouter = router;

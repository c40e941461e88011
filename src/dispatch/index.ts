export { ordersRouter } from './orders.routes.ts';
export { offerSweeperJob } from './dispatch.jobs.ts';
export { createOrder } from './order-create.service.ts';
export { alertsRouter } from './alerts.routes.ts';
export { cancelOrder } from './order-close.service.ts';
export { remindUnconfirmedVisits, visitRemindersJob } from './visit-reminders.jobs.ts';
export { orderState } from './orders.query.ts';

export { enqueueNotification, enqueueNotifications, type NotificationView } from './notifications.service.ts';
export type { NotificationInput } from './notifications.schemas.ts';
export type { NotificationChannel, NotificationStatus, RecipientKind } from './notification.model.ts';
export { logSender, createLogSender, setNotificationSender, type NotificationSender, type DecryptedNotification } from './notification.sender.ts';
export { deliverDueNotifications, retryDelayMinutes, MAX_ATTEMPTS, type DeliveryCounts, type DeliveryOptions } from './notification.delivery.ts';
export { notificationsDeliverJob } from './notifications.jobs.ts';
export { notificationsRouter } from './notifications.routes.ts';

import type { PiiCollection } from '../shared/pii-rekey.ts';
import { NotificationModel } from './notification.model.ts';

/** The outbox keeps each recipient's phone encrypted until it is sent: the pii-rekey job re-encrypts them. */
export const notificationPiiCollection: PiiCollection = { name: 'notifications', model: NotificationModel, fields: ['recipient.phoneEncrypted'] };

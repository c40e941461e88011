import { orderAndAlertIdsOfSenior } from '../dispatch/index.ts';
import { eraseSeniorSidePhones } from '../notifications/index.ts';
import { onSeniorPiiErase } from '../seniors/index.ts';

/**
 * What the retention job erases beyond the senior's record: the outbox's messages about the senior,
 * their orders and alerts lose the phones of the senior and their contacts (counted as
 * `notifications`). The audit log keeps its summaries: they are links of the hash chain (README,
 * personal information).
 */
export function registerPrivacyEraseHooks(): void {
  onSeniorPiiErase('notifications', async (seniorId) => eraseSeniorSidePhones([seniorId, ...(await orderAndAlertIdsOfSenior(seniorId))]));
}

import { auditEntriesAbout, recordAudit } from '../audit/index.ts';
import { carePlansOfSenior } from '../care-plans/index.ts';
import type { Config } from '../config/env.ts';
import { ordersOfSenior } from '../dispatch/index.ts';
import { lifeEventsOfSenior } from '../life-events/index.ts';
import { getCaregiver, getProvider } from '../organisation/index.ts';
import { notificationsAbout } from '../notifications/index.ts';
import { seniorRecordForExport } from '../seniors/index.ts';
import type { Actor } from '../shared/roles.ts';
import { voucherRecordsOfSenior } from '../vouchers/index.ts';

export const SUBJECT_EXPORT_FORMAT = 'starlight-care/subject-export/1';

/**
 * Everything held about one senior (PIPL art. 45: the person's right to see and copy their data),
 * as one JSON document: the record with the personal data in clear, its history, the voucher
 * account and every ledger entry, the orders (visit times, provider and caregiver by name) and
 * alerts, care plans, the death/hospital/move reports about them (life events, with their decisions), the notifications about them (the senior's and their contacts' phones in
 * clear, staff masked), and the audit entries about them. Nothing about another senior is read:
 * every read is keyed by this senior's id or their own orders' and alerts' ids. The export itself
 * is audited with its reason, after the audit entries it includes were read.
 */
export async function exportSeniorData(seniorId: string, reason: string, call: { actor: Actor; config: Config; requestId: string | null; now?: Date }) {
  const now = call.now ?? new Date();
  const { record, history } = await seniorRecordForExport(seniorId, call.actor, call.config);
  const vouchers = await voucherRecordsOfSenior(seniorId);
  const { orders, alerts } = await ordersOfSenior(seniorId);
  const [providers, caregivers] = await Promise.all([namesOf(orders.map((o) => o.providerId), getProvider), namesOf(orders.map((o) => o.caregiverId), getCaregiver)]);
  const carePlans = await carePlansOfSenior(seniorId);
  const lifeEvents = await lifeEventsOfSenior(seniorId);
  const notifications = await notificationsAbout([seniorId, ...orders.map((o) => o.id), ...alerts.map((a) => a.id)], call.config.pii);
  const auditEntries = await auditEntriesAbout('senior', seniorId);
  await recordAudit({ actor: call.actor, action: 'senior.export', entityType: 'senior', entityId: seniorId, after: { reason }, requestId: call.requestId });
  return {
    format: SUBJECT_EXPORT_FORMAT,
    exportedAt: now.toISOString(),
    exportedBy: call.actor.id,
    reason,
    senior: record,
    history,
    vouchers,
    orders: orders.map((order) => ({
      ...order,
      providerName: order.providerId ? (providers.get(order.providerId) ?? null) : null,
      caregiverName: order.caregiverId ? (caregivers.get(order.caregiverId) ?? null) : null,
    })),
    emergencyAlerts: alerts,
    carePlans,
    lifeEvents,
    notifications,
    auditEntries,
    notes: [
      '审计记录：只包含以该老人为对象的记录；以其工单为对象的记录见各工单的处理历史。',
    ],
  };
}

async function namesOf(ids: (string | null)[], read: (id: string) => Promise<{ name: string } | null>): Promise<Map<string, string>> {
  const unique = [...new Set(ids.filter((id): id is string => id !== null))];
  const named = await Promise.all(unique.map(async (id) => [id, (await read(id))?.name ?? null] as const));
  return new Map(named.filter((entry): entry is readonly [string, string] => entry[1] !== null));
}

import type { Config } from '../src/config/env.ts';
import { acceptOffer, assignCaregiver, checkIn, checkOut, countOrdersCreatedBy, createOrder, orderState } from '../src/dispatch/index.ts';
import { seniorsForIssuance } from '../src/seniors/index.ts';
import { approveStatement, listSampleChecks, payStatement, periodResult, recordSampleCheck, runSettlement } from '../src/settlement/index.ts';
import type { Actor } from '../src/shared/roles.ts';
import { addMonths, businessMonth } from '../src/shared/time.ts';
import { gpsFixNear, honestMinutes } from './visit-noise.ts';

const SEED_ACTOR = 'demo-seed';
/** The previous month's visits are created under their own actor id: that is how a restart knows they exist. */
const HISTORY_ACTOR = 'demo-seed-history';
const MINUTE = 60_000;
const actor = (role: Actor['role'], scope: Partial<Actor> = {}): Actor => ({ id: SEED_ACTOR, role, communityIds: [], streetId: null, providerId: null, caregiverId: null, ...scope });

/**
 * Settlement in the demo: the previous month settled — every review callback recorded, every
 * statement approved, all but one paid (so the console shows an approved statement waiting for
 * payment) — and a draft for the current month from the demo orders confirmed this month. Through
 * the real services; a period that already has statements is left alone.
 */
export async function seedDemoSettlement(config: Config): Promise<void> {
  const thisMonth = businessMonth(new Date(), config.businessTimeZone);
  const lastMonth = addMonths(thisMonth, -1);
  if ((await periodResult(lastMonth, config)).statements.length === 0) {
    await settle(config, lastMonth, 'demo-settlement-previous');
    await closePreviousMonth(config, lastMonth);
  }
  if ((await periodResult(thisMonth, config)).statements.length === 0) await settle(config, thisMonth, 'demo-settlement-current');
}

/** Meal deliveries and cleaning through the previous month (one checked in late), honest visits confirmed with the visit code; once. */
export async function seedPreviousMonthVisits(config: Config, month: string, caregivers: Map<string, { caregiverId: string; skills: readonly string[] }[]>): Promise<void> {
  if ((await countOrdersCreatedBy(HISTORY_ACTOR)) > 0) return;
  const seniors: string[] = [];
  for await (const senior of seniorsForIssuance(month)) seniors.push(senior.seniorId);
  for (let index = 0; index < 18 && seniors.length > 0; index += 1) {
    const seniorId = seniors[(index * 11 + 3) % seniors.length] as string;
    const service = index % 3 === 0 ? 'cleaning' : 'meal_delivery';
    const day = String(3 + index).padStart(2, '0');
    const start = new Date(`${month}-${day}T${service === 'cleaning' ? '09:00' : '11:00'}:00+08:00`);
    const at = (minutes: number) => new Date(start.getTime() + minutes * MINUTE);
    const created = await createOrder({ seniorId, serviceTypeCode: service, quantity: service === 'cleaning' ? 2 : 1, scheduledStart: start.toISOString(), source: 'staff' }, { actor: { ...actor('admin'), id: HISTORY_ACTOR }, config, requestId: null, now: at(-120) })
      .catch(() => null); // a senior suspended meanwhile, for instance
    if (!created) continue;
    const orderId = String(created.order._id);
    const offered = (await orderState(orderId))?.offeredProviderId;
    const caregiver = offered ? (caregivers.get(offered) ?? []).find((c) => c.skills.includes(service)) : undefined;
    if (!offered || !caregiver) continue;
    const provider = actor('provider_admin', { providerId: offered });
    const visitor = actor('caregiver', { providerId: offered, caregiverId: caregiver.caregiverId });
    const home = (await orderState(orderId))!.seniorLocation;
    const late = index === 4 ? 45 : 5;
    // An honest visit as the phone records it: 10–50 m from the home, the expected time ±20%.
    const minutes = honestMinutes(created.order.expectedMinutes, orderId);
    await acceptOffer(orderId, provider, { requestId: null, now: at(-110) });
    await assignCaregiver(orderId, caregiver.caregiverId, { actor: provider, config, requestId: null, now: at(-100) });
    await checkIn(orderId, gpsFixNear(home, `${orderId}:check-in`), { actor: visitor, config, requestId: null, now: at(late) });
    await checkOut(orderId, { ...gpsFixNear(home, `${orderId}:check-out`), visitCode: created.visitCode }, { actor: visitor, config, requestId: null, now: at(late + minutes) });
  }
}

const settle = (config: Config, period: string, runId: string) => runSettlement(period, { by: SEED_ACTOR, runId, config });

async function closePreviousMonth(config: Config, month: string): Promise<void> {
  const finance = actor('finance_officer');
  const { statements } = await periodResult(month, config);
  for (const [index, statement] of statements.entries()) {
    const checks = await listSampleChecks({ statementId: statement.id, status: 'open', page: 1, pageSize: 200 }, actor('admin'));
    for (const check of checks.items) {
      await recordSampleCheck(check.id, { outcome: 'visit_happened', note: '演示：电话回访，老人确认已服务' }, { actor: actor('community_staff', { communityIds: [check.communityId] }), config, requestId: null });
    }
    await approveStatement(statement.id, undefined, { actor: finance, config, requestId: null });
    if (index < statements.length - 1) await payStatement(statement.id, { paymentRef: `HF${month.replace('-', '')}${String(index + 1).padStart(3, '0')}`, paidAt: new Date() }, { actor: finance, config, requestId: null });
  }
}

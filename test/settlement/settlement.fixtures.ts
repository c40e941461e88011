import type { Config } from '../../src/config/env.ts';
import { acceptOffer, assignCaregiver, cancelOrder, checkIn, checkOut, confirmByCallback, createOrder } from '../../src/dispatch/index.ts';
import { enrolSenior, transitionSenior, type SeniorContext } from '../../src/seniors/index.ts';
import type { Actor } from '../../src/shared/roles.ts';
import { createVoucherPolicy, issueMonth } from '../../src/vouchers/index.ts';
import { authFor, createTestUser } from '../support/app.ts';
import { makeCaregiver, makeCommunity, makeContract, makeProvider, makeServiceType, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody } from '../seniors/senior.fixtures.ts';

/** Where every visit happens: the community fixture's location (seniors have none of their own). */
export const HOME = { lng: 117.2541, lat: 31.8457 };
const MINUTE = 60_000;

/** An instant in Asia/Shanghai: '2026-10-05 09:00' → Date. */
export const shanghai = (dayAndTime: string) => new Date(`${dayAndTime.replace(' ', 'T')}:00+08:00`);

/**
 * A district slice for settlement: provider A serves the north community, provider B the south
 * (so dispatch always picks the same one), two services at different prices, a policy with a
 * 60/40 city/district split (so rounding matters) and three categories at different subsidy rates.
 */
export async function settlementWorld(config: Config) {
  const street = await makeStreet();
  const [north, south] = [await makeCommunity(street, '北社区'), await makeCommunity(street, '南社区')];
  const [clean, meal] = [await makeServiceType(), await makeServiceType()];
  const providerA = await makeProvider([north.id], { location: { lng: 117.2594, lat: 31.8457 }, name: '安心养老服务中心' });
  const providerB = await makeProvider([south.id], { location: { lng: 117.2594, lat: 31.8457 }, name: '康乐居家养老' });
  const caregiverA = await makeCaregiver(config.pii, providerA.id, [clean.code, meal.code]);
  const caregiverA2 = await makeCaregiver(config.pii, providerA.id, [clean.code, meal.code]);
  const caregiverB = await makeCaregiver(config.pii, providerB.id, [clean.code, meal.code]);
  await makeContract(providerA.id, [north.id], [{ serviceTypeCode: clean.code, unitPriceFen: 4_000 }, { serviceTypeCode: meal.code, unitPriceFen: 1_333 }], '2020-01-01', '2099-12-31');
  const contractB = await makeContract(providerB.id, [south.id], [{ serviceTypeCode: clean.code, unitPriceFen: 5_001 }, { serviceTypeCode: meal.code, unitPriceFen: 1_799 }], '2020-01-01', '2099-12-31');

  const admin = await createTestUser('admin');
  const registrar = await createTestUser('admin');
  await createVoucherPolicy({ actor: admin, requestId: null, lang: 'zh' } as never, {
    name: '结算测试政策', effectiveFrom: '2020-01', combine: 'max',
    categories: [
      { category: 'three_nos', monthlyAmountFen: 80_000, subsidyRatePct: 100 },
      { category: 'living_alone', monthlyAmountFen: 30_000, subsidyRatePct: 70 },
      { category: 'empty_nest', monthlyAmountFen: 20_000, subsidyRatePct: 30 },
    ],
    careLevelSupplementFen: [0, 0, 0, 0, 0, 0], defaultSubsidyRatePct: 0, fundingSplit: { cityPct: 60, districtPct: 40 }, expiry: { mode: 'rollover', rolloverMonths: 6 },
  } as never);

  const staff = await createTestUser('community_staff', { communityIds: [north.id, south.id] });
  const providerAdminA = await createTestUser('provider_admin', { providerId: providerA.id });
  const providerAdminB = await createTestUser('provider_admin', { providerId: providerB.id });
  const caregiverUserA = await createTestUser('caregiver', { providerId: providerA.id, caregiverId: caregiverA.id });
  const caregiverUserA2 = await createTestUser('caregiver', { providerId: providerA.id, caregiverId: caregiverA2.id });
  const caregiverUserB = await createTestUser('caregiver', { providerId: providerB.id, caregiverId: caregiverB.id });
  const finance = await authFor(config, 'finance_officer');

  const seniorCtx = (actor: Actor, now: Date): SeniorContext => ({ actor, config, requestId: null, lang: 'zh', now });
  /** An active senior, approved on 1 August 2026 by someone other than the registrar. */
  async function senior(community: 'north' | 'south', categories: string[]) {
    const enrolled = await enrolSenior(enrolmentBody(community === 'north' ? north.id : south.id, { categories }), seniorCtx(registrar, shanghai('2026-07-30 10:00')));
    await transitionSenior(enrolled.id, { action: 'approve' }, seniorCtx(admin, shanghai('2026-08-01 09:00')));
    return enrolled.id;
  }

  const sides = {
    north: { providerAdmin: providerAdminA, caregiver: caregiverA, caregiverUser: caregiverUserA },
    south: { providerAdmin: providerAdminB, caregiver: caregiverB, caregiverUser: caregiverUserB },
  };

  /**
   * One visit driven through the real services on its own clock: created two hours ahead, accepted,
   * assigned, checked in `lateMinutes` after the start, checked out an hour later with the visit
   * code (confirmed) — or without it (`confirm: 'callback'` then confirms by callback at checkout+1h,
   * `confirm: 'none'` leaves it completed).
   */
  async function visit(input: { seniorId: string; side: 'north' | 'south'; service?: 'clean' | 'meal'; at: Date; lateMinutes?: number; quantity?: number; confirm?: 'code' | 'callback' | 'none'; satisfaction?: number; secondCaregiver?: boolean }) {
    const side = sides[input.side];
    const serviceTypeCode = (input.service ?? 'clean') === 'clean' ? clean.code : meal.code;
    const at = input.at;
    const created = await createOrder({ seniorId: input.seniorId, serviceTypeCode, quantity: input.quantity ?? 1, scheduledStart: at.toISOString(), source: 'staff' }, { actor: staff, config, requestId: null, now: new Date(at.getTime() - 120 * MINUTE) });
    const orderId = String(created.order._id);
    await acceptOffer(orderId, side.providerAdmin, { requestId: null, now: new Date(at.getTime() - 110 * MINUTE) });
    const [caregiver, caregiverUser] = input.secondCaregiver ? [caregiverA2, caregiverUserA2] : [side.caregiver, side.caregiverUser];
    const call = (actor: Actor, now: Date) => ({ actor, config, requestId: null, now });
    await assignCaregiver(orderId, caregiver.id, call(side.providerAdmin, new Date(at.getTime() - 60 * MINUTE)));
    const inAt = new Date(at.getTime() + (input.lateMinutes ?? 0) * MINUTE);
    await checkIn(orderId, HOME, call(caregiverUser, inAt));
    const outAt = new Date(inAt.getTime() + 60 * MINUTE);
    const confirm = input.confirm ?? 'code';
    await checkOut(orderId, { ...HOME, ...(confirm === 'code' ? { visitCode: created.visitCode } : { noCodeReason: '老人外出未带核验码' }) }, call(caregiverUser, outAt));
    if (confirm === 'callback') await confirmByCallback(orderId, { satisfaction: input.satisfaction }, call(staff, new Date(outAt.getTime() + 60 * MINUTE)));
    return orderId;
  }

  /** An order the provider accepted and then cancelled (a penalty for settlement). */
  async function cancelledByProvider(input: { seniorId: string; side: 'north' | 'south'; at: Date }) {
    const side = sides[input.side];
    const created = await createOrder({ seniorId: input.seniorId, serviceTypeCode: clean.code, quantity: 1, scheduledStart: input.at.toISOString(), source: 'staff' }, { actor: staff, config, requestId: null, now: new Date(input.at.getTime() - 120 * MINUTE) });
    const orderId = String(created.order._id);
    await acceptOffer(orderId, side.providerAdmin, { requestId: null, now: new Date(input.at.getTime() - 110 * MINUTE) });
    await cancelOrder(orderId, '护理员临时请假', { actor: side.providerAdmin, config, requestId: null, now: new Date(input.at.getTime() - 30 * MINUTE) });
    return orderId;
  }

  const issue = (...months: string[]) => Promise.all(months.map((month) => issueMonth(month, 'test')));

  return {
    street, north, south, clean, meal, providerA, providerB, caregiverA, caregiverB, contractB, admin, registrar, staff, providerAdminA, providerAdminB, finance,
    senior, visit, cancelledByProvider, issue, seniorCtx,
  };
}
export type SettlementWorld = Awaited<ReturnType<typeof settlementWorld>>;

/**
 * The month the settlement files are tested on (October 2026, issued): three seniors of three
 * categories in two communities, a visit each — one of them three meals with the caregiver 40
 * minutes late. Answers the late visit's order.
 */
export async function octoberOfThreeVisits(w: SettlementWorld): Promise<{ lateOrder: string }> {
  await w.issue('2026-10');
  const poor = await w.senior('north', ['three_nos']);
  const alone = await w.senior('north', ['living_alone']);
  const nest = await w.senior('south', ['empty_nest']);
  await w.visit({ seniorId: poor, side: 'north', at: shanghai('2026-10-05 09:00') });
  const lateOrder = await w.visit({ seniorId: alone, side: 'north', service: 'meal', quantity: 3, at: shanghai('2026-10-06 11:00'), lateMinutes: 40 });
  await w.visit({ seniorId: nest, side: 'south', at: shanghai('2026-10-07 09:00') });
  return { lateOrder };
}

import type { Config } from '../../src/config/env.ts';
import { acceptOffer, assignCaregiver, cancelOrder, checkIn, checkOut, confirmByCallback, createOrder, declineOffer, disputeOrder, resolveDispute } from '../../src/dispatch/index.ts';
import { sweepExpiredOffers } from '../../src/dispatch/order-offers.service.ts';
import { enrolSenior, transitionSenior } from '../../src/seniors/index.ts';
import { logger } from '../../src/shared/logger.ts';
import type { Actor } from '../../src/shared/roles.ts';
import { createVoucherPolicy } from '../../src/vouchers/index.ts';
import { createTestUser } from '../support/app.ts';
import { makeCaregiver, makeCommunity, makeContract, makeProvider, makeServiceType, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody, idNumberBornOn } from '../seniors/senior.fixtures.ts';

/*
 * September 2026 in a small district, driven through the real services with a controlled clock
 * (every instant below is Asia/Shanghai). Two providers serve street 三里庵 (北社区, 南社区); a third
 * serves 远社区 on another street. What happens, and what the reports must say about it:
 *
 *   O1  s1 (北)  P1 accepts after 12 min; checked in 10 min after the start; callback, satisfaction 5
 *   O2  s1 (北)  P1 accepts after 29 min; checked in 50 min late (grace 30); callback, satisfaction 3
 *   O3  s2 (南)  P2 declines at once; P1 accepts after 20 min; checked in 950 m away (flagged); callback
 *   O4  s2 (南)  P2 accepts after 6 min, then cancels (a provider cancellation after acceptance)
 *   O5  s2 (南)  P2 accepts after 4 min; caregiver g2 10:00-11:00; callback, satisfaction 4
 *   O7  s2 (南)  P2 accepts after 8 min; the same g2 10:30-11:30 (overlap, flagged); disputed, upheld; satisfaction 2
 *   O6  s2 (南)  P2 lets the offer expire; P1 declines; left unassigned
 *   O8  s3 (北)  P1 accepts after 10 min; s3 goes into hospital the day before the visit, recorded after it (back-dated); confirmed by visit code
 *   O9-O11 s4 (远) P3 accepts each after 15 min; visits on time; O9 confirmed with 5, O10 and O11 completed
 *   O12 s1 (北)  offered to P1 on 30 September for 2 October, accepted after 3 min (an offer of September,
 *                a visit of October)
 * Seniors: s1, s3 living alone; s2 living alone and empty nest, born 1940 (advanced age); s4 living
 * alone; s5 (南, disabled) never approved; s6 enrolled in October (not counted for September).
 */

export const MONTH = '2026-09';
export const at = (day: number, time: string, month = MONTH) => new Date(`${month}-${String(day).padStart(2, '0')}T${time}:00+08:00`);
export const HOME = { lng: 117.2541, lat: 31.8457 };
const FAR_AWAY = { lng: 117.2641, lat: 31.8457 };
const PRICE_FEN = 4_000;

type Call = { actor: Actor; config: Config; requestId: null; now: Date };

export async function buildSeptember(config: Config) {
  const [street, otherStreet] = [await makeStreet('三里庵街道'), await makeStreet('远街道')];
  const [north, south, far] = [await makeCommunity(street, '北社区'), await makeCommunity(street, '南社区'), await makeCommunity(otherStreet, '远社区')];
  const cleaning = await makeServiceType('clean_r');
  const [p1, p2, p3] = [await makeProvider([north.id, south.id], { name: '甲服务商' }), await makeProvider([north.id, south.id], { name: '乙服务商' }), await makeProvider([far.id], { name: '丙服务商' })];
  for (const provider of [p1, p2, p3]) await makeContract(provider.id, provider === p3 ? [far.id] : [north.id, south.id], [{ serviceTypeCode: cleaning.code, unitPriceFen: PRICE_FEN }], '2020-01-01', '2099-12-31');
  const [g1, g1b, g2, g3] = [await makeCaregiver(config.pii, p1.id, [cleaning.code]), await makeCaregiver(config.pii, p1.id, [cleaning.code]), await makeCaregiver(config.pii, p2.id, [cleaning.code]), await makeCaregiver(config.pii, p3.id, [cleaning.code])];

  const admin = await createTestUser('admin');
  const approver = await createTestUser('admin');
  const staff = await createTestUser('community_staff', { communityIds: [north.id, south.id, far.id] });
  const providerAdmins = { p1: await createTestUser('provider_admin', { providerId: p1.id }), p2: await createTestUser('provider_admin', { providerId: p2.id }), p3: await createTestUser('provider_admin', { providerId: p3.id }) };
  const caregivers = {
    g1: await createTestUser('caregiver', { providerId: p1.id, caregiverId: g1.id }), g1b: await createTestUser('caregiver', { providerId: p1.id, caregiverId: g1b.id }),
    g2: await createTestUser('caregiver', { providerId: p2.id, caregiverId: g2.id }), g3: await createTestUser('caregiver', { providerId: p3.id, caregiverId: g3.id }),
  };
  const call = (actor: Actor, now: Date): Call => ({ actor, config, requestId: null, now });
  const seniorCtx = (actor: Actor, now: Date) => ({ ...call(actor, now), lang: 'zh' as const });

  await createVoucherPolicy({ actor: admin, requestId: null, lang: 'zh' }, {
    name: '测试', effectiveFrom: '2026-01', combine: 'max', categories: [{ category: 'living_alone', monthlyAmountFen: 10_000, subsidyRatePct: 50 }],
    careLevelSupplementFen: [0, 0, 0, 0, 0, 0], defaultSubsidyRatePct: 50, fundingSplit: { cityPct: 60, districtPct: 40 }, expiry: { mode: 'end_of_month' },
  });

  const enrol = async (communityId: string, overrides: Record<string, unknown>, enrolledAt: Date, approve = true) => {
    const senior = await enrolSenior(enrolmentBody(communityId, { categories: ['living_alone'], ...overrides }), seniorCtx(admin, enrolledAt));
    if (approve) await transitionSenior(senior.id, { action: 'approve' }, seniorCtx(approver, new Date(enrolledAt.getTime() + 3_600_000)));
    return senior;
  };
  const s1 = await enrol(north.id, { preferredProviderId: p1.id }, at(1, '08:00'));
  const s2 = await enrol(south.id, { preferredProviderId: p2.id, categories: ['living_alone', 'empty_nest'], idNumber: idNumberBornOn('1940-01-01') }, at(1, '08:00'));
  const s3 = await enrol(north.id, { preferredProviderId: p1.id }, at(1, '08:00'));
  const s4 = await enrol(far.id, { preferredProviderId: p3.id }, at(1, '08:00'));
  const s5 = await enrol(south.id, { categories: ['disabled'] }, at(2, '08:00'), false);
  const s6 = await enrol(north.id, {}, at(5, '08:00', '2026-10'));

  const order = async (seniorId: string, scheduledStart: Date, createdAt: Date) => {
    const created = await createOrder({ seniorId, serviceTypeCode: cleaning.code, quantity: 1, scheduledStart: scheduledStart.toISOString(), source: 'staff' }, call(admin, createdAt));
    return { id: String(created.order._id), visitCode: created.visitCode };
  };
  const accept = (id: string, provider: Actor, now: Date) => acceptOffer(id, provider, { requestId: null, now });
  const assign = (id: string, provider: Actor, caregiverId: string, now: Date) => assignCaregiver(id, caregiverId, call(provider, now));
  /** Check-in, check-out and a callback confirmation (satisfaction optional). */
  const visit = async (id: string, caregiver: Actor, from: Date, to: Date, options: { where?: typeof HOME; satisfaction?: number; confirm?: boolean } = {}) => {
    await checkIn(id, options.where ?? HOME, call(caregiver, from));
    await checkOut(id, { ...HOME, noCodeReason: '老人记不清核验码' }, call(caregiver, to));
    if (options.confirm ?? true) await confirmByCallback(id, { satisfaction: options.satisfaction }, call(staff, new Date(to.getTime() + 3_600_000)));
  };

  const o1 = await order(s1.id, at(10, '09:00'), at(8, '10:00'));
  await accept(o1.id, providerAdmins.p1, at(8, '10:12'));
  await assign(o1.id, providerAdmins.p1, g1.id, at(8, '11:00'));
  await visit(o1.id, caregivers.g1, at(10, '09:10'), at(10, '10:15'), { satisfaction: 5 });

  const o2 = await order(s1.id, at(11, '09:00'), at(8, '11:00'));
  await accept(o2.id, providerAdmins.p1, at(8, '11:29'));
  await assign(o2.id, providerAdmins.p1, g1.id, at(8, '12:00'));
  await visit(o2.id, caregivers.g1, at(11, '09:50'), at(11, '10:55'), { satisfaction: 3 });

  const o3 = await order(s2.id, at(12, '14:00'), at(9, '08:00'));
  await declineOffer(o3.id, '人手不足', providerAdmins.p2, { config, requestId: null, now: at(9, '08:05') });
  await accept(o3.id, providerAdmins.p1, at(9, '08:25'));
  await assign(o3.id, providerAdmins.p1, g1b.id, at(9, '09:00'));
  await visit(o3.id, caregivers.g1b, at(12, '14:00'), at(12, '15:00'), { where: FAR_AWAY });

  const o4 = await order(s2.id, at(15, '10:00'), at(13, '09:00'));
  await accept(o4.id, providerAdmins.p2, at(13, '09:06'));
  await cancelOrder(o4.id, '车辆故障', call(providerAdmins.p2, at(14, '09:00')));

  const o5 = await order(s2.id, at(16, '10:00'), at(14, '09:00'));
  await accept(o5.id, providerAdmins.p2, at(14, '09:04'));
  await assign(o5.id, providerAdmins.p2, g2.id, at(14, '10:00'));
  const o7 = await order(s2.id, at(16, '10:30'), at(14, '10:00'));
  await accept(o7.id, providerAdmins.p2, at(14, '10:08'));
  await assign(o7.id, providerAdmins.p2, g2.id, at(14, '11:00'));
  await checkIn(o5.id, HOME, call(caregivers.g2, at(16, '10:00')));
  await checkIn(o7.id, HOME, call(caregivers.g2, at(16, '10:30')));
  await checkOut(o5.id, { ...HOME, noCodeReason: '老人记不清核验码' }, call(caregivers.g2, at(16, '11:00')));
  await checkOut(o7.id, { ...HOME, noCodeReason: '老人记不清核验码' }, call(caregivers.g2, at(16, '11:30')));
  await confirmByCallback(o5.id, { satisfaction: 4 }, call(staff, at(16, '15:00')));
  await confirmByCallback(o7.id, { satisfaction: 2 }, call(staff, at(16, '15:05')));
  await disputeOrder(o7.id, '老人反映时长不足', call(staff, at(17, '09:00')));
  await resolveDispute(o7.id, 'valid', '核实无误', call(admin, at(18, '09:00')));

  const o6 = await order(s2.id, at(20, '10:00'), at(19, '09:00'));
  await sweepExpiredOffers(config, logger, at(19, '09:31'));
  await declineOffer(o6.id, '排班已满', providerAdmins.p1, { config, requestId: null, now: at(19, '09:40') });

  const o8 = await order(s3.id, at(18, '10:00'), at(17, '09:00'));
  await accept(o8.id, providerAdmins.p1, at(17, '09:10'));
  await assign(o8.id, providerAdmins.p1, g1b.id, at(17, '09:30'));
  await checkIn(o8.id, HOME, call(caregivers.g1b, at(18, '10:00')));
  await checkOut(o8.id, { ...HOME, visitCode: o8.visitCode }, call(caregivers.g1b, at(18, '11:00')));
  // The hospital stay began on the 17th; the office learns of it after the visit and records it back-dated
  // (recorded before the visit, the suspension would have cancelled the order).
  await transitionSenior(s3.id, { action: 'suspend', reason: '住院', effectiveDate: `${MONTH}-17` }, seniorCtx(staff, at(18, '12:00')));

  const farVisits: string[] = [];
  for (const [day, confirm] of [[21, true], [22, false], [23, false]] as const) {
    const o = await order(s4.id, at(day, '09:00'), at(day - 1, '09:00'));
    await accept(o.id, providerAdmins.p3, at(day - 1, '09:15'));
    await assign(o.id, providerAdmins.p3, g3.id, at(day - 1, '10:00'));
    await visit(o.id, caregivers.g3, at(day, '09:00'), at(day, '10:00'), { satisfaction: confirm ? 5 : undefined, confirm });
    farVisits.push(o.id);
  }

  const o12 = await order(s1.id, at(2, '09:00', '2026-10'), at(30, '20:00'));
  await accept(o12.id, providerAdmins.p1, at(30, '20:03'));

  return {
    street, otherStreet, north, south, far, cleaning, p1, p2, p3, g1, g1b, g2, g3, admin, staff, providerAdmins, caregivers,
    seniors: { s1, s2, s3, s4, s5, s6 },
    orders: { o1: o1.id, o2: o2.id, o3: o3.id, o4: o4.id, o5: o5.id, o6: o6.id, o7: o7.id, o8: o8.id, o9: farVisits[0]!, o10: farVisits[1]!, o11: farVisits[2]!, o12: o12.id },
  };
}

export type September = Awaited<ReturnType<typeof buildSeptember>>;

import request from 'supertest';
import type { Express } from 'express';
import type { Config } from '../../src/config/env.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { addDaysToDay, businessDay } from '../../src/shared/time.ts';
import { issueMonth } from '../../src/vouchers/index.ts';
import { tokenFor } from '../support/app.ts';
import { makeCaregiver, makeCommunity, makeContract, makeProvider, makeServiceType, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody } from '../seniors/senior.fixtures.ts';

const TZ = 'Asia/Shanghai';

/** The first Monday after today (Asia/Shanghai): a day whose 11:00 is always ahead. */
export function nextMonday(): string {
  let day = addDaysToDay(businessDay(new Date(), TZ), 1);
  while (new Date(`${day}T00:00:00Z`).getUTCDay() !== 1) day = addDaysToDay(day, 1);
  return day;
}

/** Two communities on two streets; an active, credited senior in A (and one in B); a contracted provider in A. */
export async function carePlanWorld(app: Express, config: Config) {
  const [streetA, streetB] = [await makeStreet('甲街道'), await makeStreet('乙街道')];
  const [community, otherCommunity] = [await makeCommunity(streetA, '甲社区'), await makeCommunity(streetB, '乙社区')];
  const meals = await makeServiceType();
  const provider = await makeProvider([community.id], { location: { lng: 117.2594, lat: 31.8457 } });
  await makeCaregiver(config.pii, provider.id, [meals.code]);
  await makeContract(provider.id, [community.id], [{ serviceTypeCode: meals.code, unitPriceFen: 4_000 }], '2020-01-01', '2099-12-31');
  const admin = await tokenFor(config, 'admin');
  await request(app).post('/api/v1/voucher-policies').set('Authorization', admin).send({
    name: '测试', effectiveFrom: '2020-01', combine: 'max', categories: [{ category: 'living_alone', monthlyAmountFen: 20_000, subsidyRatePct: 50 }],
    careLevelSupplementFen: [0, 0, 0, 0, 0, 0], defaultSubsidyRatePct: 50, fundingSplit: { cityPct: 50, districtPct: 50 }, expiry: { mode: 'end_of_month' },
  });
  const staff = await tokenFor(config, 'community_staff', { communityIds: [community.id] });
  const otherStaff = await tokenFor(config, 'community_staff', { communityIds: [otherCommunity.id] });
  const enrol = async (communityId: string, token: string) => {
    const senior = (await request(app).post('/api/v1/seniors').set('Authorization', token).send(enrolmentBody(communityId, { categories: ['living_alone'] }))).body as { id: string };
    await SeniorModel.updateOne({ _id: senior.id }, { $set: { status: 'active' } });
    return senior;
  };
  const senior = await enrol(community.id, staff);
  const otherSenior = await enrol(otherCommunity.id, otherStaff);
  await issueMonth(businessDay(new Date(), TZ).slice(0, 7), 'test');
  return {
    streetA, streetB, community, otherCommunity, meals, provider, admin, staff, otherStaff, senior, otherSenior,
    providerAdmin: await tokenFor(config, 'provider_admin', { providerId: provider.id }),
    streetOfficer: await tokenFor(config, 'street_officer', { streetId: streetA.id }),
  };
}

export function planBody(seniorId: string, serviceTypeCode: string, overrides: Record<string, unknown> = {}) {
  return { seniorId, serviceTypeCode, quantity: 1, weekdays: [1, 3, 5], time: '11:00', startDate: nextMonday(), ...overrides };
}

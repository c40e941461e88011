import { expect } from 'chai';
import type { Express } from 'express';
import request from 'supertest';
import type { Config } from '../../src/config/env.ts';
import { SeniorModel } from '../../src/seniors/senior.model.ts';
import { issueMonth } from '../../src/vouchers/index.ts';
import { makeCaregiver, makeCommunity, makeContract, makeProvider, makeServiceType, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody } from '../seniors/senior.fixtures.ts';
import { createTestApp, tokenFor } from '../support/app.ts';
import { clearCollections, useTestDatabase } from '../support/database.ts';

// A caregiver's working day: one community, a provider with a cleaning and an emergency service
// under contract, two caregivers with both skills, and an active senior at HOME with a voucher
// balance and the confirmation PIN answered at enrolment.

export const HOME = { lng: 117.2541, lat: 31.8457 };
const MONTH = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date()).slice(0, 7);

/** `HH:mm` on the Shanghai day `days` after today, as an instant. */
export function shanghaiDayAt(days: number, time: string): Date {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai' }).format(new Date());
  const midnight = new Date(`${today}T00:00:00+08:00`);
  const [hours, minutes] = time.split(':').map(Number) as [number, number];
  return new Date(midnight.getTime() + days * 86_400_000 + (hours * 60 + minutes) * 60_000);
}

export async function visitWorld(app: Express, config: Config) {
  const community = await makeCommunity(await makeStreet());
  const cleaning = await makeServiceType();
  const emergency = await makeServiceType(undefined, { emergency: true });
  const provider = await makeProvider([community.id], { location: { lng: 117.2594, lat: 31.8457 } });
  const skills = [cleaning.code, emergency.code];
  const [own, other] = [await makeCaregiver(config.pii, provider.id, skills), await makeCaregiver(config.pii, provider.id, skills)];
  await makeContract(provider.id, [community.id], [{ serviceTypeCode: cleaning.code, unitPriceFen: 4_000 }, { serviceTypeCode: emergency.code, unitPriceFen: 6_000 }], '2020-01-01', '2099-12-31');
  const admin = await tokenFor(config, 'admin');
  await request(app).post('/api/v1/voucher-policies').set('Authorization', admin).send({
    name: '测试', effectiveFrom: '2020-01', combine: 'max', categories: [{ category: 'living_alone', monthlyAmountFen: 50_000, subsidyRatePct: 50 }],
    careLevelSupplementFen: [0, 0, 0, 0, 0, 0], defaultSubsidyRatePct: 50, fundingSplit: { cityPct: 50, districtPct: 50 }, expiry: { mode: 'end_of_month' },
  });
  const staff = await tokenFor(config, 'community_staff', { communityIds: [community.id] });
  const enrolled = await request(app).post('/api/v1/seniors').set('Authorization', staff)
    .send(enrolmentBody(community.id, { name: '王玉珍', phone: '13912345678', address: '合肥市蜀山区桐城路218号3幢201室', location: HOME, categories: ['living_alone'] }));
  expect(enrolled.status, JSON.stringify(enrolled.body)).to.equal(201);
  await SeniorModel.updateOne({ _id: enrolled.body.id }, { $set: { status: 'active' } });
  await issueMonth(MONTH, 'test');
  const providerAdmin = await tokenFor(config, 'provider_admin', { providerId: provider.id });
  const caregiver = await tokenFor(config, 'caregiver', { providerId: provider.id, caregiverId: own.id });
  const otherCaregiver = await tokenFor(config, 'caregiver', { providerId: provider.id, caregiverId: other.id });

  const post = (authorization: string, path: string, body: object = {}) => request(app).post(`/api/v1${path}`).set('Authorization', authorization).send(body);

  /** An order of `source` at `at`, accepted and assigned to the caregiver; its id and visit code. */
  async function assignedOrder(at: Date, options: { source?: 'staff' | 'care_plan'; notes?: string } = {}) {
    const created = await post(staff, '/service-orders', { seniorId: enrolled.body.id, serviceTypeCode: cleaning.code, quantity: 1, scheduledStart: at.toISOString(), source: options.source ?? 'staff', ...(options.notes ? { notes: options.notes } : {}) });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    return { id: await acceptAndAssign(created.body.order.id as string), visitCode: created.body.visitCode as string };
  }

  /** An emergency order from an alert (its visit code is never shown to anyone), assigned. */
  async function assignedEmergency() {
    const raised = await post(staff, '/alerts', { seniorId: enrolled.body.id, source: 'call_button' });
    expect(raised.status, JSON.stringify(raised.body)).to.equal(201);
    return { id: await acceptAndAssign(raised.body.order.id as string) };
  }

  async function acceptAndAssign(id: string): Promise<string> {
    expect((await post(providerAdmin, `/service-orders/${id}/accept`)).status).to.equal(200);
    expect((await post(providerAdmin, `/service-orders/${id}/assign`, { caregiverId: own.id })).status).to.equal(200);
    return id;
  }

  return {
    community, provider, admin, staff, providerAdmin, caregiver, otherCaregiver, post, assignedOrder, assignedEmergency,
    senior: { id: enrolled.body.id as string, pin: enrolled.body.confirmationPin as string, phone: '13912345678', name: '王玉珍', address: '合肥市蜀山区桐城路218号3幢201室' },
  };
}

/** For a describe: its own database and app, and a fresh world before each test (`world()`). */
export function useVisitWorld() {
  useTestDatabase();
  const { app, config } = createTestApp();
  let current: Awaited<ReturnType<typeof visitWorld>> | undefined;
  beforeEach(async () => {
    await clearCollections();
    current = await visitWorld(app, config);
  });
  return { app, config, world: () => current! };
}

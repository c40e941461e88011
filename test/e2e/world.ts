import { upsertCaregiver, upsertContract } from '../../src/organisation/index.ts';
import { signAccessToken } from '../../src/shared/http/auth.ts';
import { createTestUser, testConfig } from '../support/app.ts';
import { makeCommunity, makeProvider, makeServiceType, makeStreet } from '../organisation/organisation.fixtures.ts';
import { enrolmentBody, idNumberBornOn } from '../seniors/senior.fixtures.ts';

// The district the end-to-end journey runs in: one street and community, a cleaning service
// under contract with one provider and its caregiver, a voucher policy, a login per role, and a
// few seniors already on the register (so lists look like a working desk). Everything below the
// logins goes through the same services and API the console uses.

export const HOME = { lng: 117.2541, lat: 31.8457 };
type Point = typeof HOME;
export const UNIT_PRICE_FEN = 4_000;

async function callApi<T = { id: string }>(baseUrl: string, authorization: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${baseUrl}/api/v1${path}`, {
    method, headers: { Authorization: authorization, 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return await response.json() as T;
}

export type ApiUser = Parameters<typeof signAccessToken>[1];

/** The API as one of the world's people, as the console would call it for them (test set-up). */
export function callAs<T = Record<string, unknown>>(baseUrl: string, user: ApiUser, method: string, path: string, body?: unknown): Promise<T> {
  return callApi<T>(baseUrl, `Bearer ${signAccessToken(testConfig(), user)}`, method, path, body);
}

type World = Awaited<ReturnType<typeof buildWorld>>;

/**
 * A cleaning visit for the senior, brought through the API to `until`: offered to the provider,
 * assigned to the caregiver, or checked in and straight out (0 minutes, so flagged short) with
 * the given proof (`visitCode` then stands for the order's own code), at the home unless the
 * check-in or check-out point is given.
 */
export async function visitUntil(baseUrl: string, world: World, seniorId: string, until: 'offered' | 'assigned' | 'completed', options: {
  at?: Date; source?: string; notes?: string; proof?: 'visitCode' | { noCodeReason: string }; checkInAt?: Point; checkOutAt?: Point;
} = {}): Promise<string> {
  const created = await callAs<{ order: { id: string }; visitCode: string }>(baseUrl, world.users.community, 'POST', '/service-orders', {
    seniorId, serviceTypeCode: world.cleaning.code, quantity: 1, scheduledStart: (options.at ?? new Date(Date.now() + 20 * 60_000)).toISOString(),
    source: options.source ?? 'staff', ...(options.notes ? { notes: options.notes } : {}),
  });
  const id = created.order.id;
  if (until === 'offered') return id;
  await callAs(baseUrl, world.users.provider, 'POST', `/service-orders/${id}/accept`);
  await callAs(baseUrl, world.users.provider, 'POST', `/service-orders/${id}/assign`, { caregiverId: world.caregiver.id });
  if (until === 'assigned') return id;
  await callAs(baseUrl, world.users.caregiver, 'POST', `/service-orders/${id}/check-in`, options.checkInAt ?? HOME);
  const proof = options.proof ?? { noCodeReason: '老人记不清核验码' };
  await callAs(baseUrl, world.users.caregiver, 'POST', `/service-orders/${id}/check-out`, { ...(options.checkOutAt ?? HOME), ...(proof === 'visitCode' ? { visitCode: created.visitCode } : proof) });
  return id;
}

/** A visit taken to check-out and confirmed with its code (visitUntil), with the GD number the anomaly pages name it by. */
export async function confirmedVisit(baseUrl: string, world: World, seniorId: string, minutesAhead: number, points: { checkInAt?: Point; checkOutAt?: Point }): Promise<{ id: string; number: string }> {
  const id = await visitUntil(baseUrl, world, seniorId, 'completed', { at: new Date(Date.now() + minutesAhead * 60_000), proof: 'visitCode', ...points });
  const order = await callAs<{ number: string }>(baseUrl, world.users.community, 'GET', `/service-orders/${id}`);
  return { id, number: order.number };
}

export async function buildWorld(baseUrl: string) {
  const config = testConfig();
  const street = await makeStreet('三里庵街道');
  const community = await makeCommunity(street, '安居苑社区');
  const cleaning = await makeServiceType('home_cleaning');
  const provider = await makeProvider([community.id], { name: '安心养老服务中心', location: { lng: 117.2594, lat: 31.8457 } });
  const caregiver = await upsertCaregiver(config.pii, { providerId: provider.id, name: '李桂英', phone: '13955550101', skills: [cleaning.code] });
  await upsertContract({ providerId: provider.id, validFrom: '2020-01-01', validTo: '2099-12-31', communityIds: [community.id], prices: [{ serviceTypeCode: cleaning.code, unitPriceFen: UNIT_PRICE_FEN }] });

  const admin = await createTestUser('admin', { username: 'e2e.admin', displayName: '区民政局管理员' });
  const adminAuth = `Bearer ${signAccessToken(config, admin)}`;
  await callApi(baseUrl, adminAuth, 'POST', '/voucher-policies', {
    name: '居家养老服务券', effectiveFrom: '2020-01', combine: 'max',
    categories: [{ category: 'living_alone', monthlyAmountFen: 60_000, subsidyRatePct: 80 }, { category: 'empty_nest', monthlyAmountFen: 40_000, subsidyRatePct: 60 }],
    careLevelSupplementFen: [0, 0, 5_000, 10_000, 15_000, 20_000], defaultSubsidyRatePct: 50, fundingSplit: { cityPct: 50, districtPct: 50 }, expiry: { mode: 'end_of_month' },
  });

  const users = {
    community: await createTestUser('community_staff', { username: 'e2e.community', displayName: '张晓梅', communityIds: [community.id] }),
    street: await createTestUser('street_officer', { username: 'e2e.street', displayName: '刘建国', streetId: street.id }),
    provider: await createTestUser('provider_admin', { username: 'e2e.provider', displayName: '陈调度', providerId: provider.id }),
    caregiver: await createTestUser('caregiver', { username: 'e2e.caregiver', displayName: '李桂英', providerId: provider.id, caregiverId: caregiver.id }),
    finance: await createTestUser('finance_officer', { username: 'e2e.finance', displayName: '周会计' }),
  };

  const staffAuth = `Bearer ${signAccessToken(config, users.community)}`;
  const streetAuth = `Bearer ${signAccessToken(config, users.street)}`;
  for (const [name, birthDate, gender] of [['王秀英', '1942-05-17', 'female'], ['赵德明', '1938-11-02', 'male'], ['孙玉兰', '1951-08-23', 'female']] as const) {
    const senior = await callApi(baseUrl, staffAuth, 'POST', '/seniors', enrolmentBody(community.id, { name, idNumber: idNumberBornOn(birthDate, gender) }));
    await callApi(baseUrl, streetAuth, 'POST', `/seniors/${senior.id}/approve`);
  }

  return { street, community, cleaning, provider, caregiver, users };
}

import {
  creditCodeCheckCharacter, upsertCaregiver, upsertCommunity, upsertContract, upsertProvider, upsertServiceType, upsertStreet,
  type CommunityView, type ProviderView, type StreetView,
} from '../../src/organisation/index.ts';
import type { PiiKeys } from '../../src/shared/pii.ts';

// Small factories over the capability's own seeding helpers; every call makes new natural keys.
let counter = 0;
const next = () => (counter += 1);
const pad = (value: number, length: number) => String(value).padStart(length, '0');

export function validCreditCode(): string {
  const body = `91340104MA${pad(next(), 7)}`;
  return body + creditCodeCheckCharacter(body);
}

export function makeStreet(name = '三里庵街道'): Promise<StreetView> {
  return upsertStreet({ name, code: `340${pad(next(), 6)}` });
}

export function makeCommunity(street: StreetView, name = '安居苑社区'): Promise<CommunityView> {
  return upsertCommunity({ name, code: `${street.code}${pad(next() % 1000, 3)}`, streetId: street.id, location: { lng: 117.2541, lat: 31.8457 } });
}

export function makeServiceType(code = `service_${next()}`, overrides: { emergency?: boolean; onSite?: boolean } = {}) {
  return upsertServiceType({ code, name: '助洁', unit: 'hour', minutesPerUnit: 60, emergency: false, onSite: false, ...overrides });
}

export function providerBody(communityIds: string[], overrides: Record<string, unknown> = {}) {
  return {
    name: `服务商${next()}`,
    kind: 'company',
    creditCode: validCreditCode(),
    contactName: '周敏',
    contactPhone: '0551-65123401',
    address: '合肥市蜀山区桐城路218号',
    location: { lng: 117.258, lat: 31.844 },
    communityIds,
    dailyCapacity: 30,
    ...overrides,
  };
}

export function makeProvider(communityIds: string[], overrides: Record<string, unknown> = {}): Promise<ProviderView> {
  return upsertProvider(providerBody(communityIds, overrides) as Parameters<typeof upsertProvider>[0]);
}

export function makeCaregiver(keys: PiiKeys, providerId: string, skills: string[], phone = `139${pad(next(), 8)}`) {
  return upsertCaregiver(keys, { providerId, name: `护理员${next()}`, phone, skills });
}

export function makeContract(providerId: string, communityIds: string[], prices: { serviceTypeCode: string; unitPriceFen: number }[], validFrom = '2026-01-01', validTo = '2026-12-31') {
  return upsertContract({ providerId, validFrom, validTo, communityIds, prices });
}

/** A district slice: one street with two communities, two service types, one provider covering both. */
export async function makeDistrict() {
  const street = await makeStreet();
  const [north, south] = [await makeCommunity(street, '北社区'), await makeCommunity(street, '南社区')];
  const [meals, cleaning] = [await makeServiceType(), await makeServiceType()];
  const provider = await makeProvider([north.id, south.id]);
  return { street, north, south, meals, cleaning, provider };
}

import type { Config } from '../src/config/env.ts';
import { ensureUser } from '../src/identity/index.ts';
import {
  creditCodeCheckCharacter, upsertCaregiver, upsertCommunity, upsertContract, upsertProvider, upsertServiceType, upsertStreet,
} from '../src/organisation/index.ts';
import type { Role } from '../src/shared/roles.ts';
import { DEMO_PASSWORD, demoCaregivers, demoCommunities, demoProviders, demoServiceTypes, demoStreets, demoUsers } from './demo-district.ts';

export interface DemoLogin {
  username: string;
  password: string;
  role: Role;
  displayName: string;
}

// Demo contracts run through 2027 so a demo started any day of the next year still dispatches.
const CONTRACT_PERIOD = { validFrom: '2026-01-01', validTo: '2027-12-31' };
// Starlight centres are community-run and subsidised in kind: their contract prices are lower.
const STARLIGHT_PRICE_PERCENT = 80;

/**
 * Loads the demo district. Every step is an upsert by natural key (codes, credit codes, usernames),
 * so it runs on every start and creates only what is missing.
 */
export async function seedDemoDistrict(config: Config): Promise<DemoLogin[]> {
  const streetIds = new Map<string, string>();
  for (const street of demoStreets) streetIds.set(street.code, (await upsertStreet(street)).id);

  const communityIds = new Map<string, string>();
  for (const { streetCode, ...community } of demoCommunities) {
    communityIds.set(community.code, (await upsertCommunity({ ...community, streetId: streetIds.get(streetCode) as string })).id);
  }

  const prices = new Map<string, number>();
  for (const { unitPriceFen, ...serviceType } of demoServiceTypes) {
    await upsertServiceType(serviceType);
    prices.set(serviceType.code, unitPriceFen);
  }

  const providerIds = new Map<string, string>();
  for (const { key, creditCodeBase, communityCodes, services, ...provider } of demoProviders) {
    const covered = communityCodes.map((code) => communityIds.get(code) as string);
    const created = await upsertProvider({ ...provider, creditCode: creditCodeBase + creditCodeCheckCharacter(creditCodeBase), communityIds: covered, status: 'active' });
    providerIds.set(key, created.id);
    const percent = provider.kind === 'starlight_center' ? STARLIGHT_PRICE_PERCENT : 100;
    await upsertContract({
      providerId: created.id,
      ...CONTRACT_PERIOD,
      communityIds: covered,
      prices: services.map((code) => ({ serviceTypeCode: code, unitPriceFen: Math.round(((prices.get(code) as number) * percent) / 100) })),
    });
  }

  const caregiverIds = new Map<string, string>();
  for (const { providerKey, skills, ...caregiver } of demoCaregivers) {
    const created = await upsertCaregiver(config.pii, { providerId: providerIds.get(providerKey) as string, skills: [...skills], ...caregiver });
    caregiverIds.set(`${providerKey}:${caregiver.name}`, created.id);
  }

  const logins: DemoLogin[] = [];
  for (const user of demoUsers) {
    const scope = {
      streetId: 'streetCode' in user ? streetIds.get(user.streetCode) : undefined,
      communityIds: 'communityCodes' in user ? user.communityCodes.map((code) => communityIds.get(code) as string) : undefined,
      providerId: 'providerKey' in user ? providerIds.get(user.providerKey) : undefined,
      caregiverId: 'caregiverName' in user ? caregiverIds.get(`${user.providerKey}:${user.caregiverName}`) : undefined,
    };
    await ensureUser({ username: user.username, password: DEMO_PASSWORD, displayName: user.displayName, role: user.role, ...scope });
    logins.push({ username: user.username, password: DEMO_PASSWORD, role: user.role, displayName: user.displayName });
  }
  return logins;
}

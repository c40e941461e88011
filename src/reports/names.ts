import { getCaregiver, getCommunity, getProvider, listServiceTypes } from '../organisation/index.ts';

/**
 * Names for the ids a report shows, read once per id by primary key (a report names at most a few
 * hundred providers, communities and caregivers). Only names: no phones or addresses.
 */
export class ReportNames {
  private readonly providers = new Map<string, Promise<string>>();
  private readonly communities = new Map<string, Promise<string>>();
  private readonly caregivers = new Map<string, Promise<string | null>>();
  private serviceTypes: Promise<Map<string, string>> | undefined;

  provider(id: string): Promise<string> {
    return cached(this.providers, id, async () => (await getProvider(id))?.name ?? id);
  }

  async providerOrNull(id: string | null): Promise<string | null> {
    return id ? this.provider(id) : null;
  }

  community(id: string): Promise<string> {
    return cached(this.communities, id, async () => (await getCommunity(id))?.name ?? id);
  }

  async caregiver(id: string | null): Promise<string | null> {
    return id ? cached(this.caregivers, id, async () => (await getCaregiver(id))?.name ?? null) : null;
  }

  async serviceType(code: string): Promise<string> {
    this.serviceTypes ??= listServiceTypes().then((types) => new Map(types.map((type) => [type.code, type.name])));
    return (await this.serviceTypes).get(code) ?? code;
  }
}

function cached<T>(map: Map<string, Promise<T>>, id: string, read: () => Promise<T>): Promise<T> {
  let value = map.get(id);
  if (!value) {
    value = read();
    map.set(id, value);
  }
  return value;
}

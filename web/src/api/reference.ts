import { reactive } from 'vue';
import { listAll } from './http.ts';
import type { Community, Provider, ServiceType, Street } from './types.ts';

// Small reference lists (streets, communities, service types, providers) read once per session and
// shared by every page that shows a name for an id.

const cache = reactive({
  streets: [] as Street[],
  communities: [] as Community[],
  serviceTypes: [] as ServiceType[],
  providers: [] as Provider[],
});
const loading = new Map<keyof typeof cache, Promise<void>>();

function load<K extends keyof typeof cache>(key: K, path: string): Promise<void> {
  let pending = loading.get(key);
  if (!pending) {
    pending = listAll<(typeof cache)[K][number]>(path).then((items) => { (cache[key] as unknown[]) = items; });
    pending.catch(() => loading.delete(key));
    loading.set(key, pending);
  }
  return pending;
}

export const reference = {
  cache,
  streets: () => load('streets', '/streets'),
  communities: () => load('communities', '/communities'),
  serviceTypes: () => load('serviceTypes', '/service-types'),
  /** Not for caregivers (403): their page shows no provider names. */
  providers: () => load('providers', '/providers'),
  /** After an admin adds a row, the next read goes to the API again. */
  invalidate(key: keyof typeof cache): void {
    loading.delete(key);
  },
  streetName: (id: string | null | undefined) => cache.streets.find((street) => street.id === id)?.name ?? id ?? '—',
  communityName: (id: string | null | undefined) => cache.communities.find((community) => community.id === id)?.name ?? id ?? '—',
  serviceName: (code: string | null | undefined) => cache.serviceTypes.find((type) => type.code === code)?.name ?? code ?? '—',
  serviceType: (code: string | null | undefined) => cache.serviceTypes.find((type) => type.code === code),
  providerName: (id: string | null | undefined) => cache.providers.find((provider) => provider.id === id)?.name ?? id ?? '—',
};

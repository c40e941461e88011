import { decryptPii, type PiiKeys } from '../shared/pii.ts';
import { findInScope } from '../shared/scope.ts';
import type { Actor } from '../shared/roles.ts';
import { SeniorModel, type SeniorDoc, type SeniorStatus } from './senior.model.ts';
import { seniorScope } from './senior.scope.ts';
import { voucherBasisFor, type VoucherBasis } from './voucher-basis.ts';
import { toWgs84, type CoordSystem } from '../shared/geo.ts';

/** What an order needs to know about its senior; no PII beyond what dispatch must use. */
export interface SeniorOrderFacts {
  seniorId: string;
  status: SeniorStatus;
  communityId: string;
  streetId: string;
  location: { lng: number; lat: number } | null;
  preferredProviderId: string | null;
  birthDate: string;
  basis: VoucherBasis;
}

/** The senior if the caller may see them (404 otherwise), with the voucher basis of `month`. */
export async function seniorForOrder(seniorId: string, actor: Actor, month: string): Promise<SeniorOrderFacts> {
  const senior = await findInScope<SeniorDoc>(SeniorModel, seniorId, seniorScope, actor);
  // In WGS-84 whatever datum it was entered in: the order keeps it for the geofence and the ranking.
  const location = senior.location && typeof senior.location.lng === 'number'
    ? toWgs84({ lng: senior.location.lng, lat: senior.location.lat as number }, senior.location.coordSystem as CoordSystem | undefined) : null;
  return {
    seniorId,
    status: senior.status as SeniorStatus,
    communityId: senior.communityId,
    streetId: senior.streetId,
    location,
    preferredProviderId: senior.preferredProviderId ?? null,
    birthDate: senior.birthDate,
    basis: voucherBasisFor(senior, month),
  };
}

/**
 * The emergency contacts with their phones in clear, for the notification outbox only (which
 * stores them encrypted again). Never returned by any route.
 */
export async function emergencyContactsOf(seniorId: string, keys: PiiKeys): Promise<{ name: string; relation: string; phone: string }[]> {
  const senior = await SeniorModel.findById(seniorId, { emergencyContacts: 1 }).lean();
  return (senior?.emergencyContacts ?? []).map((contact) => ({ name: contact.name, relation: contact.relation, phone: decryptPii(keys, contact.phoneEncrypted) }));
}

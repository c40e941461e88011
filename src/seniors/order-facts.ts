import { decryptPii, type PiiKeys } from '../shared/pii.ts';
import { findInScope } from '../shared/scope.ts';
import type { Actor } from '../shared/roles.ts';
import { SeniorModel, type SeniorDoc, type SeniorStatus } from './senior.model.ts';
import { seniorScope } from './senior.scope.ts';
import { FACTS_PROJECTION, factsOf, seniorStatusAt } from './settlement-facts.ts';
import { registerFactsOf, type SeniorRegisterFacts } from './life-event-facts.ts';
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
  /** Why new orders are refused for now (a reported death awaiting confirmation); null when they are not. */
  dispatchHold: string | null;
}

/** The senior if the caller may see them (404 otherwise), with the voucher basis of `month`. */
export async function seniorForOrder(seniorId: string, actor: Actor, month: string): Promise<SeniorOrderFacts> {
  const senior = await findInScope<SeniorDoc>(SeniorModel, seniorId, seniorScope, actor);
  const location = wgs84LocationOf(senior);
  return {
    seniorId,
    status: senior.status as SeniorStatus,
    communityId: senior.communityId,
    streetId: senior.streetId,
    location,
    preferredProviderId: senior.preferredProviderId ?? null,
    birthDate: senior.birthDate,
    basis: voucherBasisFor(senior, month),
    dispatchHold: senior.dispatchHold?.reason ?? null,
  };
}

/** The senior's home in WGS-84 whatever datum it was entered in: the order keeps it for the geofence and the ranking. */
function wgs84LocationOf(senior: Pick<SeniorDoc, 'location'>): { lng: number; lat: number } | null {
  return senior.location && typeof senior.location.lng === 'number'
    ? toWgs84({ lng: senior.location.lng, lat: senior.location.lat as number }, senior.location.coordSystem as CoordSystem | undefined) : null;
}

/**
 * The emergency contacts with their phones in clear, for the notification outbox only (which
 * stores them encrypted again). Never returned by any route.
 */
export async function emergencyContactsOf(seniorId: string, keys: PiiKeys): Promise<{ name: string; relation: string; phone: string }[]> {
  const senior = await SeniorModel.findById(seniorId, { emergencyContacts: 1 }).lean();
  return (senior?.emergencyContacts ?? []).map((contact) => ({ name: contact.name, relation: contact.relation, phone: decryptPii(keys, contact.phoneEncrypted) }));
}

/** A senior as an uploaded visit record or a life-event feed needs them: the order's facts and what a row is checked against. */
export interface SeniorRecordFacts extends Omit<SeniorOrderFacts, 'basis' | 'dispatchHold'>, SeniorRegisterFacts {
  /** The voucher basis of the visit's month (visits of a month just past are uploaded after it). */
  basisFor(month: string): VoucherBasis;
  /** The senior's status at the visit's instant, as far as it is known now (a back-dated deactivation counts). */
  statusAt(instant: Date, timeZone: string): SeniorStatus;
}

/**
 * The seniors whose ID numbers hash (hmacPii) to these, in one read through the HMAC's unique
 * index — the number itself is never stored, so records are matched by it the way the register is.
 * Not scoped by a staff member: a provider uploading its visits names seniors by ID number, and a
 * senior outside its contracts is refused by the contract check, answered with no detail of the senior.
 */
export async function seniorsByIdNumberHmac(hmacs: string[]): Promise<Map<string, SeniorRecordFacts>> {
  if (hmacs.length === 0) return new Map();
  const seniors = await SeniorModel.find({ idNumberHmac: { $in: [...new Set(hmacs)] } }, {
    idNumberHmac: 1, communityId: 1, streetId: 1, location: 1, preferredProviderId: 1, birthDate: 1, ...FACTS_PROJECTION,
  }).lean();
  return new Map(seniors.map((doc) => {
    const senior = doc as SeniorDoc;
    const facts = factsOf(senior, '0000-00');
    return [senior.idNumberHmac, {
      ...registerFactsOf(senior),
      location: wgs84LocationOf(senior),
      preferredProviderId: senior.preferredProviderId ?? null,
      birthDate: senior.birthDate,
      basisFor: (month: string) => voucherBasisFor(senior, month),
      statusAt: (instant: Date, timeZone: string) => seniorStatusAt(facts, instant, timeZone),
    }];
  }));
}

/**
 * Stops new orders for the senior until released (life-events: a reported death waiting for its
 * confirmation). Idempotent; the first hold's reason and time are kept.
 */
export async function holdDispatch(seniorId: string, reason: string, by: string, now = new Date()): Promise<void> {
  await SeniorModel.updateOne({ _id: seniorId, dispatchHold: null }, { $set: { dispatchHold: { reason, since: now, by } } });
}

/** Lets new orders be made again (the reported death was rejected). Idempotent. */
export async function releaseDispatchHold(seniorId: string): Promise<void> {
  await SeniorModel.updateOne({ _id: seniorId }, { $set: { dispatchHold: null } });
}

import { recordAudit } from '../audit/index.ts';
import type { Config } from '../config/env.ts';
import { decryptPii, maskName } from '../shared/pii.ts';
import type { Actor } from '../shared/roles.ts';
import { SeniorModel } from './senior.model.ts';

/**
 * What a caregiver needs at the door of a visit of hers (dispatch decides which visits: her own,
 * today or tomorrow, not closed): the full name, the address, the phone masked, and a map link.
 */
export interface VisitSenior {
  name: string;
  address: string;
  phoneMasked: string;
  location: { lng: number; lat: number } | null;
  mapUrl: string;
}

/** The visit facts of these seniors, in one read by `_id`. */
export async function seniorsForVisits(seniorIds: string[]): Promise<Map<string, VisitSenior>> {
  const ids = [...new Set(seniorIds)].filter((id) => /^[0-9a-f]{24}$/.test(id));
  if (ids.length === 0) return new Map();
  const seniors = await SeniorModel.find({ _id: { $in: ids } }, { name: 1, address: 1, phoneMasked: 1, location: 1 }).lean();
  return new Map(seniors.map((senior) => {
    const location = senior.location && typeof senior.location.lng === 'number' ? { lng: senior.location.lng, lat: senior.location.lat as number } : null;
    const coordSystem = (senior.location as { coordSystem?: string } | null)?.coordSystem;
    return [String(senior._id), { name: senior.name, address: senior.address, phoneMasked: senior.phoneMasked, location, mapUrl: amapLink(location, senior.address, coordSystem) }];
  }));
}

/**
 * An Amap (高德, the map Chinese phones have) link: a marker at the senior's home named by the
 * address, or a search for the address when no location is on file. Seniors' locations are
 * WGS-84 unless marked otherwise: the geofence compares them with phones' GPS fixes, which are
 * WGS-84, without conversion (dispatch's check-in). Amap draws GCJ-02, so the link names the
 * datum (`coordinate=wgs84`) and Amap shifts the point; a GCJ-02 location is passed as it is.
 */
export function amapLink(location: { lng: number; lat: number } | null, address: string, coordSystem?: string): string {
  if (!location) return `https://uri.amap.com/search?keyword=${encodeURIComponent(address)}&src=starlight-care&callnative=1`;
  const coordinate = coordSystem === 'gcj02' ? 'gaode' : 'wgs84';
  return `https://uri.amap.com/marker?position=${location.lng},${location.lat}&name=${encodeURIComponent(address)}&coordinate=${coordinate}&src=starlight-care&callnative=1`;
}

/**
 * The senior's phone in clear for the caregiver of a visit (dispatch checks who and when), written
 * to the audit log like every reveal (PRODUCT.md §11). Its reason is the visit itself — the order,
 * checked by dispatch to be the caregiver's own and due — so the caregiver is not asked to type one.
 */
export async function revealPhoneForVisit(seniorId: string, orderId: string, call: { actor: Actor; config: Config; requestId: string | null }): Promise<{ phone: string }> {
  const senior = await SeniorModel.findById(seniorId, { phoneEncrypted: 1 }).lean();
  if (!senior) throw new Error(`order ${orderId} names senior ${seniorId}, who does not exist`);
  const phone = decryptPii(call.config.pii, senior.phoneEncrypted);
  await recordAudit({ actor: call.actor, action: 'senior.reveal', entityType: 'senior', entityId: seniorId, after: { fields: ['phone'], orderId, purpose: 'visit', reason: '上门服务联系老人（本人工单）' }, requestId: call.requestId });
  return { phone };
}

/**
 * What a provider's dispatcher sees of the senior behind an offer, to decide whether to take it:
 * the name masked and the address to the door number (the building and flat only once a caregiver
 * of theirs is at the door, above).
 */
export interface OfferSenior { nameMasked: string; addressArea: string }

export async function seniorsForOffers(seniorIds: string[]): Promise<Map<string, OfferSenior>> {
  const ids = [...new Set(seniorIds)].filter((id) => /^[0-9a-f]{24}$/.test(id));
  if (ids.length === 0) return new Map();
  const seniors = await SeniorModel.find({ _id: { $in: ids } }, { name: 1, address: 1 }).lean();
  return new Map(seniors.map((senior) => [String(senior._id), { nameMasked: maskName(senior.name), addressArea: addressArea(senior.address) }]));
}

/** '合肥市蜀山区桐城路218号3幢201室' → '合肥市蜀山区桐城路218号'; without a 号, the first 12 characters and '…'. */
export function addressArea(address: string): string {
  const door = /^.*?\d+号/.exec(address);
  if (door) return door[0];
  const chars = [...address];
  return chars.length <= 12 ? address : `${chars.slice(0, 12).join('')}…`;
}

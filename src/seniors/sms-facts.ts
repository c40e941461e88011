import { decryptPii, type PiiKeys } from '../shared/pii.ts';
import { SeniorModel } from './senior.model.ts';

/** Who an SMS about a senior's visit goes to: the senior's own mobile, else the first emergency contact's. */
export interface SmsRecipient {
  kind: 'senior' | 'emergency_contact';
  name?: string;
  phone: string;
}

const MOBILE = /^1[3-9]\d{9}$/;
const mobileOf = (keys: PiiKeys, encrypted: string | null | undefined) => {
  const digits = encrypted ? decryptPii(keys, encrypted).replace(/\D/g, '') : '';
  return MOBILE.test(digits) ? digits : null;
};

/**
 * For each senior, the mobile an SMS question reaches (issue 20): the senior's own phone when it is
 * a mobile (a landline cannot take an SMS), else the first emergency contact's, when that is one;
 * null when neither. In clear for the outbox only, which stores it encrypted again. One read by `_id`.
 */
export async function smsRecipientsOf(seniorIds: string[], keys: PiiKeys): Promise<Map<string, SmsRecipient | null>> {
  const ids = [...new Set(seniorIds)].filter((id) => /^[0-9a-f]{24}$/.test(id));
  if (ids.length === 0) return new Map();
  const seniors = await SeniorModel.find({ _id: { $in: ids } }, { phoneEncrypted: 1, emergencyContacts: 1 }).lean();
  return new Map(seniors.map((senior) => {
    const own = mobileOf(keys, senior.phoneEncrypted);
    const contact = senior.emergencyContacts?.[0];
    const contactPhone = contact ? mobileOf(keys, contact.phoneEncrypted) : null;
    const recipient: SmsRecipient | null = own ? { kind: 'senior', phone: own } : contactPhone ? { kind: 'emergency_contact', name: contact!.name, phone: contactPhone } : null;
    return [String(senior._id), recipient];
  }));
}

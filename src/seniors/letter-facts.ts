import { decryptPii, type PiiKeys } from '../shared/pii.ts';
import { SeniorModel } from './senior.model.ts';

/** A senior as the monthly letter needs them: the name on the letter, the masked phone, whom to text. */
export interface SeniorForLetter {
  seniorId: string;
  name: string;
  phoneMasked: string;
  /**
   * Who gets the letter's SMS: the senior when their phone is a mobile, else the first emergency
   * contact with one; null when nobody can get a text (landlines only). The phone is in clear for
   * the notification outbox only, which stores it encrypted again.
   */
  textTo: { kind: 'senior' | 'emergency_contact'; name: string; phone: string } | null;
}

const MOBILE = /^1[3-9]\d{9}$/;
const PAGE_FIELDS = { name: 1, phoneEncrypted: 1, phoneMasked: 1, emergencyContacts: 1 };

/**
 * One page of a community's active seniors after `afterId`, in `_id` order: a keyset walk of the
 * (communityId, _id) index that reads what it returns (FerretDB patch 8; MongoDB alike), so a
 * community of a few hundred seniors is a few pages whatever the size of the register.
 */
export async function activeSeniorsForLetters(communityId: string, afterId: string | null, limit: number, keys: PiiKeys): Promise<SeniorForLetter[]> {
  const filter: Record<string, unknown> = { communityId, status: 'active' };
  if (afterId) filter._id = { $gt: afterId };
  const seniors = await SeniorModel.find(filter, PAGE_FIELDS).sort({ _id: 1 }).limit(limit).lean();
  return seniors.map((senior) => ({
    seniorId: String(senior._id),
    name: senior.name,
    phoneMasked: senior.phoneMasked,
    textTo: textRecipient(senior, keys),
  }));
}

function textRecipient(senior: { name: string; phoneEncrypted: string; emergencyContacts?: { name: string; phoneEncrypted: string }[] | null }, keys: PiiKeys): SeniorForLetter['textTo'] {
  const phone = decryptPii(keys, senior.phoneEncrypted).replace(/-/g, '');
  if (MOBILE.test(phone)) return { kind: 'senior', name: senior.name, phone };
  for (const contact of senior.emergencyContacts ?? []) {
    const contactPhone = decryptPii(keys, contact.phoneEncrypted).replace(/-/g, '');
    if (MOBILE.test(contactPhone)) return { kind: 'emergency_contact', name: contact.name, phone: contactPhone };
  }
  return null;
}

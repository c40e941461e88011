import type { Config } from '../config/env.ts';
import { decryptPii, piiKeyVersionOf, type PiiKeys } from '../shared/pii.ts';
import type { Actor } from '../shared/roles.ts';
import { findInScope } from '../shared/scope.ts';
import { SeniorHistoryModel, SeniorModel, type SeniorDoc } from './senior.model.ts';
import { seniorScope } from './senior.scope.ts';
import { toSeniorView } from './senior.view.ts';

/**
 * The senior's record with the personal data in clear (the data-subject export answers the person's
 * own request) and every history row, oldest first. Read in the caller's scope (404 outside it).
 * After the retention job the erased values are null and `piiErasedAt` says when.
 */
export async function seniorRecordForExport(id: string, actor: Actor, config: Config) {
  const senior = await findInScope<SeniorDoc>(SeniorModel, id, seniorScope, actor);
  const keys = config.pii;
  const history = await SeniorHistoryModel.find({ seniorId: id }).sort({ at: 1, _id: 1 }).lean();
  return {
    record: {
      ...toSeniorView(senior, config.businessTimeZone),
      idNumber: clear(keys, senior.idNumberEncrypted),
      phone: clear(keys, senior.phoneEncrypted),
      emergencyContacts: senior.emergencyContacts.map((contact) => ({ name: contact.name, relation: contact.relation, phone: clear(keys, contact.phoneEncrypted) })),
      voucherBasis: senior.voucherBasis ?? null,
      voucherBasisNext: senior.voucherBasisNext ?? null,
      statusLog: senior.statusLog,
      dispatchHold: senior.dispatchHold ?? null,
    },
    history: history.map(({ _id, ...entry }) => ({ id: String(_id), ...entry })),
  };
}

/** Null for an erased value (the retention job's marker is not a ciphertext). */
const clear = (keys: PiiKeys, stored: string): string | null => (piiKeyVersionOf(stored) === null ? null : decryptPii(keys, stored));

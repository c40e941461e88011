import type { PiiCollection } from '../shared/pii-rekey.ts';
import { SeniorModel } from './senior.model.ts';

/** Where seniors hold encrypted PII, for the pii-rekey job (privacy/). */
export const seniorPiiCollection: PiiCollection = {
  name: 'seniors', model: SeniorModel, fields: ['idNumberEncrypted', 'phoneEncrypted', 'emergencyContacts.*.phoneEncrypted'],
};

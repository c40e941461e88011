import type { PiiCollection } from '../shared/pii-rekey.ts';
import { CaregiverModel, ProviderModel } from './providers.model.ts';

/** Caregivers' phones are encrypted at rest too (caregivers.service.ts): the pii-rekey job re-encrypts them. */
export const caregiverPiiCollection: PiiCollection = { name: 'caregivers', model: CaregiverModel, fields: ['phoneEncrypted'] };

/** Providers' bank account numbers (bank-account.ts) are encrypted with the same keys. */
export const providerPiiCollection: PiiCollection = { name: 'providers', model: ProviderModel, fields: ['bankAccount.accountNoEncrypted'] };

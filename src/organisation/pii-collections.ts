import type { PiiCollection } from '../shared/pii-rekey.ts';
import { CaregiverModel } from './providers.model.ts';

/** Caregivers' phones are encrypted at rest too (caregivers.service.ts): the pii-rekey job re-encrypts them. */
export const caregiverPiiCollection: PiiCollection = { name: 'caregivers', model: CaregiverModel, fields: ['phoneEncrypted'] };

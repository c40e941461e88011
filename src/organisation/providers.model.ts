import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { bumpsCandidateVersion } from './candidate-version.ts';
import { locationSubSchema } from './geo.model.ts';

export const PROVIDER_KINDS = ['company', 'ngo', 'starlight_center'] as const;
export const PROVIDER_STATUSES = ['active', 'suspended'] as const;
export const CAREGIVER_STATUSES = ['active', 'inactive'] as const;

// The payee account of the batch payment file (bank-account.ts): its number only encrypted and masked.
const bankAccountSubSchema = new Schema(
  {
    accountName: { type: String, required: true },
    accountNoEncrypted: { type: String, required: true },
    accountNoMasked: { type: String, required: true },
    bankName: { type: String, required: true },
    bankBranchCode: { type: String, default: null },
  },
  { _id: false },
);

// `creditCode` is stored upper-case (validated with its check character) and always present, so
// its unique index is the provider's natural key on both engines. `contactPhone` is the
// organisation's business line, not personal data, and is stored as given.
const providerSchema = new Schema(
  {
    name: { type: String, required: true },
    kind: { type: String, enum: PROVIDER_KINDS, required: true, index: true },
    creditCode: { type: String, required: true, unique: true },
    contactName: { type: String, required: true },
    contactPhone: { type: String, required: true },
    address: { type: String, required: true },
    location: { type: locationSubSchema, required: true },
    communityIds: { type: [String], default: [], index: true },
    dailyCapacity: { type: Number, required: true, validate: Number.isSafeInteger },
    status: { type: String, enum: PROVIDER_STATUSES, required: true, default: 'active', index: true },
    bankAccount: { type: bankAccountSubSchema, default: null },
  },
  { collection: 'providers', versionKey: false, timestamps: true },
);

export type ProviderDoc = InferSchemaType<typeof providerSchema> & { _id: mongoose.Types.ObjectId };
bumpsCandidateVersion(providerSchema);
export const ProviderModel = mongoose.model('Provider', providerSchema);

// A caregiver's phone is personal data (PRODUCT.md §5): only its ciphertext, a keyed hash (one
// caregiver per phone and provider) and the masked form are stored, never the number itself.
const caregiverSchema = new Schema(
  {
    providerId: { type: String, required: true },
    name: { type: String, required: true },
    phoneEncrypted: { type: String, required: true },
    phoneHash: { type: String, required: true },
    phoneMasked: { type: String, required: true },
    skills: { type: [String], default: [] },
    certificateNo: { type: String, default: null },
    status: { type: String, enum: CAREGIVER_STATUSES, required: true, default: 'active' },
  },
  { collection: 'caregivers', versionKey: false, timestamps: true },
);
caregiverSchema.index({ providerId: 1, phoneHash: 1 }, { unique: true });
caregiverSchema.index({ providerId: 1, name: 1 });

export type CaregiverDoc = InferSchemaType<typeof caregiverSchema> & { _id: mongoose.Types.ObjectId };
bumpsCandidateVersion(caregiverSchema);
export const CaregiverModel = mongoose.model('Caregiver', caregiverSchema);

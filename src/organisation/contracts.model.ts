import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { bumpsCandidateVersion } from './candidate-version.ts';

const priceSchema = new Schema(
  {
    serviceTypeCode: { type: String, required: true },
    unitPriceFen: { type: Number, required: true, validate: Number.isSafeInteger },
  },
  { _id: false },
);

// Days are 'YYYY-MM-DD' strings (Asia/Shanghai calendar days), so range queries compare them as
// strings. `serviceTypeCodes` repeats the codes of `prices` as a flat array: equality on an array
// element is the one array query both engines answer alike and FerretDB can push down.
const contractSchema = new Schema(
  {
    providerId: { type: String, required: true, index: true },
    validFrom: { type: String, required: true },
    validTo: { type: String, required: true },
    communityIds: { type: [String], required: true },
    serviceTypeCodes: { type: [String], required: true },
    prices: { type: [priceSchema], required: true },
    createdBy: { type: String, required: true },
  },
  { collection: 'contracts', versionKey: false, timestamps: true },
);
contractSchema.index({ providerId: 1, validFrom: 1 });

export type ContractDoc = InferSchemaType<typeof contractSchema> & { _id: mongoose.Types.ObjectId };
bumpsCandidateVersion(contractSchema);
export const ContractModel = mongoose.model('Contract', contractSchema);

// One document per provider while one of its contracts is being created (see contract-lock.ts).
const contractLockSchema = new Schema(
  {
    _id: { type: String, required: true },
    holder: { type: String, default: null },
    leaseUntil: { type: Date, required: true },
  },
  { collection: 'contract_locks', versionKey: false },
);

export const ContractLockModel = mongoose.model('ContractLock', contractLockSchema);

import mongoose, { Schema, type InferSchemaType } from 'mongoose';

export const SERVICE_UNITS = ['visit', 'hour', 'meal'] as const;

// The service catalogue, keyed by a stable lower_snake code that orders, contracts and caregiver
// skills refer to; the code is required and unique.
const serviceTypeSchema = new Schema(
  {
    code: { type: String, required: true, unique: true },
    name: { type: String, required: true },
    unit: { type: String, enum: SERVICE_UNITS, required: true },
    minutesPerUnit: { type: Number, required: true, validate: Number.isSafeInteger },
    emergency: { type: Boolean, required: true },
    onSite: { type: Boolean, required: true },
  },
  { collection: 'service_types', versionKey: false, timestamps: true },
);

export type ServiceTypeDoc = InferSchemaType<typeof serviceTypeSchema> & { _id: mongoose.Types.ObjectId };
export const ServiceTypeModel = mongoose.model('ServiceType', serviceTypeSchema);

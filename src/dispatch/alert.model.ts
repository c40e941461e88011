import mongoose, { Schema, type InferSchemaType } from 'mongoose';

// An emergency call (平安救助铃 call button or hotline) and the emergency order it opened.
const alertSchema = new Schema(
  {
    seniorId: { type: String, required: true },
    communityId: { type: String, required: true },
    streetId: { type: String, required: true },
    source: { type: String, enum: ['call_button', 'hotline'], required: true },
    note: { type: String, default: null },
    orderId: { type: String, required: true },
    contactsNotified: { type: Number, required: true },
    createdBy: { type: String, required: true },
  },
  { collection: 'emergency_alerts', versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);
alertSchema.index({ communityId: 1, createdAt: -1 });
// A senior's alerts, for their data-subject export (orders.subject.ts); alerts are few, the index cheap.
alertSchema.index({ seniorId: 1, _id: 1 });

export type AlertDoc = InferSchemaType<typeof alertSchema> & { _id: mongoose.Types.ObjectId; createdAt: Date };
export const AlertModel = mongoose.model('EmergencyAlert', alertSchema);

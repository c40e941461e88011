import mongoose, { Schema } from 'mongoose';

/**
 * Where the pii-rekey job is in each collection: the last `_id` re-encrypted towards `keyVersion`.
 * A run cut short (a crash, a stop) resumes after it; a new newest key starts the pass again.
 */
const rekeyProgressSchema = new Schema(
  {
    _id: { type: String, required: true },
    keyVersion: { type: Number, required: true },
    afterId: { type: Schema.Types.Mixed, default: null },
    passStartedAt: { type: Date, required: true },
    completedAt: { type: Date, default: null },
  },
  { collection: 'pii_rekey_progress', versionKey: false },
);

export const RekeyProgressModel = mongoose.model('PiiRekeyProgress', rekeyProgressSchema);

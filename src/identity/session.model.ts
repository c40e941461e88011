import mongoose, { Schema, type InferSchemaType } from 'mongoose';

// Refresh tokens, stored only as a keyed hash. Tokens issued from one login share a family; each
// use marks the token used and issues its successor, so a second use of any token is a theft
// signal that revokes the whole family.
const refreshTokenSchema = new Schema(
  {
    tokenHash: { type: String, required: true, unique: true },
    familyId: { type: String, required: true, index: true },
    userId: { type: String, required: true, index: true },
    expiresAt: { type: Date, required: true },
    usedAt: { type: Date, default: null },
    revokedAt: { type: Date, default: null },
  },
  { collection: 'refresh_tokens', versionKey: false, timestamps: { createdAt: true, updatedAt: false } },
);

export type RefreshTokenDoc = InferSchemaType<typeof refreshTokenSchema> & { _id: mongoose.Types.ObjectId };
export const RefreshTokenModel = mongoose.model('RefreshToken', refreshTokenSchema);

// One row per failed login, counted over a sliding 15-minute window per username. Rows live in
// the database (not in memory) so the lockout holds across instances; a job purges old ones.
const loginFailureSchema = new Schema(
  {
    username: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'login_failures', versionKey: false },
);
loginFailureSchema.index({ username: 1, at: 1 });

export const LoginFailureModel = mongoose.model('LoginFailure', loginFailureSchema);

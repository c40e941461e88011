import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { ROLES } from '../shared/roles.ts';

// `username` is stored lower-cased (case-insensitive uniqueness without collations, which
// FerretDB lacks) and is always present, so its unique index behaves alike on both engines.
const userSchema = new Schema(
  {
    username: { type: String, required: true, unique: true },
    displayName: { type: String, required: true },
    role: { type: String, enum: ROLES, required: true, index: true },
    passwordHash: { type: String, required: true },
    communityIds: { type: [String], default: [] },
    streetId: { type: String, default: null },
    providerId: { type: String, default: null },
    caregiverId: { type: String, default: null },
    active: { type: Boolean, required: true, default: true },
    /** Access tokens issued before this are refused (a logout, a refresh family revoked for reuse). */
    accessRevokedBefore: { type: Date, default: null },
  },
  { collection: 'users', versionKey: false, timestamps: true },
);

export type UserDoc = InferSchemaType<typeof userSchema> & { _id: mongoose.Types.ObjectId };
export const UserModel = mongoose.model('User', userSchema);

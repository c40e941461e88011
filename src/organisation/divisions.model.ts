import mongoose, { Schema, type InferSchemaType } from 'mongoose';
import { locationSubSchema } from './geo.model.ts';

// Streets (街道) and communities (社区) carry their statutory division codes: 9 digits for a
// street, 12 for a community whose first 9 are its street's. Codes are required and unique, so
// the unique indexes behave alike on MongoDB and FerretDB.
const streetSchema = new Schema(
  {
    name: { type: String, required: true },
    code: { type: String, required: true, unique: true },
  },
  { collection: 'streets', versionKey: false, timestamps: true },
);

export type StreetDoc = InferSchemaType<typeof streetSchema> & { _id: mongoose.Types.ObjectId };
export const StreetModel = mongoose.model('Street', streetSchema);

const communitySchema = new Schema(
  {
    name: { type: String, required: true },
    code: { type: String, required: true, unique: true },
    streetId: { type: String, required: true, index: true },
    location: { type: locationSubSchema, required: true },
  },
  { collection: 'communities', versionKey: false, timestamps: true },
);

export type CommunityDoc = InferSchemaType<typeof communitySchema> & { _id: mongoose.Types.ObjectId };
export const CommunityModel = mongoose.model('Community', communitySchema);

import { Schema } from 'mongoose';

// A plain {lng, lat} pair: no 2dsphere index (FerretDB has none); distances are computed in code.
export const locationSubSchema = new Schema(
  { lng: { type: Number, required: true }, lat: { type: Number, required: true } },
  { _id: false },
);

import mongoose, { Schema, type InferSchemaType } from 'mongoose';

// What a senior has used of a month's caps, kept beside every hold and release (caps.service.ts):
// one document per senior and service month, `_id` '<senior>:<YYYY-MM>', so the check before a
// hold is one read by key. `holds` names each hold it counts (hold ref → {fen, serviceTypeCode,
// at}), which makes a retried reservation a no-op and lets reconciliation rebuild the sums from
// the ledger. `seq` moves with every change: each update is conditional on the one it read.
const capUsageSchema = new Schema(
  {
    _id: { type: String, required: true },
    seniorId: { type: String, required: true },
    month: { type: String, required: true },
    subsidyFen: { type: Number, required: true, validate: Number.isSafeInteger },
    visits: { type: Schema.Types.Mixed, default: {} },
    holds: { type: Schema.Types.Mixed, default: {} },
    seq: { type: Number, default: 0 },
  },
  { collection: 'voucher_cap_usage', versionKey: false, minimize: false },
);
capUsageSchema.index({ seniorId: 1, month: 1 });

export type CapUsageDoc = InferSchemaType<typeof capUsageSchema>;
export interface CountedHold { fen: number; serviceTypeCode: string; at: Date }
export const CapUsageModel = mongoose.model('VoucherCapUsage', capUsageSchema);

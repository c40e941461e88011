import mongoose, { Schema } from 'mongoose';

// One document per voucher month that issuance has started for (`_id` = 'YYYY-MM'). Policies use it
// to refuse rewriting a month whose vouchers exist; issuance records its progress on it.
const issuedMonthSchema = new Schema(
  {
    _id: { type: String, required: true },
    startedAt: { type: Date, required: true },
    completedAt: { type: Date, default: null },
    issued: { type: Number, default: 0 },
    skipped: { type: Number, default: 0 },
    totalFen: { type: Number, default: 0 },
  },
  { collection: 'voucher_issued_months', versionKey: false },
);

export const IssuedMonthModel = mongoose.model('VoucherIssuedMonth', issuedMonthSchema);

/** The latest month any voucher was issued for, or null. Mid-month approval credits count too. */
export async function latestIssuedMonth(): Promise<string | null> {
  const latest = await IssuedMonthModel.findOne({}, { _id: 1 }).sort({ _id: -1 }).lean();
  return latest ? String(latest._id) : null;
}

/** Marks a month as having vouchers (idempotent). */
export async function markMonthIssued(month: string): Promise<void> {
  await IssuedMonthModel.updateOne({ _id: month }, { $setOnInsert: { startedAt: new Date() } }, { upsert: true });
}

/** True once a monthly issuance run went through every senior for `month`. */
export async function isIssuanceComplete(month: string): Promise<boolean> {
  return Boolean((await IssuedMonthModel.findById(month, { completedAt: 1 }).lean())?.completedAt);
}
